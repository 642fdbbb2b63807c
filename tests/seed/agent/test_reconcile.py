"""The reconcile task body against a real garden (HTTPS, seed identity) and the local seed cluster, without Celery:
which messages it drops, the lock, and the operation types."""

from __future__ import annotations

from typing import Any

import pytest

from seed.agent import reconcile
from seed.agent.lock import ShootLock
from shoot import errors
from tests.seed.agent.conftest import World


def test_drops_a_duplicate_once_the_work_is_done(world: World) -> None:
    world.create("dup")
    assert world.drive("dup") == "reconciled"
    assert world.run("dup") == "done"


def test_drops_a_stale_generation(world: World) -> None:
    md = world.create("stale")["metadata"]
    outcome = reconcile.reconcile_shoot(world.agent, uid=md["uid"], generation=md["generation"] - 1,
                                        namespace="garden-local", name="stale")
    assert outcome == "stale"
    assert world.seed_objects("shoot--local--stale") == []


def test_a_forced_reconcile_is_of_type_reconcile(world: World) -> None:
    world.create("again")
    world.drive("again")

    def annotate(shoot: dict[str, Any]) -> None:
        shoot["metadata"].setdefault("annotations", {})["gardener.cloud/operation"] = "reconcile"

    world.update_shoot("again", annotate)
    assert world.drive("again") == "reconciled"
    shoot = world.shoot("again")
    assert shoot["status"]["lastOperation"]["type"] == "Reconcile"
    assert "gardener.cloud/operation" not in (shoot["metadata"].get("annotations") or {})


def test_refuses_work_while_another_agent_holds_the_lock(world: World) -> None:
    world.create("busy")
    other = ShootLock(world.agent.kube, holder="agent-2", lease_seconds=30)
    with other.hold("garden-local.busy"), pytest.raises(errors.TemporaryError, match="agent-2"):
        world.run("busy")
    assert world.drive("busy") == "reconciled"
