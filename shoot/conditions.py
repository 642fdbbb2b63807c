"""Gardener conditions and timestamps as plain dicts: set one condition, read one, parse a wire timestamp.

Pure; used by the garden's controllers (``Scheduled``, ``GardenletReady``) and by the seed agent (heartbeat,
shoot status). A condition keeps ``lastTransitionTime`` while its status stays the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

JSON = dict[str, Any]
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def timestamp(at: float) -> str:
    """A Kubernetes ``metav1.Time`` (whole seconds, UTC) for a POSIX time."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime(_FORMAT)


def parse_timestamp(text: Any) -> float | None:
    """POSIX seconds of a wire timestamp (``2024-05-01T10:00:00Z``, fractions allowed), None if unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


def find(conditions: Sequence[Mapping[str, Any]] | None, kind: str) -> Mapping[str, Any] | None:
    for condition in conditions or ():
        if condition.get("type") == kind:
            return condition
    return None


def with_condition(
    conditions: Sequence[Mapping[str, Any]] | None, *, kind: str, status: str, reason: str, message: str, now: float
) -> list[JSON]:
    """``conditions`` with ``kind`` set; ``lastTransitionTime`` moves only when the status changes."""
    old = find(conditions, kind)
    stamp = timestamp(now)
    transition = old.get("lastTransitionTime", stamp) if old is not None and old.get("status") == status else stamp
    new = {"type": kind, "status": status, "reason": reason, "message": message,
           "lastTransitionTime": transition, "lastUpdateTime": stamp}
    out = [new if c.get("type") == kind else dict(c) for c in conditions or ()]
    return out if old is not None else [*out, new]
