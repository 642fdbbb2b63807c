"""The reconcile task body against a real garden (HTTPS, seed identity) and a seed cluster, without Celery."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apiserver.context import system_context
from apiserver.server import ApiServer
from garden.controllers import scheduling
from seed.agent import reconcile
from seed.agent.garden import GardenClient
from seed.agent.lock import ShootLock
from seed.kube import SeedKube
from tests.support import fleet

SEED = "l-eu"


class World:
    def __init__(self, garden: ApiServer, seed_api: ApiServer, agent: reconcile.Agent) -> None:
        self.garden = garden
        self.seed_api = seed_api
        self.agent = agent

    def shoot(self, name: str) -> dict[str, Any]:
        return self.garden.service.get(fleet._rt(self.garden.service, "shoots"), "garden-local", name)

    def namespace_names(self) -> list[str]:
        rt = self.seed_api.registry.get("", "v1", "namespaces")
        assert rt is not None
        return [n["metadata"]["name"] for n in self.seed_api.service.list(rt, None).items]

    def run(self, name: str) -> str:
        shoot = self.shoot(name)
        md = shoot["metadata"]
        return reconcile.reconcile_shoot(self.agent, uid=md["uid"], generation=md["generation"],
                                         namespace=md["namespace"], name=md["name"])


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with fleet.running_garden(tmp_path / "garden") as (garden_server, garden), \
            fleet.seed_cluster(tmp_path / "seed") as (seed_server, seed_api):
        fleet.add_seed(garden.service, SEED, provider="local", region="eu-1", pods="10.1.0.0/16",
                       services="10.2.0.0/16", now=time.time())
        client = GardenClient(fleet.seed_kubeconfig(garden_server, garden, SEED, tmp_path / "agent.kubeconfig"))
        kube = SeedKube(seed_server.kubeconfig)
        lock = ShootLock(kube, holder="agent-1", lease_seconds=5)
        lock.ensure_namespace()
        yield World(garden, seed_api, reconcile.Agent(seed=SEED, identity="agent-1", garden=client, kube=kube,
                                                      lock=lock))
        client.close()
        kube.close()


def _scheduled(world: World, name: str) -> None:
    fleet.create_shoot(world.garden.service, fleet.shoot_manifest(name))
    scheduling.SchedulerController(world.garden.service).schedule_pending()


def test_creates_the_control_plane_namespace_and_reports_success(world: World) -> None:
    _scheduled(world, "crazy")
    assert world.run("crazy") == "reconciled"
    shoot = world.shoot("crazy")
    assert "shoot--local--crazy" in world.namespace_names()
    last = shoot["status"]["lastOperation"]
    assert (last["type"], last["state"], last["progress"]) == ("Create", "Succeeded", 100)
    assert shoot["status"]["observedGeneration"] == shoot["metadata"]["generation"]
    assert shoot["status"]["technicalID"] == "shoot--local--crazy"
    assert shoot["metadata"]["finalizers"] == ["gardener"]


def test_drops_a_duplicate_once_the_work_is_done(world: World) -> None:
    _scheduled(world, "dup")
    assert world.run("dup") == "reconciled"
    assert world.run("dup") == "done"


def test_drops_a_stale_generation(world: World) -> None:
    _scheduled(world, "stale")
    md = world.shoot("stale")["metadata"]
    outcome = reconcile.reconcile_shoot(world.agent, uid=md["uid"], generation=md["generation"] - 1,
                                        namespace="garden-local", name="stale")
    assert outcome == "stale"
    assert "shoot--local--stale" not in world.namespace_names()


def test_second_reconcile_is_of_type_reconcile(world: World) -> None:
    _scheduled(world, "again")
    world.run("again")
    shoots = fleet._rt(world.garden.service, "shoots")
    shoot = world.shoot("again")
    shoot["metadata"].setdefault("annotations", {})["gardener.cloud/operation"] = "reconcile"
    world.garden.service.update(shoots, "garden-local", "again", shoot, system_context())
    assert world.run("again") == "reconciled"
    assert world.shoot("again")["status"]["lastOperation"]["type"] == "Reconcile"


def test_deletion_removes_the_namespace_and_then_the_finalizer(world: World) -> None:
    _scheduled(world, "gone")
    world.run("gone")
    shoots = fleet._rt(world.garden.service, "shoots")
    shoot = world.shoot("gone")
    shoot["metadata"].setdefault("annotations", {})["confirmation.gardener.cloud/deletion"] = "true"
    world.garden.service.update(shoots, "garden-local", "gone", shoot, system_context())
    world.garden.service.delete(shoots, "garden-local", "gone", system_context())
    assert world.run("gone") == "deleted"
    assert "shoot--local--gone" not in world.namespace_names()
    assert world.garden.store.get(shoots.key, "garden-local", "gone") is None


def test_refuses_work_while_another_agent_holds_the_lock(world: World) -> None:
    _scheduled(world, "busy")
    other = ShootLock(world.agent.kube, holder="agent-2", lease_seconds=30)
    with other.hold("garden-local.busy"), pytest.raises(reconcile.TemporaryError, match="agent-2"):
        world.run("busy")
    assert world.run("busy") == "reconciled"
