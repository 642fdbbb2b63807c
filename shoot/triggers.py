"""When a shoot needs its seed to act: Gardener's reconcile triggers as a pure function of the Shoot.

Used by the garden's dispatcher (to send work) and by the seed agent (to drop messages whose work is done).
"""

from __future__ import annotations

from typing import Any

from shoot import conditions

JSON = dict[str, Any]
OPERATION = "gardener.cloud/operation"
# Gardener's ``controllers.shoot.syncPeriod``: every shoot is reconciled at least this often.
SYNC_PERIOD = 3600.0


def pending_reason(shoot: JSON, *, now: float, sync_period: float = SYNC_PERIOD) -> str | None:
    """``deletion``, ``generation``, ``operation``, ``retry`` or ``periodic``; None when nothing is to do."""
    md = shoot["metadata"]
    status = shoot.get("status") or {}
    if md.get("deletionTimestamp"):
        return "deletion"
    if int(md.get("generation", 1)) > int(status.get("observedGeneration") or 0):
        return "generation"
    if (md.get("annotations") or {}).get(OPERATION):
        return "operation"
    last = status.get("lastOperation") or {}
    state = last.get("state")
    if state == "Failed":
        return None  # Gardener waits for ``gardener.cloud/operation=retry`` or a spec change
    if state != "Succeeded":
        return "retry"
    updated = conditions.parse_timestamp(last.get("lastUpdateTime"))
    if updated is None or now - updated >= sync_period:
        return "periodic"
    return None


def technical_id(shoot: JSON) -> str:
    """``shoot--<project>--<name>``: the control-plane namespace on the seed (``status.technicalID`` once set)."""
    known = (shoot.get("status") or {}).get("technicalID")
    if known:
        return str(known)
    md = shoot["metadata"]
    namespace = md.get("namespace") or "garden"
    project = "garden" if namespace == "garden" else namespace.removeprefix("garden-")
    return f"shoot--{project}--{md['name']}"
