"""Serving certificates and kubeconfigs for the HTTPS API servers.

kubectl sends bearer tokens only over TLS, so ``hortus up`` and the local seed cluster serve HTTPS with a CA
of their own. This module issues that CA and its server and client certificates (ECDSA P-256, cheap
to make), keeps them on disk across restarts, and writes kubeconfigs that trust the CA.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import ipaddress
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Every serving certificate also answers to the loopback names: the CLI and tests dial 127.0.0.1.
DEFAULT_DNS_NAMES = ("localhost",)
DEFAULT_IP_ADDRESSES = ("127.0.0.1", "::1")
# A certificate closer than this to its end is replaced rather than reused.
RENEW_BEFORE = datetime.timedelta(days=30)

@dataclasses.dataclass(frozen=True)
class KeyPair:
    """A PEM certificate and its PEM (PKCS#8, unencrypted) private key."""

    cert_pem: bytes
    key_pem: bytes


@dataclasses.dataclass(frozen=True)
class CertificateAuthority:
    """A self-signed CA that issues the server's and its clients' certificates."""

    cert_pem: bytes
    key_pem: bytes

    @classmethod
    def generate(cls, common_name: str, valid_days: int = 3650) -> CertificateAuthority:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        builder = _builder(subject=name, issuer=name, public_key=key.public_key(), valid_days=valid_days)
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        builder = builder.add_extension(_key_usage(ca=True), critical=True)
        identifier = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        builder = builder.add_extension(identifier, critical=False)
        cert = builder.sign(key, hashes.SHA256())
        return cls(cert_pem=cert.public_bytes(serialization.Encoding.PEM), key_pem=_key_pem(key))

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    def issue_server_cert(
        self,
        *,
        common_name: str,
        dns_names: Iterable[str] = (),
        ip_addresses: Iterable[str] = (),
        valid_days: int = 365,
    ) -> KeyPair:
        """A serverAuth certificate for the given names, plus localhost, 127.0.0.1 and ::1."""
        dns = _unique([*DEFAULT_DNS_NAMES, *dns_names])
        ips = _unique([*DEFAULT_IP_ADDRESSES, *ip_addresses])
        sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
        sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
        return self._issue(
            subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]),
            usage=ExtendedKeyUsageOID.SERVER_AUTH,
            sans=sans,
            valid_days=valid_days,
        )

    def issue_client_cert(
        self, *, common_name: str, organizations: Iterable[str] = (), valid_days: int = 365
    ) -> KeyPair:
        """A clientAuth certificate; Kubernetes reads CN as the user and O as the groups."""
        attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
        return self._issue(
            subject=x509.Name(attributes),
            usage=ExtendedKeyUsageOID.CLIENT_AUTH,
            sans=[],
            valid_days=valid_days,
        )

    def _issue(
        self,
        *,
        subject: x509.Name,
        usage: x509.ObjectIdentifier,
        sans: list[x509.GeneralName],
        valid_days: int,
    ) -> KeyPair:
        ca_key = serialization.load_pem_private_key(self.key_pem, password=None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        ca_cert = self.certificate
        key = ec.generate_private_key(ec.SECP256R1())
        builder = _builder(
            subject=subject, issuer=ca_cert.subject, public_key=key.public_key(), valid_days=valid_days
        )
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        builder = builder.add_extension(_key_usage(ca=False), critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        return KeyPair(cert_pem=cert.public_bytes(serialization.Encoding.PEM), key_pem=_key_pem(key))


@dataclasses.dataclass(frozen=True)
class ServingFiles:
    """Where the serving certificate, its key and the CA lie, and the CA PEM for kubeconfigs."""

    ca_cert: Path
    ca_key: Path
    cert: Path
    key: Path
    ca_pem: bytes


def ensure_serving_files(directory: Path, *, name: str, hosts: Sequence[str]) -> ServingFiles:
    """Create ``<name>-ca.crt|key`` and ``<name>.crt|key`` in ``directory``, or reuse them while still good.

    The CA is kept whenever it is readable and not near its end, so kubeconfigs already handed out stay
    valid; the serving certificate is reissued when it no longer covers ``hosts``, is near its end or is not
    the CA's.
    """
    directory.mkdir(parents=True, exist_ok=True)
    files = ServingFiles(
        ca_cert=directory / f"{name}-ca.crt",
        ca_key=directory / f"{name}-ca.key",
        cert=directory / f"{name}.crt",
        key=directory / f"{name}.key",
        ca_pem=b"",
    )
    ca = _load_ca(files)
    if ca is None:
        ca = CertificateAuthority.generate(f"{name}-ca")
        _write(files.ca_key, ca.key_pem, mode=0o600)
        _write(files.ca_cert, ca.cert_pem, mode=0o644)
    if not _serving_cert_ok(files, ca=ca, hosts=hosts):
        pair = ca.issue_server_cert(
            common_name=name,
            dns_names=[h for h in hosts if not _is_ip(h)],
            ip_addresses=[h for h in hosts if _is_ip(h)],
        )
        _write(files.key, pair.key_pem, mode=0o600)
        _write(files.cert, pair.cert_pem, mode=0o644)
    return dataclasses.replace(files, ca_pem=ca.cert_pem)


def kubeconfig(
    *, server: str, ca_pem: bytes, token: str, cluster: str, user: str, namespace: str | None = None
) -> dict[str, Any]:
    """A kubeconfig with one cluster, one token user and one context that is current."""
    context: dict[str, Any] = {"cluster": cluster, "user": user}
    if namespace is not None:
        context["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [
            {
                "name": cluster,
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode("ascii"),
                },
            }
        ],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": cluster, "context": context}],
        "current-context": cluster,
    }


