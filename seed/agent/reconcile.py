"""The reconcile task body: one shoot, re-read from the garden, reconciled into its seed under a per-shoot lock.

``reconcile_shoot`` is called by the Celery adapter (``workers.tasks``) with ids only. It drops messages that are
stale (a newer generation exists), not for this seed, or already done; takes the shoot's lock; re-reads and
re-checks under it; then runs the shoot's reconcile or delete flow (``seed.agent.flows``). Work that must wait or be
retried ends in a ``TemporaryError`` with the delay after which the task runs again.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any

from extensions.registry import Registry
from seed.agent import flows
from seed.agent.garden import GardenClient, GardenError, Reads
from seed.agent.lock import LockBusy, ShootLock
from seed.agent.shoot_access import ShootAccess
from seed.flow.components import Components
from seed.flow.engine import Hook
from seed.kube import KubeApi, KubeError, SeedKube
from shoot import care, errors, operation, triggers

JSON = dict[str, Any]
# The retry intent the task adapter understands (``delay`` seconds); the flows' own vocabulary.
TemporaryError = errors.TemporaryError


@dataclasses.dataclass(frozen=True)
class Agent:
    """Who reconciles: the seed, this agent's identity, and the clients and renderers it acts through."""

    seed: str
    identity: str
    garden: GardenClient
    kube: SeedKube
    lock: ShootLock
    api: KubeApi
    access: ShootAccess
    registry: Registry
    components: Components
    sync_period: float = triggers.SYNC_PERIOD
    retry_duration: float = operation.RETRY_DURATION
    # The first delay before an operation in Error runs again; it doubles per failed attempt (up to 5 minutes).
    error_backoff: float = 5.0
    thresholds: Mapping[str, float | None] = dataclasses.field(default_factory=lambda: dict(care.THRESHOLDS))
    flow_workers: int = 8
    clock: Callable[[], float] = time.time
    reads: Reads = dataclasses.field(default_factory=Reads)
    # Called before each step with its name (the tests' fault injection goes through it; production sets none).
    hook: Hook | None = None


def reconcile_shoot(agent: Agent, *, uid: str, generation: int, namespace: str, name: str) -> str:
    """Do the work the message asks for; returns what happened (``reconciled``, ``deleted``, ``stale``, ...)."""
    try:
        skip = _skip_reason(agent, _read(agent, namespace, name), uid=uid, generation=generation)
        if skip:
            return skip
        with agent.lock.hold(f"{namespace}.{name}") as holding:
            # Re-read under the lock: another agent may have finished this very work a moment ago.
            shoot = _read(agent, namespace, name)
            skip = _skip_reason(agent, shoot, uid=uid, generation=generation)
            if skip or shoot is None:
                return skip or "gone"
            return flows.run(agent, shoot, holding)
    except LockBusy as exc:
        raise TemporaryError(str(exc), delay=1.0) from None
    except (GardenError, KubeError) as exc:
        raise TemporaryError(f"{namespace}/{name}: {exc}", delay=2.0) from None
    except errors.PermanentError as exc:  # outside any step (reading what the flow needs): retried like an Error
        raise TemporaryError(f"{namespace}/{name}: {exc.message}", delay=agent.error_backoff) from None


def _read(agent: Agent, namespace: str, name: str) -> JSON | None:
    try:
        return agent.garden.get_shoot(namespace, name)
    except GardenError as exc:
        if exc.status == 403:
            return None  # no longer scheduled to this seed: the seed may not even read it
        raise


def _skip_reason(agent: Agent, shoot: JSON | None, *, uid: str, generation: int) -> str:
    if shoot is None:
        return "gone"
    md = shoot["metadata"]
    if md.get("uid") != uid:
        return "gone"
    if int(md.get("generation", 1)) != generation:
        return "stale"  # the dispatcher sends the newer generation on its own
    if (shoot.get("spec") or {}).get("seedName") != agent.seed:
        return "not-ours"
    if triggers.pending_reason(shoot, now=agent.clock(), sync_period=agent.sync_period) is None:
        return "done"
    return ""
