"""Gardener's shoot care rules, pure: from what the checks found to the five health conditions as they are shown.

Used by the seed agent's care task (``seed.agent.care``), which gathers the checks from the seed and the shoot's
API. A failing check goes through Gardener's ``FailedCondition`` with the configured thresholds (True ->
Progressing -> False), and while a creation is still running a False is shown as Progressing ("pardon").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from shoot import conditions

JSON = dict[str, Any]
API_SERVER = "APIServerAvailable"
CONTROL_PLANE = "ControlPlaneHealthy"
OBSERVABILITY = "ObservabilityComponentsHealthy"
NODES = "EveryNodeReady"
SYSTEM = "SystemComponentsHealthy"
ORDER = (API_SERVER, CONTROL_PLANE, OBSERVABILITY, NODES, SYSTEM)
# Gardener's gardenlet ``conditionThresholds`` (seconds) from its example configuration.
THRESHOLDS: Mapping[str, float] = {API_SERVER: 60.0, CONTROL_PLANE: 60.0, OBSERVABILITY: 60.0, NODES: 300.0,
                                   SYSTEM: 60.0}


@dataclasses.dataclass(frozen=True)
class Check:
    """What one health check found: ``True`` with the healthy reason, or ``False``/``Unknown`` with the problem."""

    type: str
    status: str
    reason: str
    message: str
    codes: tuple[str, ...] = ()


def _parse(value: Any) -> float | None:
    return conditions.parse_timestamp(value)


def failed_status(old: Mapping[str, Any] | None, check: Check, *, threshold: float | None,
                  last_operation: Mapping[str, Any], now: float) -> str:
    """Gardener's ``FailedCondition``: the status a failing check leads to, given the condition shown before."""
    current = str((old or {}).get("status") or "Unknown")
    op_succeeded_recently = (last_operation.get("state") == "Succeeded" and threshold is not None and
                             (updated := _parse(last_operation.get("lastUpdateTime"))) is not None
                             and now - updated <= threshold)
    if current == "True":
        return "False" if threshold is None else "Progressing"
    if current == "Progressing":
        if threshold is None:
            return "False"
        since = _parse((old or {}).get("lastTransitionTime"))
        if op_succeeded_recently or (since is not None and now - since <= threshold):
            return "Progressing"
        return "False"
    recovering = op_succeeded_recently or (old or {}).get("reason") != check.reason
    if current == "False" and threshold is not None and recovering:
        return "Progressing"
    return "False"


def pardoned(status: Mapping[str, Any]) -> bool:
    """Whether a False is shown as Progressing: no operation yet, a Create or Delete still running, or a run in
    Processing without errors."""
    last = status.get("lastOperation") or {}
    if not last:
        return True
    if last.get("type") in ("Create", "Delete") and last.get("state") != "Succeeded":
        return True
    return last.get("state") == "Processing" and not status.get("lastErrors")


def next_conditions(status: Mapping[str, Any], checks: Sequence[Check], *, now: float,
                    thresholds: Mapping[str, float | None] = THRESHOLDS) -> list[JSON]:
    """The shoot's conditions after ``checks``, in Gardener's order, others (constraints, extensions') kept."""
    found = list(status.get("conditions") or [])
    last = status.get("lastOperation") or {}
    for check in sorted(checks, key=lambda c: ORDER.index(c.type) if c.type in ORDER else len(ORDER)):
        old = conditions.find(found, check.type)
        if check.status == "True":
            shown = "True"
        elif check.status == "Unknown":
            shown = "Unknown"
        else:
            shown = failed_status(old, check, threshold=thresholds.get(check.type), last_operation=last, now=now)
            if shown == "False" and pardoned(status):
                shown = "Progressing"
        if old is not None and (old.get("status"), old.get("reason"), old.get("message"),
                                tuple(old.get("codes") or ())) == (shown, check.reason, check.message, check.codes):
            continue  # unchanged: the times stay, and nothing needs writing
        found = conditions.with_condition(found, kind=check.type, status=shown, reason=check.reason,
                                          message=check.message, now=now)
        if check.codes:
            found = [{**c, "codes": list(check.codes)} if c.get("type") == check.type else c for c in found]
        else:
            found = [{k: v for k, v in c.items() if k != "codes"} if c.get("type") == check.type else c
                     for c in found]
    order = {t: i for i, t in enumerate(ORDER)}
    return sorted(found, key=lambda c: order.get(str(c.get("type")), len(ORDER)))


def reset_after_success(found: Sequence[Mapping[str, Any]], *, now: float) -> list[JSON]:
    """After a successful reconcile Gardener shows every health condition that is not False as Progressing."""
    out: list[JSON] = [dict(c) for c in found]
    for kind in ORDER:
        old = conditions.find(out, kind)
        if old is None:
            out = conditions.with_condition(out, kind=kind, status="Progressing", reason="ConditionInitialized",
                                            message="The condition has been initialized but its semantic check "
                                                    "has not been performed yet.", now=now)
        elif old.get("status") != "False":
            out = conditions.with_condition(out, kind=kind, status="Progressing", reason=str(old.get("reason")),
                                            message=str(old.get("message")), now=now)
    return out