def write_kubeconfig(path: Path, config: dict[str, Any]) -> None:
    """Write ``config`` as YAML, readable by its owner only: it holds a credential."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, yaml.safe_dump(config, sort_keys=False).encode("utf-8"), mode=0o600)


def _builder(
    *, subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, valid_days: int
) -> x509.CertificateBuilder:
    # Backdated a little so that a client whose clock lags slightly still accepts a fresh certificate.
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=valid_days))
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def _load_ca(files: ServingFiles) -> CertificateAuthority | None:
    try:
        ca = CertificateAuthority(cert_pem=files.ca_cert.read_bytes(), key_pem=files.ca_key.read_bytes())
        key = serialization.load_pem_private_key(ca.key_pem, password=None)
        cert = ca.certificate
    except (OSError, ValueError):
        return None
    if key.public_key() != cert.public_key() or not _fresh(cert):
        return None
    return ca


def _serving_cert_ok(files: ServingFiles, *, ca: CertificateAuthority, hosts: Sequence[str]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        key = serialization.load_pem_private_key(files.key.read_bytes(), password=None)
        cert.verify_directly_issued_by(ca.certificate)
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    covered = {*sans.get_values_for_type(x509.DNSName), *map(str, sans.get_values_for_type(x509.IPAddress))}
    wanted = {_canonical(h) for h in [*DEFAULT_DNS_NAMES, *DEFAULT_IP_ADDRESSES, *hosts]}
    return key.public_key() == cert.public_key() and _fresh(cert) and wanted <= covered


def _fresh(cert: x509.Certificate) -> bool:
    return cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC) > RENEW_BEFORE


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _canonical(host: str) -> str:
    return str(ipaddress.ip_address(host)) if _is_ip(host) else host


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(_canonical(i) for i in items))


def _write(path: Path, data: bytes, *, mode: int) -> None:
    # Written beside the target and renamed over it, so a reader never sees half a key; the mode is set at
    # creation, so a key is never readable by others, not even for a moment.
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as file:
        os.fchmod(fd, mode)  # O_CREAT's mode is masked by the umask and ignored for an existing file
        file.write(data)
    os.replace(tmp, path)
