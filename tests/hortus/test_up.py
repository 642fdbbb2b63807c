"""``hortus up`` as a user runs it: state in one directory, a kubeconfig kubectl uses as it is, clean stops."""

from __future__ import annotations

import os
import signal
import socket
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
    deadline = time.monotonic() + 120  # generous: CI is a busy 2-core machine
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
    assert "ERROR" not in out and "Traceback" not in out, out  # idle connections do not hold the shutdown
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


def _seed_ready(kubeconfig: Path, cache: Path) -> bool:
    got = _kubectl(kubeconfig, "get", "seed", "local", "-o",
                   "jsonpath={.status.conditions[?(@.type=='GardenletReady')].status}", cache=cache)
    return got.stdout.strip() == "True"


def _wait_seed_ready(kubeconfig: Path, cache: Path) -> None:
    deadline = time.monotonic() + 60
    while not _seed_ready(kubeconfig, cache):
        assert time.monotonic() < deadline, "seed local never became Ready"
        time.sleep(0.5)


def test_a_second_up_on_a_directory_in_use_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    state, port, cache = tmp_path / "state", servers.free_port(), tmp_path / "cache"
    first = _start(state, port)
    kubeconfig = state / "garden.kubeconfig"
    try:
        _wait_for_kubectl(kubeconfig, cache)
        _wait_seed_ready(kubeconfig, cache)
        before = {p.name: p.read_bytes() for p in state.iterdir() if p.is_file() and ".db" not in p.name}
        agent_token = (state / "seeds" / "local.kubeconfig").read_bytes()
        second = subprocess.run([sys.executable, "-m", "hortus.cli", "up", "--state-dir", str(state),
                                 "--port", str(servers.free_port())], capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert f"state directory {state} is in use by process {first.pid} (hortus up)" in second.stderr
        assert "Traceback" not in second.stderr and second.stdout == ""
        after = {p.name: p.read_bytes() for p in state.iterdir() if p.is_file() and ".db" not in p.name}
        assert after == before
        assert (state / "seeds" / "local.kubeconfig").read_bytes() == agent_token
        # The first keeps working: its agent's token was not revoked, so its heartbeats keep the seed Ready.
        assert _kubectl(kubeconfig, "get", "ns", cache=cache).returncode == 0
        _wait_renewed_after(kubeconfig, cache, _heartbeat(kubeconfig, cache))
        assert _seed_ready(kubeconfig, cache)
    finally:
        _stop(first, signal.SIGTERM)
    assert first.returncode == 0


def _heartbeat(kubeconfig: Path, cache: Path) -> str:
    got = _kubectl(kubeconfig, "get", "seed", "local", "-o",
                   "jsonpath={.status.conditions[?(@.type=='GardenletReady')].lastUpdateTime}", cache=cache)
    return got.stdout.strip()


def _wait_renewed_after(kubeconfig: Path, cache: Path, previous: str) -> None:
    deadline = time.monotonic() + 90
    while _heartbeat(kubeconfig, cache) in ("", previous):
        assert time.monotonic() < deadline, "the seed agent's heartbeat stopped"
        time.sleep(0.5)


def test_a_taken_port_is_refused_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "hortus.cli", "up", "--state-dir", str(tmp_path / "state"),
                                 "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"hortus up: address 127.0.0.1:{port} is already in use; choose another with --port"


def _descendants(pid: int) -> set[int]:
    """Every process whose chain of parents leads to ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigkill_of_up_leaves_no_hortus_process_behind(tmp_path: Path) -> None:
    state, port, cache = tmp_path / "state", servers.free_port(), tmp_path / "cache"
    proc = _start(state, port)
    kubeconfig = state / "garden.kubeconfig"
    try:
        _wait_for_kubectl(kubeconfig, cache)
        _wait_seed_ready(kubeconfig, cache)  # the seed agent runs and heartbeats
        children = _descendants(proc.pid)
        assert children, "hortus up runs its seed agent as a child process"
    finally:
        proc.kill()
        proc.communicate(timeout=20)
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in children):
        assert time.monotonic() < deadline, f"left behind: {[p for p in children if _alive(p)]}"
        time.sleep(0.1)
    # The lock went with the process: the directory can be used again at once.
    again = _start(state, port)
    try:
        _wait_for_kubectl(kubeconfig, cache)
    finally:
        _stop(again, signal.SIGTERM)
    assert again.returncode == 0
