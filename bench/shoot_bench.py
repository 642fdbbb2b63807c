"""Benchmark of shoot creation: ``kubectl apply`` of a shoot to ``Create Succeeded``, end to end.

A garden (HTTPS) and the local seed cluster (HTTPS, simulated pods, nodes and per-shoot APIs) run in this process,
the garden's controller loop in a thread, and two seed agents as their own processes (``hortus seed agent`` on the
embedded broker, 4 threads each). N shoots (Gardener's provider-local shoot, one worker) are created at once; each
one's time from creation to ``lastOperation`` Succeeded is taken from its status. The simulated delays are set to
``--delay`` seconds each (pod scheduling, image pull, container start, readiness, load balancer, volume binding);
the critical path is the longest chain of those delays through the reconcile flow's graph, so ``median / critical
path`` is the overhead of the orchestration (1.0 would be none).

Usage: ``.venv/bin/python -m bench.shoot_bench [--delays 0,1] [--shoots 1,50] [--agents 2]``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seed.flow import reconcile as flow
from seed.local.sim import Delays
from shoot import conditions
from tests.support import agents, fleet
from workers.settings import WorkerSettings

SEED = "l-eu"
JSON = dict[str, Any]


def delays(seconds: float) -> Delays:
    return dataclasses.replace(Delays.zero(), pod_scheduling=seconds, image_pull=seconds, container_start=seconds,
                               readiness=seconds, lb_provisioning=seconds, pvc_binding=seconds,
                               pod_termination=seconds)


def step_costs(d: Delays) -> dict[str, float]:
    """What each step of the reconcile flow waits for on the local seed, in simulated seconds."""
    return {flow.SERVICE: d.lb_provisioning, flow.ETCD: d.pvc_binding + d.pod_ready, flow.APISERVER: d.pod_ready,
            flow.CONTROLLER_MANAGER: d.pod_ready, flow.SCHEDULER: d.pod_ready, flow.WORKER: d.pod_ready,
            # The system components' pods (CoreDNS, CNI) start on the node once it is there.
            flow.HEALTH: d.pod_ready}


def critical_path(d: Delays) -> float:
    costs = step_costs(d)
    return flow.reconcile_flow().critical_path(lambda name: costs.get(name, 0.0))


@contextlib.contextmanager
def world(tmp: Path, d: Delays, agent_count: int) -> Iterator[Any]:
    with fleet.running_garden(tmp / "garden") as (garden_server, garden), \
            fleet.local_seed(tmp / "seed", delays=d) as (seed_server, _seed_api):
        fleet.add_seed(garden.service, SEED, provider="local", region="eu-1", pods="10.1.0.0/16",
                       services="10.2.0.0/16", capacity=1000, ready=False)
        kubeconfig = fleet.seed_kubeconfig(garden_server, garden, SEED, tmp / "agent.kubeconfig")
        settings = WorkerSettings(state_dir=tmp / "agents", broker_url="", lock_lease_seconds=15,
                                  heartbeat_interval=2.0, resync_interval=5.0, care_period=30.0)
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        with agents.agents() as started, agents.garden_loop(agents.controllers_for(garden.service, settings)):
            for i in range(agent_count):
                started.append(agents.start_agent(settings, seed=SEED, garden_kubeconfig=kubeconfig,
                                                  seed_kubeconfig=seed_server.kubeconfig, name=f"agent-{i}",
                                                  concurrency=4))
            yield garden


def _done_at(shoot: JSON) -> float | None:
    last = (shoot.get("status") or {}).get("lastOperation") or {}
    if last.get("type") == "Create" and last.get("state") == "Succeeded":
        return conditions.parse_timestamp(last.get("lastUpdateTime"))
    return None


def run(d_seconds: float, count: int, agent_count: int) -> JSON:
    d = delays(d_seconds)
    with tempfile.TemporaryDirectory() as tmp, world(Path(tmp), d, agent_count) as garden:
        rt = fleet._rt(garden.service, "shoots")
        agents.wait_for(lambda: _seed_ready(garden), timeout=120, what="the agents' heartbeat")
        names = [f"b{i}" for i in range(count)]
        created: dict[str, float] = {}
        for name in names:
            fleet.create_shoot(garden.service, fleet.shoot_manifest(name))
            created[name] = time.time()
        finished: dict[str, float] = {}

        def all_done() -> bool:
            for name in names:
                if name not in finished:
                    at = _done_at(garden.service.get(rt, "garden-local", name))
                    if at is not None:
                        finished[name] = time.time()
            return len(finished) == len(names)

        agents.wait_for(all_done, timeout=1800, what=f"{count} shoots", interval=0.2)
        took = [finished[n] - created[n] for n in names]
        return {"delay": d_seconds, "shoots": count, "median": statistics.median(took), "max": max(took),
                "all": max(finished.values()) - min(created.values()), "critical": critical_path(d)}


def _seed_ready(garden: Any) -> bool:
    seed = garden.service.get(fleet._rt(garden.service, "seeds"), "", SEED)
    found = conditions.find((seed.get("status") or {}).get("conditions"), "GardenletReady")
    return found is not None and found.get("status") == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--delays", default="0,1")
    parser.add_argument("--shoots", default="1,50")
    parser.add_argument("--agents", type=int, default=2)
    args = parser.parse_args()
    print(f"{'delay':>5} {'shoots':>6} {'median s':>9} {'max s':>7} {'all s':>7} {'critical s':>10} {'ratio':>6}")
    for d in (float(x) for x in args.delays.split(",")):
        for n in (int(x) for x in args.shoots.split(",")):
            r = run(d, n, args.agents)
            ratio = r["median"] / r["critical"] if r["critical"] else float("nan")
            print(f"{d:>5.1f} {n:>6} {r['median']:>9.1f} {r['max']:>7.1f} {r['all']:>7.1f} {r['critical']:>10.1f} "
                  f"{ratio:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
