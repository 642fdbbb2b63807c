"""Tests for apiserver.tls: real TLS handshakes against issued certificates, reuse on disk, kubeconfigs."""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import socket
import ssl
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from cryptography import x509

from apiserver import tls
from tests.support import databases


def _pem_file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _server_context(tmp_path: Path, pair: tls.KeyPair, *, client_ca: bytes | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(
        certfile=_pem_file(tmp_path, "server.crt", pair.cert_pem),
        keyfile=_pem_file(tmp_path, "server.key", pair.key_pem),
    )
    if client_ca is not None:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cadata=client_ca.decode("ascii"))
    return context


@contextlib.contextmanager
def _tls_echo_server(context: ssl.SSLContext, *, family: int = socket.AF_INET) -> Iterator[int]:
    """Accepts one TLS connection on loopback and answers it with one line; yields the port."""
    host = "127.0.0.1" if family == socket.AF_INET else "::1"
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen()
    listener.settimeout(10)

    def serve() -> None:
        with contextlib.suppress(OSError):  # a failed handshake is the client's to report
            connection, _ = listener.accept()
            with connection, context.wrap_socket(connection, server_side=True) as secure:
                secure.sendall(b"hello\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        thread.join(timeout=10)
        listener.close()


def _client_context(ca_pem: bytes) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name
    context.load_verify_locations(cadata=ca_pem.decode("ascii"))
    return context


def _handshake(
    context: ssl.SSLContext, *, port: int, server_hostname: str, family: int = socket.AF_INET
) -> bytes:
    address = "127.0.0.1" if family == socket.AF_INET else "::1"
    with (
        socket.create_connection((address, port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=server_hostname) as secure,
    ):
        return secure.recv(16)


@pytest.fixture
def ca() -> tls.CertificateAuthority:
    return tls.CertificateAuthority.generate("test-ca")


@pytest.mark.parametrize("hostname", ["127.0.0.1", "localhost", "api.example.test"])
def test_server_cert_passes_a_verifying_handshake_by_san(
    ca: tls.CertificateAuthority, tmp_path: Path, hostname: str
) -> None:
    pair = ca.issue_server_cert(common_name="api", dns_names=["api.example.test"], ip_addresses=[])
    with _tls_echo_server(_server_context(tmp_path, pair)) as port:
        assert _handshake(_client_context(ca.cert_pem), port=port, server_hostname=hostname) == b"hello\n"


def test_server_cert_covers_ipv6_loopback(ca: tls.CertificateAuthority, tmp_path: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("no IPv6 loopback")
    pair = ca.issue_server_cert(common_name="api", dns_names=[], ip_addresses=[])
    with _tls_echo_server(_server_context(tmp_path, pair), family=socket.AF_INET6) as port:
        client = _client_context(ca.cert_pem)
        answer = _handshake(client, port=port, server_hostname="::1", family=socket.AF_INET6)
    assert answer == b"hello\n"


def test_handshake_fails_for_a_name_outside_the_sans(ca: tls.CertificateAuthority, tmp_path: Path) -> None:
    pair = ca.issue_server_cert(common_name="api", dns_names=[], ip_addresses=[])
    with (
        _tls_echo_server(_server_context(tmp_path, pair)) as port,
        pytest.raises(ssl.SSLCertVerificationError, match="mismatch"),
    ):
            _handshake(_client_context(ca.cert_pem), port=port, server_hostname="other.example.test")


def test_handshake_fails_against_another_ca(ca: tls.CertificateAuthority, tmp_path: Path) -> None:
    pair = ca.issue_server_cert(common_name="api", dns_names=[], ip_addresses=[])
    stranger = tls.CertificateAuthority.generate("stranger")
    with (
        _tls_echo_server(_server_context(tmp_path, pair)) as port,
        pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"),
    ):
            _handshake(_client_context(stranger.cert_pem), port=port, server_hostname="127.0.0.1")


def test_client_cert_authenticates_in_mutual_tls(ca: tls.CertificateAuthority, tmp_path: Path) -> None:
    server = _server_context(tmp_path, ca.issue_server_cert(common_name="api"), client_ca=ca.cert_pem)
    client_pair = ca.issue_client_cert(common_name="admin", organizations=["system:masters"])
    client = _client_context(ca.cert_pem)
    client.load_cert_chain(
        certfile=_pem_file(tmp_path, "client.crt", client_pair.cert_pem),
        keyfile=_pem_file(tmp_path, "client.key", client_pair.key_pem),
    )
    with _tls_echo_server(server) as port:
        assert _handshake(client, port=port, server_hostname="localhost") == b"hello\n"
    subject = x509.load_pem_x509_certificate(client_pair.cert_pem).subject.rfc4514_string()
    assert subject == "CN=admin,O=system:masters"


def test_server_cert_is_not_usable_as_client_cert(ca: tls.CertificateAuthority) -> None:
    cert = x509.load_pem_x509_certificate(ca.issue_server_cert(common_name="api").cert_pem)
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]
    cert.verify_directly_issued_by(ca.certificate)


def test_ensure_serving_files_creates_keys_readable_by_owner_only(tmp_path: Path) -> None:
    files = tls.ensure_serving_files(tmp_path / "pki", name="garden", hosts=["garden.local"])
    assert files.cert == tmp_path / "pki" / "garden.crt"
    assert files.ca_key == tmp_path / "pki" / "garden-ca.key"
    for key in (files.key, files.ca_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert files.ca_pem == files.ca_cert.read_bytes()
    cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(sans.get_values_for_type(x509.DNSName)) == {"localhost", "garden.local"}


def test_ensure_serving_files_reuses_what_is_still_valid(tmp_path: Path) -> None:
    first = tls.ensure_serving_files(tmp_path, name="seed", hosts=["10.0.0.7"])
    before = {p: p.read_bytes() for p in (first.ca_cert, first.ca_key, first.cert, first.key)}
    second = tls.ensure_serving_files(tmp_path, name="seed", hosts=["10.0.0.7", "localhost"])
    assert second == first
    assert {p: p.read_bytes() for p in before} == before


def test_ensure_serving_files_reissues_the_cert_but_keeps_the_ca_for_a_new_host(tmp_path: Path) -> None:
    first = tls.ensure_serving_files(tmp_path, name="seed", hosts=[])
    old_cert = first.cert.read_bytes()
    second = tls.ensure_serving_files(tmp_path, name="seed", hosts=["seed.example.test"])
    assert second.ca_pem == first.ca_pem
    assert second.cert.read_bytes() != old_cert
    with _tls_echo_server(_server_context(tmp_path, _pair(second))) as port:
        answer = _handshake(_client_context(second.ca_pem), port=port, server_hostname="seed.example.test")
    assert answer == b"hello\n"


def test_ensure_serving_files_replaces_a_damaged_ca(tmp_path: Path) -> None:
    first = tls.ensure_serving_files(tmp_path, name="seed", hosts=[])
    first.ca_key.write_bytes(b"garbage")
    second = tls.ensure_serving_files(tmp_path, name="seed", hosts=[])
    assert second.ca_pem != first.ca_pem
    cert = x509.load_pem_x509_certificate(second.cert.read_bytes())
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(second.ca_pem))


def _pair(files: tls.ServingFiles) -> tls.KeyPair:
    return tls.KeyPair(cert_pem=files.cert.read_bytes(), key_pem=files.key.read_bytes())


def test_kubeconfig_has_the_shape_kubectl_reads(ca: tls.CertificateAuthority, tmp_path: Path) -> None:
    config = tls.kubeconfig(
        server="https://127.0.0.1:6443", ca_pem=ca.cert_pem, token="t0k", cluster="garden", user="admin",
        namespace="garden-dev",
    )
    path = tmp_path / "kube" / "config"
    tls.write_kubeconfig(path, config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = yaml.safe_load(path.read_text())
    assert loaded["current-context"] == "garden"
    assert loaded["contexts"] == [{"name": "garden", "context": {
        "cluster": "garden", "user": "admin", "namespace": "garden-dev"}}]
    assert loaded["users"] == [{"name": "admin", "user": {"token": "t0k"}}]


VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0", "gitCommit": "0" * 40, "gitTreeState": "clean",
    "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc", "platform": "linux/amd64",
}


class _VersionHandler(http.server.BaseHTTPRequestHandler):
    """Answers /version and remembers the Authorization header of each request."""

    seen: list[str | None]

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Authorization"))
        body = json.dumps(VERSION).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _https_server(tmp_path: Path, files: tls.ServingFiles) -> Iterator[tuple[str, list[str | None]]]:
    seen: list[str | None] = []
    handler = type("Handler", (_VersionHandler,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile=files.cert, keyfile=files.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_kubeconfig_drives_the_kubernetes_client_over_tls(tmp_path: Path) -> None:
    from kubernetes import client, config  # only this test needs the client

    files = tls.ensure_serving_files(tmp_path / "pki", name="api", hosts=[])
    with _https_server(tmp_path, files) as (url, seen):
        path = tmp_path / "kubeconfig"
        tls.write_kubeconfig(
            path, tls.kubeconfig(server=url, ca_pem=files.ca_pem, token="s3cret", cluster="c", user="u")
        )
        configuration = client.Configuration()
        config.load_kube_config(config_file=str(path), client_configuration=configuration)
        with client.ApiClient(configuration) as api:
            version = client.VersionApi(api).get_code()
    assert version.git_version == "v1.32.0"
    assert seen == ["Bearer s3cret"]


@pytest.mark.kubectl
def test_kubeconfig_drives_kubectl_over_tls(tmp_path: Path) -> None:
    kubectl = shutil.which("kubectl.1.32") or "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"
    if not Path(kubectl).exists():
        databases.unavailable("kubectl.1.32", "not installed")  # skips, or fails under CI=true
    files = tls.ensure_serving_files(tmp_path / "pki", name="api", hosts=[])
    with _https_server(tmp_path, files) as (url, seen):
        path = tmp_path / "kubeconfig"
        tls.write_kubeconfig(
            path, tls.kubeconfig(server=url, ca_pem=files.ca_pem, token="s3cret", cluster="c", user="u")
        )
        result = subprocess.run(
            [kubectl, "--kubeconfig", str(path), "get", "--raw", "/version"],
            capture_output=True, text=True, timeout=60, check=False,
            env={"HOME": str(tmp_path), "KUBECACHEDIR": str(tmp_path / "cache")},
        )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["gitVersion"] == "v1.32.0"
    assert seen == ["Bearer s3cret"]
