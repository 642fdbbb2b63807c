"""``hortus seed local`` and ``create_local_seed``: a kubeconfig kubectl uses as it is (HTTPS, own CA, admin
token), state that survives a restart, clean stops, the system namespaces, and refused strangers."""

from __future__ import annotations

import gc
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client

from apiserver.server import ApiServer
from seed.local.server import SYSTEM_NAMESPACES, create_local_seed
from tests.e2e.kubectl import KUBECTL, Kubectl
from tests.support import databases, servers
from tests.support.servers import RunningServer

pytestmark = pytest.mark.kubectl


def _start(state: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hortus.cli", "seed", "local", "--state-dir", str(state), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_until_serving(k: Kubectl) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if k.kubeconfig.exists() and k("get", "ns").returncode == 0:
            return
        time.sleep(0.3)
    raise AssertionError("hortus seed local did not start serving")


def _stop(proc: subprocess.Popen[str], sig: int) -> str:
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=20)
    return out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "ctrl-c"])
def test_seed_local_serves_kubectl_keeps_state_and_stops_cleanly(tmp_path: Path, sig: int) -> None:
    if not Path(KUBECTL).exists():
        databases.unavailable("kubectl", f"{KUBECTL} is not installed")  # skips, or fails under CI=true
    state, port = tmp_path / "state", servers.free_port()
    kubectl = Kubectl(kubeconfig=state / "seed-local.kubeconfig", workdir=tmp_path / "kubectl")
    proc = _start(state, port)
    try:
        _wait_until_serving(kubectl)
        created = kubectl("create", "configmap", "kept", "-n", "kube-system", "--from-literal=a=b")
        assert created.returncode == 0, created.stderr
    finally:
        out = _stop(proc, sig)
    assert proc.returncode == 0, out
    assert f"https://127.0.0.1:{port}" in out and str(kubectl.kubeconfig) in out
    config = yaml.safe_load(kubectl.kubeconfig.read_text())
    assert config["clusters"][0]["cluster"]["server"] == f"https://127.0.0.1:{port}"
    assert "certificate-authority-data" in config["clusters"][0]["cluster"]
    assert oct(kubectl.kubeconfig.stat().st_mode & 0o777) == "0o600"
    assert {"seed-local.db", "seed-local-ca.crt", "seed-local.crt"} <= {p.name for p in state.iterdir()}

    proc = _start(state, port)
    try:
        _wait_until_serving(kubectl)
        got = kubectl("get", "configmap", "kept", "-n", "kube-system", "-o", "jsonpath={.data.a}")
        assert got.stdout == "b"
        assert yaml.safe_load(kubectl.kubeconfig.read_text())["users"][0]["user"]["token"] == (
            config["users"][0]["user"]["token"])
    finally:
        _stop(proc, signal.SIGTERM)


def test_starts_with_the_system_namespaces_and_the_kubernetes_service(api_client: Any) -> None:
    core = client.CoreV1Api(api_client)
    names = {ns.metadata.name for ns in core.list_namespace().items}
    assert set(SYSTEM_NAMESPACES) <= names
    service = core.read_namespaced_service("kubernetes", "default")
    assert service.spec.cluster_ip == "10.96.0.1"


def test_refuses_a_wrong_token(seed: tuple[RunningServer, ApiServer], tmp_path: Path) -> None:
    server, _api = seed
    context = ssl.create_default_context(cafile=str(tmp_path / "seed-local-ca.crt"))
    request = urllib.request.Request(f"{server.url}/api/v1/namespaces", headers={"Authorization": "Bearer wrong"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, context=context, timeout=5)
    assert refused.value.code == 401
    refused.value.close()


def test_without_a_state_dir_it_uses_a_temporary_database() -> None:
    app, api = create_local_seed(None, token="t")
    database = Path(api.store.engine.url.database or "")
    assert database.exists()
    assert api.registry.get("apps", "v1", "deployments") is not None
    del app
    gc.collect()
    assert not database.parent.exists()
