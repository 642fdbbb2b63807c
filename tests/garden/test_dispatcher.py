"""The dispatcher's decisions: which shoots need work, one message per (uid, generation), re-sends, broker down."""

from __future__ import annotations

from typing import Any

import pytest

from garden.controllers import dispatch
from shoot import conditions

NOW = 1_800_000_000.0


def shoot(*, generation: int = 2, observed: int | None = 1, seed: str | None = "s1", state: str | None = "Succeeded",
          updated: float = NOW - 60, deleting: bool = False, operation: str | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"name": "a", "namespace": "garden-p", "uid": "u1", "generation": generation}
    if deleting:
        md["deletionTimestamp"] = conditions.timestamp(NOW)
    if operation:
        md["annotations"] = {"gardener.cloud/operation": operation}
    status: dict[str, Any] = {}
    if observed is not None:
        status["observedGeneration"] = observed
    if state:
        status["lastOperation"] = {"type": "Reconcile", "state": state, "lastUpdateTime": conditions.timestamp(updated)}
    return {"metadata": md, "spec": {"seedName": seed} if seed else {}, "status": status}


@pytest.mark.parametrize(("obj", "reason"), [
    (shoot(), "generation"),
    (shoot(generation=1), None),
    (shoot(generation=1, deleting=True), "deletion"),
    (shoot(generation=1, operation="maintain"), "operation"),
    (shoot(generation=1, state="Error"), "retry"),
    (shoot(generation=1, state="Failed"), None),
    (shoot(generation=1, updated=NOW - 3600), "periodic"),
    (shoot(observed=None, state=None), "generation"),
])
def test_pending_reason_follows_gardeners_triggers(obj: dict[str, Any], reason: str | None) -> None:
    assert dispatch.pending_reason(obj, now=NOW) == reason


def test_unscheduled_shoots_get_no_work() -> None:
    assert dispatch.work_for(shoot(seed=None), now=NOW) is None


class Recorder:
    def __init__(self) -> None:
        self.sent: list[dispatch.Work] = []
        self.down = False

    def __call__(self, work: dispatch.Work) -> None:
        if self.down:
            raise ConnectionError("broker down")
        self.sent.append(work)


def make(clock: list[float]) -> tuple[dispatch.Dispatcher, Recorder]:
    rec = Recorder()
    return dispatch.Dispatcher(rec, resend_after=100, clock=lambda: clock[0]), rec


def test_sends_once_per_generation() -> None:
    clock = [NOW]
    dispatcher, rec = make(clock)
    dispatcher.observe(shoot())
    dispatcher.observe(shoot())
    dispatcher.resync([shoot()])
    assert [(w.seed, w.uid, w.generation) for w in rec.sent] == [("s1", "u1", 2)]
    dispatcher.observe(shoot(generation=3))
    assert [w.generation for w in rec.sent] == [2, 3]


def test_resends_work_still_pending_after_the_timeout() -> None:
    clock = [NOW]
    dispatcher, rec = make(clock)
    dispatcher.resync([shoot()])
    clock[0] += 99
    dispatcher.resync([shoot()])
    clock[0] += 2
    dispatcher.resync([shoot()])
    assert len(rec.sent) == 2


def test_forgets_done_work_so_the_next_periodic_reconcile_is_sent() -> None:
    clock = [NOW]
    dispatcher, rec = make(clock)
    dispatcher.observe(shoot())
    dispatcher.observe(shoot(generation=1, observed=1, updated=NOW))
    assert len(dispatcher.table) == 0
    clock[0] += 3600
    dispatcher.observe(shoot(generation=1, observed=1, updated=NOW))
    assert [w.reason for w in rec.sent] == ["generation", "periodic"]


def test_a_broker_outage_leaves_the_work_for_the_next_resync() -> None:
    clock = [NOW]
    dispatcher, rec = make(clock)
    rec.down = True
    assert dispatcher.observe(shoot()) is None
    rec.down = False
    assert dispatcher.resync([shoot()]) != []
    assert len(rec.sent) == 1


def test_a_moved_shoot_is_sent_to_its_new_seed() -> None:
    clock = [NOW]
    dispatcher, rec = make(clock)
    dispatcher.observe(shoot(seed="s1"))
    dispatcher.observe(shoot(seed="s2"))
    assert [w.seed for w in rec.sent] == ["s1", "s2"]
