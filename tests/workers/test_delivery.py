"""Work reaches the seed reliably: agents killed mid-task, agents stopped, brokers restarted - on Redis and on the
embedded filesystem broker. Real agent processes, a real garden (HTTPS, seed identities) and the local seed cluster."""

from __future__ import annotations

import collections
import dataclasses
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apiserver.server import ApiServer
from seed.flow import reconcile as flow
from shoot import conditions
from tests.support import agents, fleet, servers
from workers.settings import WorkerSettings

SEED = "l-eu"
NAMESPACES = "core/namespaces"
LEASES = "coordination.k8s.io/leases"


@dataclasses.dataclass
class World:
    tmp: Path
    garden: ApiServer
    garden_server: servers.RunningServer
    seed_api: ApiServer
    seed_server: servers.RunningServer

    def register(self, seed: str, *, region: str = "eu-1", pods: str = "10.1.0.0/16",
                 services: str = "10.2.0.0/16") -> Path:
        fleet.add_seed(self.garden.service, seed, provider="local", region=region, pods=pods, services=services,
                       ready=False)
        return fleet.seed_kubeconfig(self.garden_server, self.garden, seed, self.tmp / f"{seed}.kubeconfig")

    def agent(self, settings: WorkerSettings, seed: str, name: str, concurrency: int = 2,
              faults: dict[str, str] | None = None) -> agents.Agent:
        return agents.start_agent(settings, seed=seed, garden_kubeconfig=self.tmp / f"{seed}.kubeconfig",
                                  seed_kubeconfig=self.seed_server.kubeconfig, name=name, concurrency=concurrency,
                                  faults=faults)

    def create(self, name: str) -> None:
        # Workerless: these tests are about delivering the work, which the smallest control plane shows as well.
        fleet.create_shoot(self.garden.service, fleet.workerless(fleet.shoot_manifest(name)))

    def shoot(self, name: str) -> dict[str, Any]:
        return self.garden.service.get(fleet._rt(self.garden.service, "shoots"), "garden-local", name)

    def succeeded(self, names: list[str]) -> int:
        return sum(1 for n in names if _state(self.shoot(n)) == ("Succeeded", True))

    def seed_ready(self, seed: str) -> str | None:
        obj = self.garden.service.get(fleet._rt(self.garden.service, "seeds"), "", seed)
        found = conditions.find((obj.get("status") or {}).get("conditions"), "GardenletReady")
        return None if found is None else str(found["status"])

    def namespace_creations(self) -> collections.Counter[str]:
        changes = self.seed_api.store.changes_since(0, limit=100_000)
        return collections.Counter(c.name for c in changes if c.resource == NAMESPACES and c.type == "ADDED")

    def lease_takeovers(self) -> list[str]:
        """Leases whose holder changed without a release: two agents would have overlapped unless it expired."""
        holders: dict[str, str] = {}
        taken = []
        for c in self.seed_api.store.changes_since(0, limit=100_000):
            if c.resource != LEASES:
                continue
            holder = (c.object.get("spec") or {}).get("holderIdentity", "")
            if c.type == "DELETED":
                holders.pop(c.name, None)
            elif c.type == "MODIFIED" and holders.get(c.name) not in (None, holder):
                taken.append(c.name)
                holders[c.name] = holder
            else:
                holders[c.name] = holder
        return taken


def _state(shoot: dict[str, Any]) -> tuple[str | None, bool]:
    status = shoot.get("status") or {}
    done = status.get("observedGeneration") == shoot["metadata"]["generation"]
    return (status.get("lastOperation") or {}).get("state"), done


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with fleet.running_garden(tmp_path / "garden") as (garden_server, garden), \
            fleet.local_seed(tmp_path / "seed") as (seed_server, seed_api):
        yield World(tmp_path, garden, garden_server, seed_api, seed_server)


@pytest.fixture(params=["redis", "embedded"])
def broker(request: pytest.FixtureRequest) -> str:
    if request.param == "redis":
        agents.redis_or_skip()
        return agents.REDIS_URL
    return ""


