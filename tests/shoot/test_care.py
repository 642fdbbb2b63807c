"""Gardener's care rules: thresholds (True -> Progressing -> False), the pardon while creating, and the reset
after a successful reconcile."""

from __future__ import annotations

from typing import Any

from shoot import care, conditions
from shoot.care import Check

NOW = 10_000.0
DONE = {"type": "Reconcile", "state": "Succeeded", "lastUpdateTime": conditions.timestamp(NOW - 3600)}
BROKEN = Check(care.CONTROL_PLANE, "False", "DeploymentUnhealthy", "Deployment kube-scheduler is unhealthy.")


def _status(status: str, *, since: float, reason: str = "ControlPlaneRunning", last: Any = DONE) -> dict[str, Any]:
    return {"lastOperation": last, "conditions": [{
        "type": care.CONTROL_PLANE, "status": status, "reason": reason, "message": "m",
        "lastTransitionTime": conditions.timestamp(since), "lastUpdateTime": conditions.timestamp(since)}]}


def _shown(status: dict[str, Any], check: Check, **thresholds: float | None) -> dict[str, Any]:
    found = care.next_conditions(status, [check], now=NOW, thresholds={care.CONTROL_PLANE: thresholds.get("t")})
    return next(c for c in found if c["type"] == care.CONTROL_PLANE)


def test_a_failure_without_threshold_is_false_at_once() -> None:
    assert _shown(_status("True", since=NOW - 5), BROKEN, t=None)["status"] == "False"


def test_a_failure_within_the_threshold_is_progressing_then_false() -> None:
    assert _shown(_status("True", since=NOW - 5), BROKEN, t=60.0)["status"] == "Progressing"
    assert _shown(_status("Progressing", since=NOW - 30), BROKEN, t=60.0)["status"] == "Progressing"
    assert _shown(_status("Progressing", since=NOW - 90), BROKEN, t=60.0)["status"] == "False"


def test_a_false_condition_is_pardoned_while_the_creation_runs() -> None:
    creating = {"type": "Create", "state": "Processing"}
    shown = _shown(_status("True", since=NOW - 5, last=creating), BROKEN, t=None)
    assert (shown["status"], shown["message"]) == ("Progressing", BROKEN.message)


def test_an_unchanged_condition_keeps_its_times() -> None:
    status = _status("True", since=NOW - 500, reason="ControlPlaneRunning")
    status["conditions"][0]["message"] = "all good"
    healthy = Check(care.CONTROL_PLANE, "True", "ControlPlaneRunning", "all good")
    assert _shown(status, healthy, t=None) == status["conditions"][0]


def test_after_a_success_every_condition_not_false_is_progressing() -> None:
    found = care.reset_after_success(_status("True", since=NOW - 5)["conditions"], now=NOW)
    assert {c["type"]: c["status"] for c in found} == dict.fromkeys(care.ORDER, "Progressing")
