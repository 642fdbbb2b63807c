"""A shoot's operation as Gardener reports it: its type, how a failed run ends, its lastErrors and descriptions,
and the ``shoot.gardener.cloud/status`` label. Pure; used by the seed agent (``seed.agent.reconcile``) and the
care task.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shoot import conditions
from shoot.errors import NON_RETRYABLE_CODES

JSON = dict[str, Any]
STATUS_LABEL = "shoot.gardener.cloud/status"
# Gardener's ``retryDuration``: a failing operation is retried this long before it turns Failed.
RETRY_DURATION = 12 * 3600.0
_NON_RETRYABLE = frozenset(str(c) for c in NON_RETRYABLE_CODES)


def operation_type(shoot: JSON) -> str:
    """Gardener's rule: Delete when deleting; Create until a Create succeeded; Reconcile afterwards."""
    if shoot["metadata"].get("deletionTimestamp"):
        return "Delete"
    last = (shoot.get("status") or {}).get("lastOperation") or {}
    if not last or (last.get("type") == "Create" and last.get("state") != "Succeeded"):
        return "Create"
    return "Reconcile"


def continues(shoot: JSON, op: str) -> bool:
    """Whether this run continues the operation the status shows (same type and generation, not finished):
    then the step records and the retry cycle carry over."""
    status = shoot.get("status") or {}
    last = status.get("lastOperation") or {}
    return (last.get("type") == op and last.get("state") in ("Processing", "Error")
            and status.get("observedGeneration") == shoot["metadata"].get("generation"))


def started_description(op: str) -> str:
    return {"Create": "Creation of Shoot cluster initialized.", "Delete": "Deletion of Shoot cluster in progress.",
            "Reconcile": "Reconciliation of Shoot cluster initialized."}.get(op, f"{op} of Shoot cluster initialized.")


def succeeded_description(op: str) -> str:
    return {"Create": "Shoot cluster has been successfully created.",
            "Delete": "Shoot cluster has been successfully deleted.",
            }.get(op, "Shoot cluster has been successfully reconciled.")


def task_error(task: str, message: str) -> str:
    return f'task "{task}" failed: {message}'


def last_errors(failures: Mapping[str, tuple[str, Sequence[str]]], *, now: float) -> list[JSON]:
    """One ``lastErrors`` entry per failed step: ``taskID`` is the step's name, codes as the step raised them."""
    out = []
    for task, (message, codes) in failures.items():
        entry: JSON = {"taskID": task, "description": task_error(task, message),
                       "lastUpdateTime": conditions.timestamp(now)}
        if codes:
            entry["codes"] = sorted(set(codes))
        out.append(entry)
    return out


def failed_for_good(codes: Iterable[str], *, cycle_start: float | None, now: float,
                    retry_duration: float = RETRY_DURATION) -> bool:
    """Failed (no more retries until ``gardener.cloud/operation=retry``) on a non-retryable code, or once the
    retry window since the start of the retry cycle has passed; otherwise the operation is in Error and retried."""
    if any(code in _NON_RETRYABLE for code in codes):
        return True
    return cycle_start is not None and now - cycle_start >= retry_duration


def error_description(flow: str, failures: Mapping[str, str], *, final: bool) -> str:
    errors = ", ".join(task_error(task, message) for task, message in failures.items())
    text = f'Flow "{flow}" encountered task errors: [{errors}]'
    return text if final else f"{text} Operation will be retried."


def backoff(attempt: int, *, base: float = 5.0, cap: float = 300.0) -> float:
    """Seconds before retrying an operation in Error for the ``attempt``-th time (doubling, capped)."""
    return float(min(cap, base * 2 ** max(attempt - 1, 0)))


_RANK = {"healthy": 0, "progressing": 1, "unknown": 2, "unhealthy": 3}
_BY_STATUS = {"True": "healthy", "Progressing": "progressing", "Unknown": "unknown"}


def status_label(status: Mapping[str, Any]) -> str:
    """Gardener's ``shoot.gardener.cloud/status``: the worst of the conditions and of the last operation."""
    last = status.get("lastOperation") or {}
    if not last:
        return "healthy"
    has_errors = bool(status.get("lastErrors"))
    if last.get("type") == "Delete" or (last.get("type") == "Create" and last.get("state") != "Succeeded"):
        return "unhealthy" if has_errors else "healthy"
    found = [_BY_STATUS.get(str(c.get("status")), "unhealthy") for c in status.get("conditions") or ()]
    if last.get("state") == "Processing":
        found.append("unhealthy" if has_errors else "healthy")
    else:
        found.append("healthy" if last.get("state") == "Succeeded" else "unhealthy")
    return max(found, key=_RANK.__getitem__)
