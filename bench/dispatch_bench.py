"""Benchmark of dispatch: tasks/s from a committed shoot change to the seed worker that receives its message.

N shoots bound to one seed are committed in the garden database while the garden's controller loop follows the
change log and publishes ``reconcile_shoot`` messages; a seed-role worker process (4 threads) records when each
arrives. Runs on Redis (``redis://127.0.0.1:6379/14``, flushed) and on the embedded filesystem broker.

Usage: ``.venv/bin/python -m bench.dispatch_bench [--shoots 500] [--broker redis|embedded|both]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from apiserver.context import system_context
from garden import bootstrap, seeds
from garden.app import create_app
from garden.controllers.loop import GardenControllers, LoopSettings
from garden.settings import GardenSettings
from shoot import conditions
from workers import tasks
from workers.app import make_celery, seed_queue
from workers.settings import WorkerSettings

REDIS = "redis://127.0.0.1:6379/14"
SEED = "bench"


def worker(broker: str, state_dir: Path, out: Path) -> None:
    """The receiving side: a seed-role app whose reconcile task only records uid and arrival time."""
    app = make_celery(WorkerSettings(state_dir=state_dir, broker_url=broker), role="seed", seed_name=SEED)
    lock = threading.Lock()

    @app.task(name=tasks.RECONCILE)  # type: ignore[untyped-decorator]
    def record(*, uid: str, generation: int, namespace: str, name: str) -> None:
        with lock, out.open("a") as f:
            f.write(f"{uid} {time.time()}\n")

    app.Worker(queues=[seed_queue(SEED)], pool="threads", concurrency=4, without_mingle=True, without_gossip=True,
               without_heartbeat=True, loglevel="WARNING").start()


def run(kind: str, shoots: int) -> None:
    if kind == "redis":
        import redis

        redis.Redis.from_url(REDIS).flushdb()
    broker = REDIS if kind == "redis" else ""
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        settings = WorkerSettings(state_dir=state, broker_url=broker)
        _app, api = create_app(GardenSettings(state_dir=state))
        service = api.service
        bootstrap.ensure_local(service)
        manifest = seeds.seed_manifest(SEED, provider="local", region="local", zones=["0"], pods="10.1.0.0/16",
                                       services="10.2.0.0/16")
        seed = seeds.register(service, manifest, capacity=shoots + 10)
        seed["status"]["conditions"] = conditions.with_condition(None, kind="GardenletReady", status="True",
                                                                 reason="Bench", message="", now=time.time())
        seeds_rt = service.registry.by_key("core.gardener.cloud/seeds")
        assert seeds_rt is not None
        service.update(seeds_rt, "", SEED, seed, system_context(), subresource="status")
        out = state / "received.txt"
        out.touch()
        proc = subprocess.Popen([sys.executable, "-m", "bench.dispatch_bench", "--worker", "--broker-url", broker,
                                 "--state-dir", str(state), "--out", str(out)])
        try:
            _measure(api, settings, out, shoots=shoots, kind=kind)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            api.store.engine.dispose()


def _measure(api: object, settings: WorkerSettings, out: Path, *, shoots: int, kind: str) -> None:
    from apiserver.server import ApiServer

    assert isinstance(api, ApiServer)
    controllers = GardenControllers(api.service, tasks.sender(make_celery(settings, role="garden")),
                                    settings=LoopSettings(resync_interval=3600))
    controllers.resync()
    time.sleep(3.0)  # the worker process starts
    rt = api.service.registry.by_key("core.gardener.cloud/shoots")
    assert rt is not None
    import yaml

    base = yaml.safe_load(Path("tests/data/gardener-examples/provider-local/shoot.yaml").read_text())
    base["spec"]["networking"].update(pods="100.96.0.0/11", services="100.64.0.0/13")
    base["spec"]["seedName"] = SEED
    backlog = shoots // 2
    for i in range(backlog):  # a backlog committed while the dispatcher was not running
        api.service.create(rt, "garden-local", {**base, "metadata": {"name": f"pre{i}", "namespace": "garden-local"}},
                           system_context())
    drain_start = time.time()
    controllers.follow()
    while len(out.read_text().splitlines()) < backlog and time.time() < drain_start + 120:
        time.sleep(0.02)
    drained = len(out.read_text().splitlines())
    print(f"{kind:>8}: backlog of {backlog} committed changes -> worker: {drained / (time.time() - drain_start):,.0f}"
          " tasks/s")
    out.write_text("")
    stop = threading.Event()
    loop = threading.Thread(target=_follow, args=(controllers, stop), daemon=True)
    committed: dict[str, float] = {}
    loop.start()
    start = time.time()
    for i in range(shoots):
        body = {**base, "metadata": {"name": f"b{i}", "namespace": "garden-local"}}
        created = api.service.create(rt, "garden-local", body, system_context())
        committed[created["metadata"]["uid"]] = time.time()
    commit_done = time.time()
    deadline = time.time() + 120
    while len(out.read_text().splitlines()) < shoots and time.time() < deadline:
        time.sleep(0.05)
    stop.set()
    loop.join()
    arrivals = {uid: float(at) for uid, at in (line.split() for line in out.read_text().splitlines())}
    latencies = [arrivals[u] - committed[u] for u in committed if u in arrivals]
    last = max(arrivals.values())
    p50, p99 = statistics.median(latencies) * 1000, statistics.quantiles(latencies, n=100)[98] * 1000
    print(f"{kind:>8}: live, {len(arrivals)}/{shoots} received; commits {shoots / (commit_done - start):,.0f}/s; "
          f"commit->worker {len(arrivals) / (last - start):,.0f} tasks/s end to end; latency p50 {p50:.0f} ms, "
          f"p99 {p99:.0f} ms")


def _follow(controllers: GardenControllers, stop: threading.Event) -> None:
    while not stop.is_set():
        controllers.follow()
        stop.wait(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoots", type=int, default=500)
    parser.add_argument("--broker", choices=("redis", "embedded", "both"), default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--broker-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--state-dir", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.broker_url, args.state_dir, args.out)
        return
    for kind in ("redis", "embedded") if args.broker == "both" else (args.broker,):
        run(kind, args.shoots)


if __name__ == "__main__":
    main()
