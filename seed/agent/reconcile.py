"""The reconcile task body: one shoot, re-read from the garden, reconciled into its seed under a per-shoot lock.

``reconcile_shoot`` is called by the Celery adapter (``workers.tasks``) with ids only. It drops messages that are
stale (a newer generation exists), not for this seed, or already done; takes the shoot's lock; then either
creates the control-plane namespace ``shoot--<project>--<name>`` and reports ``lastOperation`` (Create or
Reconcile, Processing -> Succeeded) and ``observedGeneration`` through ``shoots/status``, or - for a shoot being
deleted - removes that namespace and then the shoot's ``gardener`` finalizer. Every step is idempotent.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from seed.agent.garden import GardenClient, GardenError
from seed.agent.lock import LockBusy, ShootLock
from seed.kube import KubeError, SeedKube
from shoot import conditions, triggers

JSON = dict[str, Any]
FINALIZER = "gardener"


class TemporaryError(Exception):
    """The work could not finish now; retry after ``delay`` seconds (kopf's vocabulary)."""

    def __init__(self, message: str, *, delay: float = 5.0) -> None:
        super().__init__(message)
        self.delay = delay


@dataclasses.dataclass(frozen=True)
class Agent:
    """Who reconciles: the seed, this agent's identity, and the clients it acts through."""

    seed: str
    identity: str
    garden: GardenClient
    kube: SeedKube
    lock: ShootLock
    sync_period: float = triggers.SYNC_PERIOD
    # Fault injection and demos: pause after reporting Processing.
    pause: float = 0.0
    delete_timeout: float = 30.0
    clock: Callable[[], float] = time.time


def reconcile_shoot(agent: Agent, *, uid: str, generation: int, namespace: str, name: str) -> str:
    """Do the work the message asks for; returns what happened (``reconciled``, ``deleted``, ``stale``, ...)."""
    skip = _skip_reason(agent, _read(agent, namespace, name), uid=uid, generation=generation)
    if skip:
        return skip
    try:
        with agent.lock.hold(f"{namespace}.{name}"):
            # Re-read under the lock: another agent may have finished this very work a moment ago.
            shoot = _read(agent, namespace, name)
            skip = _skip_reason(agent, shoot, uid=uid, generation=generation)
            if skip or shoot is None:
                return skip or "gone"
            if shoot["metadata"].get("deletionTimestamp"):
                return _delete(agent, shoot)
            return _reconcile(agent, shoot)
    except LockBusy as exc:
        raise TemporaryError(str(exc), delay=2.0) from None
    except (GardenError, KubeError) as exc:
        raise TemporaryError(f"{namespace}/{name}: {exc}") from None


def _read(agent: Agent, namespace: str, name: str) -> JSON | None:
    try:
        return agent.garden.get_shoot(namespace, name)
    except GardenError as exc:
        if exc.status == 403:
            return None  # no longer scheduled to this seed: the seed may not even read it
        raise


def _skip_reason(agent: Agent, shoot: JSON | None, *, uid: str, generation: int) -> str:
    if shoot is None or shoot["metadata"].get("uid") != uid:
        return "gone"
    if int(shoot["metadata"].get("generation", 1)) != generation:
        return "stale"  # the dispatcher sends the newer generation on its own
    if (shoot.get("spec") or {}).get("seedName") != agent.seed:
        return "not-ours"
    if triggers.pending_reason(shoot, now=agent.clock(), sync_period=agent.sync_period) is None:
        return "done"
    return ""


def _reconcile(agent: Agent, shoot: JSON) -> str:
    namespace, name = shoot["metadata"]["namespace"], shoot["metadata"]["name"]
    shoot = _ensure_finalizer(agent, shoot)
    op = operation_type(shoot)
    technical = triggers.technical_id(shoot)
    _report(agent, shoot, op=op, state="Processing", progress=0, description=f"{op} of the shoot started",
            extra={"technicalID": technical, "uid": shoot["metadata"]["uid"]})
    if agent.pause:
        time.sleep(agent.pause)
    agent.kube.ensure_namespace(technical, labels={"gardener.cloud/role": "shoot",
                                                   "shoot.gardener.cloud/name": name,
                                                   "project.gardener.cloud/namespace": namespace})
    _report(agent, shoot, op=op, state="Succeeded", progress=100, description=f"Shoot cluster {op.lower()}d",
            extra={"observedGeneration": shoot["metadata"]["generation"], "seedName": agent.seed,
                   "lastErrors": None})
    _clear_operation(agent, shoot)
    return "reconciled"


def _delete(agent: Agent, shoot: JSON) -> str:
    if FINALIZER not in (shoot["metadata"].get("finalizers") or []):
        return "deleted"  # nothing of ours to clean up
    technical = triggers.technical_id(shoot)
    _report(agent, shoot, op="Delete", state="Processing", progress=0, description="Deletion of the shoot started")
    agent.kube.delete_namespace(technical)
    deadline = agent.clock() + agent.delete_timeout
    while agent.kube.get_namespace(technical) is not None:
        if agent.clock() > deadline:
            raise TemporaryError(f"namespace {technical} is still terminating", delay=5.0)
        time.sleep(0.2)
    _report(agent, shoot, op="Delete", state="Succeeded", progress=100, description="Shoot cluster deleted")
    _remove_finalizer(agent, shoot)
    return "deleted"


def operation_type(shoot: JSON) -> str:
    """Gardener's rule: Delete when deleting; Create until a Create succeeded; Reconcile afterwards."""
    if shoot["metadata"].get("deletionTimestamp"):
        return "Delete"
    last = (shoot.get("status") or {}).get("lastOperation") or {}
    if not last or (last.get("type") == "Create" and last.get("state") != "Succeeded"):
        return "Create"
    return "Reconcile"


def _report(agent: Agent, shoot: JSON, *, op: str, state: str, progress: int, description: str,
            extra: JSON | None = None) -> None:
    now = conditions.timestamp(agent.clock())
    status: JSON = {
        "lastOperation": {"type": op, "state": state, "progress": progress, "description": description,
                          "lastUpdateTime": now},
        "gardener": {"id": agent.identity, "name": agent.identity},
        **(extra or {}),
    }
    md = shoot["metadata"]
    agent.garden.patch_shoot(md["namespace"], md["name"], {"status": status}, subresource="status")


def _ensure_finalizer(agent: Agent, shoot: JSON) -> JSON:
    def add(current: JSON) -> JSON | None:
        finalizers = list(current["metadata"].get("finalizers") or [])
        return None if FINALIZER in finalizers else {"finalizers": [*finalizers, FINALIZER]}

    return _patch_metadata(agent, shoot, add) or shoot


def _remove_finalizer(agent: Agent, shoot: JSON) -> None:
    def remove(current: JSON) -> JSON | None:
        finalizers = list(current["metadata"].get("finalizers") or [])
        if FINALIZER not in finalizers:
            return None
        return {"finalizers": [f for f in finalizers if f != FINALIZER] or None}

    _patch_metadata(agent, shoot, remove)


def _clear_operation(agent: Agent, shoot: JSON) -> None:
    """Gardener removes a handled ``gardener.cloud/operation`` annotation after the reconcile."""
    def clear(current: JSON) -> JSON | None:
        has = (current["metadata"].get("annotations") or {}).get(triggers.OPERATION)
        return {"annotations": {triggers.OPERATION: None}} if has else None

    _patch_metadata(agent, shoot, clear)


def _patch_metadata(agent: Agent, shoot: JSON, changes: Callable[[JSON], JSON | None]) -> JSON | None:
    """A metadata merge patch pinned to the version it was computed from; re-read and retried on conflicts.

    Returns the patched shoot, or None when no change was needed or the shoot is gone.
    """
    md = shoot["metadata"]
    current: JSON | None = shoot
    for _ in range(5):
        if current is None:
            return None
        patch = changes(current)
        if patch is None:
            return current
        patch["resourceVersion"] = current["metadata"]["resourceVersion"]
        try:
            return agent.garden.patch_shoot(md["namespace"], md["name"], {"metadata": patch})
        except GardenError as exc:
            if exc.status == 404:
                return None  # the last finalizer went and the shoot with it
            if exc.status != 409:
                raise
        current = agent.garden.get_shoot(md["namespace"], md["name"])
    raise TemporaryError(f"{md['namespace']}/{md['name']} kept changing")
