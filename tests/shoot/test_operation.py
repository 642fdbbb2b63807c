"""A shoot operation's bookkeeping: its type, when a failure is final, lastErrors, and the status label."""

from __future__ import annotations

from typing import Any

import pytest

from shoot import operation


def _shoot(last: Any = None, *, deleting: bool = False, **status: Any) -> dict[str, Any]:
    md: dict[str, Any] = {"name": "s", "generation": 2}
    if deleting:
        md["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    return {"metadata": md, "status": {"lastOperation": last, **status} if last else status}


@pytest.mark.parametrize(("shoot", "expected"), [
    (_shoot(), "Create"),
    (_shoot({"type": "Create", "state": "Error"}), "Create"),
    (_shoot({"type": "Create", "state": "Succeeded"}), "Reconcile"),
    (_shoot({"type": "Create", "state": "Succeeded"}, deleting=True), "Delete"),
])
def test_operation_type_follows_gardener(shoot: dict[str, Any], expected: str) -> None:
    assert operation.operation_type(shoot) == expected


def test_a_non_retryable_code_or_the_end_of_the_window_fails_for_good() -> None:
    assert operation.failed_for_good(["ERR_INFRA_UNAUTHENTICATED"], cycle_start=0, now=1)
    assert not operation.failed_for_good(["ERR_RETRYABLE_INFRA_DEPENDENCIES"], cycle_start=0, now=1)
    assert operation.failed_for_good([], cycle_start=0, now=operation.RETRY_DURATION)


def test_last_errors_name_the_task_and_its_codes() -> None:
    errors = operation.last_errors({"Deploying etcd": ("no volume", ["ERR_INFRA_RESOURCES_DEPLETED"])}, now=0)
    assert errors == [{"taskID": "Deploying etcd", "description": 'task "Deploying etcd" failed: no volume',
                       "codes": ["ERR_INFRA_RESOURCES_DEPLETED"], "lastUpdateTime": "1970-01-01T00:00:00Z"}]


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [operation.backoff(n) for n in (1, 2, 3, 10)] == [5.0, 10.0, 20.0, 300.0]


@pytest.mark.parametrize(("status", "label"), [
    ({}, "healthy"),
    ({"lastOperation": {"type": "Create", "state": "Processing"}}, "healthy"),
    ({"lastOperation": {"type": "Create", "state": "Error"}, "lastErrors": [{}]}, "unhealthy"),
    ({"lastOperation": {"type": "Reconcile", "state": "Succeeded"},
      "conditions": [{"status": "True"}, {"status": "Progressing"}]}, "progressing"),
    ({"lastOperation": {"type": "Reconcile", "state": "Succeeded"}, "conditions": [{"status": "False"}]},
     "unhealthy"),
])
def test_the_status_label_is_the_worst_of_conditions_and_operation(status: dict[str, Any], label: str) -> None:
    assert operation.status_label(status) == label