def test_an_agent_killed_while_holding_a_task_does_not_lose_the_work(world: World, broker: str) -> None:
    settings = agents.fast_settings(world.tmp, broker)
    world.register(SEED)
    with agents.agents() as started, agents.garden_loop(agents.controllers_for(world.garden.service, settings)):
        slow = world.agent(settings, SEED, "slow", faults=agents.pause_before(flow.NAMESPACE, 30.0))
        started.append(slow)
        agents.wait_for(lambda: world.seed_ready(SEED) == "True", timeout=30, what="the seed's heartbeat")
        world.create("crash")
        agents.wait_for(lambda: _state(world.shoot("crash"))[0] == "Processing", timeout=30,
                        what="the agent to start the task")
        slow.kill()
        started.append(world.agent(settings, SEED, "rescuer"))
        agents.wait_for(lambda: _state(world.shoot("crash")) == ("Succeeded", True), timeout=45,
                        what="the work to complete after the kill")
    shoot = world.shoot("crash")
    assert world.namespace_creations()["shoot--local--crash"] == 1
    assert shoot["status"]["lastOperation"]["type"] == "Create"
    assert shoot["metadata"]["finalizers"] == ["gardener"]


def test_a_stopped_agent_turns_its_seed_unknown_and_new_shoots_avoid_it(world: World) -> None:
    agents.redis_or_skip()
    settings = agents.fast_settings(world.tmp, agents.REDIS_URL)
    world.register(SEED)
    world.register("l-eu2", pods="10.3.0.0/16", services="10.4.0.0/16")
    with agents.agents() as started, agents.garden_loop(agents.controllers_for(world.garden.service, settings)):
        doomed = world.agent(settings, SEED, "doomed")
        started += [doomed, world.agent(settings, "l-eu2", "survivor")]
        agents.wait_for(lambda: world.seed_ready(SEED) == world.seed_ready("l-eu2") == "True", timeout=30,
                        what="both heartbeats")
        doomed.stop()
        agents.wait_for(lambda: world.seed_ready(SEED) == "Unknown", timeout=20, what="the seed to turn Unknown")
        names = [f"after-{i}" for i in range(4)]
        for name in names:
            world.create(name)
        agents.wait_for(lambda: world.succeeded(names) == len(names), timeout=30, what="the new shoots")
    assert {world.shoot(n)["spec"]["seedName"] for n in names} == {"l-eu2"}


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("kind", ["redis", "embedded"])
def test_pending_shoots_survive_a_broker_restart(world: World, kind: str) -> None:
    """Ten shoots (each a whole reconcile flow; fifty at once is bench/shoot_bench.py's job, far slower here)."""
    redis_server = agents.RedisServer(world.tmp) if kind == "redis" else None
    if redis_server is not None:
        redis_server.start()
    settings = agents.fast_settings(world.tmp, redis_server.url if redis_server else "")
    world.register(SEED)
    names = [f"s{i}" for i in range(10)]
    try:
        with agents.agents() as started, \
                agents.garden_loop(agents.controllers_for(world.garden.service, settings)) as loop:
            started += [world.agent(settings, SEED, "a1"), world.agent(settings, SEED, "a2")]
            agents.wait_for(lambda: world.seed_ready(SEED) == "True", timeout=30, what="the seed's heartbeat")
            for name in names:
                world.create(name)
            # Each shoot now runs the whole reconcile flow; the deadlines are generous for a busy 2-core CI machine.
            agents.wait_for(lambda: world.succeeded(names) >= 3, timeout=300, what="the first shoots")
            _restart(redis_server, settings)
            agents.wait_for(lambda: world.succeeded(names) == len(names), timeout=900, what="all 10 shoots",
                            interval=0.5)
            # The lost messages came back from the database, not from the broker.
            assert loop.dispatcher.sent > len(names)
    finally:
        if redis_server is not None:
            redis_server.kill()
    created = world.namespace_creations()
    assert all(created[f"shoot--local--{n}"] == 1 for n in names)
    assert world.lease_takeovers() == []


def _restart(redis_server: agents.RedisServer | None, settings: WorkerSettings) -> None:
    """Lose every queued message: kill Redis (no persistence) or empty the embedded broker's folder."""
    if redis_server is not None:
        redis_server.kill()
        time.sleep(1.0)
        redis_server.start()
        return
    queue = settings.broker_dir / "queue"
    shutil.rmtree(queue)
    queue.mkdir()
