"""A seed agent SIGKILLed again and again while it creates ten shoots: every shoot still ends Succeeded, and the
seed holds exactly one of each object (no duplicated machines, control planes or namespaces).

Real agent processes on the embedded broker, a real garden and the local seed cluster; the kills fall at random
moments of the flows (a seeded random, printed on failure)."""

from __future__ import annotations

import collections
import random
import time
from pathlib import Path

from extensions.local.worker import MACHINE_LABEL
from tests.support import agents, fleet

SEED = "l-eu"
SHOOTS = [f"k{i}" for i in range(10)]


def test_ten_creations_survive_an_agent_killed_at_random_points(tmp_path: Path) -> None:
    chance = random.Random(20261203)
    settings = agents.fast_settings(tmp_path, "")
    with fleet.running_garden(tmp_path / "garden") as (garden_server, garden), \
            fleet.local_seed(tmp_path / "seed") as (seed_server, seed_api):
        fleet.add_seed(garden.service, SEED, provider="local", region="eu-1", pods="10.1.0.0/16",
                       services="10.2.0.0/16", ready=False)
        kubeconfig = fleet.seed_kubeconfig(garden_server, garden, SEED, tmp_path / "agent.kubeconfig")
        shoots = fleet._rt(garden.service, "shoots")

        def succeeded() -> int:
            done = 0
            for name in SHOOTS:
                status = garden.service.get(shoots, "garden-local", name).get("status") or {}
                last = status.get("lastOperation") or {}
                done += last.get("type") == "Create" and last.get("state") == "Succeeded"
            return done

        def start(n: int) -> agents.Agent:
            return agents.start_agent(settings, seed=SEED, garden_kubeconfig=kubeconfig,
                                      seed_kubeconfig=seed_server.kubeconfig, name=f"agent-{n}", concurrency=4)

        with agents.agents() as started, agents.garden_loop(agents.controllers_for(garden.service, settings)):
            started.append(start(0))
            for name in SHOOTS:
                fleet.create_shoot(garden.service, fleet.shoot_manifest(name))
            kills = 0
            while kills < 6 and succeeded() < len(SHOOTS):
                time.sleep(chance.uniform(1.0, 6.0))  # a random moment of the flows, not a wait for anything
                started[-1].kill()
                kills += 1
                started.append(start(kills))
            agents.wait_for(lambda: succeeded() == len(SHOOTS), timeout=600, interval=1.0,
                            what=f"all shoots Succeeded after {kills} kills")

        for name in SHOOTS:
            namespace = f"shoot--local--{name}"
            created = collections.Counter(
                (c.resource, c.name) for c in seed_api.store.changes_since(0, limit=1_000_000)
                if c.type == "ADDED" and c.namespace in (namespace, "") and
                (c.namespace == namespace or c.name == namespace))
            agent_made = {k: v for k, v in created.items()
                          if not k[0].startswith(("core/pods", "core/events", "apps/replicasets",
                                                  "core/persistentvolumeclaims", "core/endpoints",
                                                  "discovery.k8s.io/"))}
            assert all(v == 1 for v in agent_made.values()), {k: v for k, v in agent_made.items() if v > 1}
            pods = seed_api.service.list(seed_api.registry.get("", "v1", "pods"), namespace,  # type: ignore[arg-type]
                                         label_selector=MACHINE_LABEL).items
            assert len(pods) == 1, [p["metadata"]["name"] for p in pods]
