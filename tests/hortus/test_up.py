"""``hortus up`` as a user runs it: state in one directory, a kubeconfig kubectl uses as it is, clean stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.support import servers

pytestmark = pytest.mark.kubectl


def _start(state: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hortus.cli", "up", "--state-dir", str(state), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _kubectl(kubeconfig: Path, *args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "KUBECACHEDIR": str(cache)})


def _wait_for_kubectl(kubeconfig: Path, cache: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if kubeconfig.exists() and _kubectl(kubeconfig, "get", "ns", cache=cache).returncode == 0:
            return
        time.sleep(0.3)
    raise AssertionError("hortus up did not start serving")


def _stop(proc: subprocess.Popen[str], sig: int) -> str:
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=20)
    return out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "ctrl-c"])
def test_up_serves_kubectl_keeps_state_and_stops_cleanly(tmp_path: Path, sig: int) -> None:
    state, port, cache = tmp_path / "state", servers.free_port(), tmp_path / "cache"
    proc = _start(state, port)
    kubeconfig = state / "garden.kubeconfig"
    try:
        _wait_for_kubectl(kubeconfig, cache)
        created = _kubectl(kubeconfig, "create", "namespace", "team-a", "--dry-run=client", "-o", "yaml", cache=cache)
        applied = subprocess.run(
            ["kubectl", "--kubeconfig", str(kubeconfig), "apply", "-f", "-"], input=created.stdout,
            capture_output=True, text=True, timeout=60, env={**os.environ, "KUBECACHEDIR": str(cache)})
        assert applied.returncode == 0, applied.stderr
    finally:
        out = _stop(proc, sig)
    assert proc.returncode == 0, out
    assert f"https://127.0.0.1:{port}" in out and str(kubeconfig) in out
    kept = {p.name for p in state.iterdir()}
    assert {"garden.db", "garden.kubeconfig", "garden-ca.crt", "garden-ca.key", "garden.crt", "garden.key",
            "operator-token.sha256", "encryption-keys", "broker", "seed-local.db", "seed-local.kubeconfig",
            "seed-local-ca.crt", "seeds", "logs"} <= kept
    for secret_file in ("garden.kubeconfig", "garden-ca.key", "garden.key", "encryption-keys",
                        "seed-local.kubeconfig", "seed-local-ca.key"):
        assert oct((state / secret_file).stat().st_mode & 0o777) == "0o600", secret_file
    config = yaml.safe_load(kubeconfig.read_text())
    token = config["users"][0]["user"]["token"]
    assert token not in (state / "operator-token.sha256").read_text()

    proc = _start(state, port)
    try:
        _wait_for_kubectl(kubeconfig, cache)
        got = _kubectl(kubeconfig, "get", "namespace", "team-a", "-o", "name", cache=cache)
        assert got.stdout.strip() == "namespace/team-a"
        assert yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]["token"] == token
    finally:
        _stop(proc, signal.SIGTERM)


def test_db_upgrade_migrates_to_the_newest_revision(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "hortus.cli", "db", "upgrade", "--state-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "database at revision 0003" in result.stdout
    assert (tmp_path / "garden.db").exists()


def test_up_runs_gardeners_local_shoot_on_the_local_seed(tmp_path: Path) -> None:
    """The README's first command, end to end: Gardener's provider-local shoot is scheduled to the local seed,
    dispatched to its agent, and its control-plane namespace appears on the local seed cluster."""
    state, port, cache = tmp_path / "state", servers.free_port(), tmp_path / "cache"
    proc = _start(state, port)
    kubeconfig = state / "garden.kubeconfig"
    shoot = Path(__file__).resolve().parents[1] / "data" / "gardener-examples" / "provider-local" / "shoot.yaml"
    try:
        _wait_for_kubectl(kubeconfig, cache)
        applied = _kubectl(kubeconfig, "apply", "-f", str(shoot), cache=cache)
        assert applied.stdout.strip() == "shoot.core.gardener.cloud/local created", applied.stderr
        waited = _kubectl(kubeconfig, "wait", "-n", "garden-local", "shoot/local", "--timeout=60s",
                          "--for=jsonpath={.status.lastOperation.state}=Succeeded", cache=cache)
        assert waited.returncode == 0, waited.stderr
        got = _kubectl(kubeconfig, "get", "shoot", "local", "-n", "garden-local", "-o",
                       "jsonpath={.spec.seedName} {.status.lastOperation.type} {.status.observedGeneration}",
                       cache=cache)
        assert got.stdout.split()[:2] == ["local", "Create"]
        seed_ns = _kubectl(state / "seed-local.kubeconfig", "get", "namespace", "shoot--local--local", "-o", "name",
                           cache=cache)
        assert seed_ns.stdout.strip() == "namespace/shoot--local--local", seed_ns.stderr
    finally:
        out = _stop(proc, signal.SIGTERM)
    assert proc.returncode == 0, out
