"""The uniform status block of extension objects, as Gardener writes it, and JSON merge patches between states.

Used by ``extensions.driver`` (lastOperation, lastError, observedGeneration) and by actuators through the SDK
(conditions that keep their transition time while their status holds). ``merge_patch`` computes the RFC 7386
patch that turns one JSON value into another; ``seed.kube`` uses it to write a status exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from extensions.contract import JSON, Operation
from shoot.errors import ErrorCode

PROCESSING, SUCCEEDED, ERROR, FAILED = "Processing", "Succeeded", "Error", "Failed"
# Gardener's extension status updater: Processing is 1 %, an error 50 %, success 100 %.
_PROGRESS = {PROCESSING: 1, ERROR: 50, SUCCEEDED: 100, FAILED: 50}
_VERBS = {Operation.CREATE: "create", Operation.RECONCILE: "reconcile", Operation.DELETE: "delete",
          Operation.MIGRATE: "migrate", Operation.RESTORE: "restore"}


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def last_operation(operation: Operation, state: str, *, kind: str, description: str = "") -> JSON:
    """``lastOperation`` with Gardener's progress for ``state`` and a sentence naming what happens."""
    verb = _VERBS[operation]
    if not description:
        description = {PROCESSING: f"Processing the {verb} of the {kind}",
                       SUCCEEDED: f"Successfully completed the {verb} of the {kind}"}.get(
            state, f"The {verb} of the {kind} failed")
    return {"type": str(operation), "state": state, "progress": _PROGRESS.get(state, 1),
            "description": description, "lastUpdateTime": now()}


def last_error(description: str, codes: Iterable[ErrorCode | str] = ()) -> JSON:
    error: JSON = {"description": description, "lastUpdateTime": now()}
    found = sorted({str(c) for c in codes})
    if found:
        error["codes"] = found
    return error


def condition(kind: str, status: str, *, reason: str, message: str, codes: Iterable[ErrorCode | str] = (),
              old: Iterable[JSON] = ()) -> JSON:
    """A condition (``True``/``False``/``Unknown``/``Progressing``) whose ``lastTransitionTime`` stays while its
    status holds across calls (``old``: the conditions reported before)."""
    stamp = now()
    before = next((c for c in old if c.get("type") == kind), {})
    since = before.get("lastTransitionTime") if before.get("status") == status else None
    out: JSON = {"type": kind, "status": status, "reason": reason, "message": message,
                 "lastTransitionTime": since or stamp, "lastUpdateTime": stamp}
    found = sorted({str(c) for c in codes})
    if found:
        out["codes"] = found
    return out


def merge_patch(old: Any, new: Any) -> Any:
    """The RFC 7386 merge patch turning ``old`` into ``new`` (``{}`` when they are equal): removed keys become
    ``None``, changed objects are patched recursively, anything else is replaced."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    patch: JSON = {key: None for key in old if key not in new}
    for key, value in new.items():
        if key not in old:
            patch[key] = value
        elif old[key] != value:
            patch[key] = merge_patch(old[key], value) if isinstance(value, dict) else value
    return patch
