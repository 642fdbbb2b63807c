"""Benchmark of the local seed cluster's simulation: N namespaces x M Deployments x R replicas reach ready.

Runs the local seed cluster in-process (its simulation and CRD controller as the app would run them), creates
the namespaces and Deployments through the ``ResourceService`` and waits until every Deployment reports all
replicas available. Prints the wall time, the ideal time (the configured delays on one Pod's critical path:
scheduling + image pull + container start + readiness), the simulation's overhead against it, the write rate,
and the server's resident memory (VmRSS / VmHWM from /proc).

Usage: ``.venv/bin/python -m bench.local_seed_bench [--namespaces 100] [--deployments 10] [--replicas 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

from apiserver.context import system_context
from apiserver.server import ApiServer
from seed.local.server import create_local_seed
from seed.local.sim import Delays

JSON = dict[str, Any]


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MiB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def deployment(name: str, replicas: int) -> JSON:
    return {"metadata": {"name": name}, "spec": {
        "replicas": replicas, "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}}}


def create_all(api: ApiServer, *, namespaces: int, deployments: int, replicas: int) -> None:
    ns_type, deploy_type = api.registry.get("", "v1", "namespaces"), api.registry.get("apps", "v1", "deployments")
    assert ns_type is not None and deploy_type is not None
    for n in range(namespaces):
        api.service.create(ns_type, "", {"metadata": {"name": f"bench-{n}"}}, system_context())
        for d in range(deployments):
            api.service.create(deploy_type, f"bench-{n}", deployment(f"app-{d}", replicas), system_context())


def ready_count(api: ApiServer, replicas: int) -> int:
    items, _ = api.store.list("apps/deployments", None)
    return sum(1 for d in items if (d.get("status") or {}).get("availableReplicas") == replicas
               and (d.get("status") or {}).get("updatedReplicas") == replicas)


async def run(args: argparse.Namespace) -> None:
    delays = Delays.zero() if args.zero_delays else Delays()
    total = args.namespaces * args.deployments
    with tempfile.TemporaryDirectory(prefix="hortus-seed-bench-") as state:
        _app, api = create_local_seed(Path(state), token="bench", delays=delays)
        tasks = [asyncio.create_task(job()) for job in api.background]
        rss_before = rss_mib()[0]
        rv_before = api.store.current_rv()
        start = time.monotonic()
        try:
            await anyio.to_thread.run_sync(lambda: create_all(api, namespaces=args.namespaces,
                                                              deployments=args.deployments, replicas=args.replicas))
            created = time.monotonic() - start
            while (done := await anyio.to_thread.run_sync(lambda: ready_count(api, args.replicas))) < total:
                if time.monotonic() - start > args.timeout:
                    raise SystemExit(f"timed out: {done}/{total} Deployments ready")
                await asyncio.sleep(0.25)
            wall = time.monotonic() - start
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        writes = api.store.current_rv() - rv_before
        rss, peak = rss_mib()
        api.store.engine.dispose()
    ideal = delays.pod_ready
    pods = total * args.replicas
    print(f"{args.namespaces} namespaces x {args.deployments} Deployments x {args.replicas} replicas "
          f"= {total} Deployments, {pods} Pods")
    print(f"delays: {delays}")
    print(f"created all objects in   {created:8.2f} s")
    print(f"all Deployments ready in {wall:8.2f} s (wall, from the first create)")
    print(f"ideal (critical path)    {ideal:8.2f} s -> overhead {wall - ideal:.2f} s "
          f"({(wall - ideal) / pods * 1000:.2f} ms per Pod)")
    print(f"writes (resourceVersions) {writes} -> {writes / wall:.0f} writes/s, {writes / pods:.1f} per Pod")
    print(f"server RSS: {rss:.0f} MiB now, {peak:.0f} MiB peak (before the objects: {rss_before:.0f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--namespaces", type=int, default=100)
    parser.add_argument("--deployments", type=int, default=10)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--zero-delays", action="store_true", help="measure the pure simulation cost")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
