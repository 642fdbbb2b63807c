"""Seed agents as real processes, dedicated redis-servers, and the garden's controller loop in a thread.

Used by the delivery tests in ``tests/workers``: agents run ``tests.support.agent_main`` (``hortus seed agent`` with
fault injection) in their own process group so a test can SIGKILL a whole worker; the garden loop publishes
through a garden-role Celery app.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import redis

from apiserver.service import ResourceService
from garden.controllers.loop import GardenControllers
from tests.support import databases, servers
from workers import garden as garden_role
from workers import tasks
from workers.app import make_celery
from workers.settings import WorkerSettings

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("HORTUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def fast_settings(state_dir: Path, broker_url: str, **overrides: float) -> WorkerSettings:
    """Every timeout shortened so that redelivery, resends and heartbeats happen within seconds."""
    fast = WorkerSettings(state_dir=state_dir, broker_url=broker_url, task_time_limit=5.0, visibility_timeout=6.0,
                          unacked_restore_interval=1.0, resend_after=8.0, resync_interval=1.0,
                          heartbeat_interval=0.5, lock_lease_seconds=3, monitor_period=3.0, error_backoff=0.5,
                          care_period=1.0, condition_threshold=-1, nodes_condition_threshold=-1)
    return fast.model_copy(update=overrides)


def env_for(settings: WorkerSettings, *, faults: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for field in ("task_time_limit", "visibility_timeout", "unacked_restore_interval", "resend_after",
                  "heartbeat_interval", "lock_lease_seconds", "sync_period", "error_backoff", "care_period",
                  "condition_threshold", "nodes_condition_threshold"):
        env[f"HORTUS_{field.upper()}"] = str(getattr(settings, field))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(faults or {})
    return env


def pause_before(step: str, seconds: float) -> dict[str, str]:
    """Fault injection for ``start_agent``: the agent sleeps ``seconds`` before running ``step``."""
    return {"HORTUS_TEST_PAUSE_BEFORE": step, "HORTUS_TEST_PAUSE_SECONDS": str(seconds)}


def redis_or_skip(url: str = REDIS_URL) -> redis.Redis:
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        databases.unavailable("Redis", exc)
    client.flushdb()
    return client


class Agent:
    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def kill(self) -> None:
        """SIGKILL the whole worker (its process group): no warm shutdown, nothing acknowledged."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_agent(settings: WorkerSettings, *, seed: str, garden_kubeconfig: Path, seed_kubeconfig: Path,
                name: str, concurrency: int = 2, faults: dict[str, str] | None = None) -> Agent:
    """``hortus seed agent`` in its own process group, with ``faults`` (``pause_before``) injected."""
    log = settings.state_dir / f"{name}.log"
    command = [sys.executable, "-m", "tests.support.agent_main", "--seed", seed,
               "--garden-kubeconfig", str(garden_kubeconfig), "--seed-kubeconfig", str(seed_kubeconfig),
               "--state-dir", str(settings.state_dir), "--concurrency", str(concurrency)]
    if settings.broker_url:
        command += ["--broker", settings.broker_url]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   env=env_for(settings, faults=faults), start_new_session=True)
    return Agent(process, log)


@contextlib.contextmanager
def agents() -> Iterator[list[Agent]]:
    started: list[Agent] = []
    try:
        yield started
    finally:
        for agent in started:
            agent.stop()


@contextlib.contextmanager
def garden_loop(controllers: GardenControllers, *, interval: float = 0.1) -> Iterator[GardenControllers]:
    """Step the garden's controllers in a thread (what ``hortus up`` runs in its event loop)."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            with contextlib.suppress(Exception):  # a failed round is retried, as in the real loop
                controllers.step()
            stop.wait(interval)

    thread = threading.Thread(target=run, name="garden-loop", daemon=True)
    thread.start()
    try:
        yield controllers
    finally:
        stop.set()
        thread.join(timeout=10)


def controllers_for(service: ResourceService, settings: WorkerSettings) -> GardenControllers:
    app = make_celery(settings, role="garden")
    return GardenControllers(service, tasks.sender(app), settings=garden_role.loop_settings(settings))


class RedisServer:
    """A dedicated ``redis-server`` without persistence on a free port: a restart loses every message."""

    def __init__(self, directory: Path) -> None:
        if shutil.which("redis-server") is None:
            databases.unavailable("redis-server", "not installed")
        self.directory = directory
        self.port = servers.free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _pings(self.url), timeout=10, what="redis-server to start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url).ping())
    except redis.RedisError:
        return False


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
