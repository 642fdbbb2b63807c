"""Changes to a shoot's metadata in the garden: the ``gardener`` finalizer, the handled operation annotation and the
``shoot.gardener.cloud/status`` label.

Used by ``seed.agent.flows`` and ``seed.agent.care``. Each patch is computed from the shoot as last read and pinned
to its resourceVersion; on a conflict the shoot is read again and the change recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from seed.agent.garden import GardenClient, GardenError
from shoot import errors, operation, triggers

JSON = dict[str, Any]
FINALIZER = "gardener"


def ensure_finalizer(garden: GardenClient, shoot: JSON) -> JSON:
    def add(current: JSON) -> JSON | None:
        finalizers = list(current["metadata"].get("finalizers") or [])
        return None if FINALIZER in finalizers else {"finalizers": [*finalizers, FINALIZER]}

    return patch(garden, shoot, add) or shoot


def remove_finalizer(garden: GardenClient, shoot: JSON) -> None:
    def remove(current: JSON) -> JSON | None:
        finalizers = list(current["metadata"].get("finalizers") or [])
        if FINALIZER not in finalizers:
            return None
        return {"finalizers": [f for f in finalizers if f != FINALIZER] or None}

    patch(garden, shoot, remove)


def clear_operation(garden: GardenClient, shoot: JSON) -> None:
    """Gardener removes a handled ``gardener.cloud/operation`` annotation after the run."""
    def clear(current: JSON) -> JSON | None:
        has = (current["metadata"].get("annotations") or {}).get(triggers.OPERATION)
        return {"annotations": {triggers.OPERATION: None}} if has else None

    patch(garden, shoot, clear)


def set_status_label(garden: GardenClient, shoot: JSON, status: JSON) -> None:
    """``shoot.gardener.cloud/status`` from ``status`` (what was just written), when it changed."""
    wanted = operation.status_label(status)

    def label(current: JSON) -> JSON | None:
        if (current["metadata"].get("labels") or {}).get(operation.STATUS_LABEL) == wanted:
            return None
        return {"labels": {operation.STATUS_LABEL: wanted}}

    patch(garden, shoot, label)


def patch(garden: GardenClient, shoot: JSON, changes: Callable[[JSON], JSON | None]) -> JSON | None:
    """A metadata merge patch pinned to the version it was computed from; re-read and retried on conflicts.

    Returns the patched shoot, or None when no change was needed or the shoot is gone.
    """
    md = shoot["metadata"]
    current: JSON | None = shoot
    for _ in range(5):
        if current is None:
            return None
        change = changes(current)
        if change is None:
            return current
        change["resourceVersion"] = current["metadata"]["resourceVersion"]
        try:
            return garden.patch_shoot(md["namespace"], md["name"], {"metadata": change})
        except GardenError as exc:
            if exc.status == 404:
                return None  # the last finalizer went and the shoot with it
            if exc.status != 409:
                raise
        current = garden.get_shoot(md["namespace"], md["name"])
    raise errors.TemporaryError(f"{md['namespace']}/{md['name']} kept changing", delay=1.0)
