"""The flow engine: order, concurrency, skips, waiting, failures, fencing and records carried across runs."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from seed.flow import engine, records
from seed.flow.graph import Flow, FlowDefinitionError, Step
from shoot import errors
from shoot.api.shoot import StepState
from shoot.errors import ErrorCode


class Log:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def step(self, name: str, action: Callable[[], None] | None = None) -> Callable[[object], None]:
        def fn(_ctx: object) -> None:
            with self.lock:
                self.calls.append(name)
            if action is not None:
                action()
        return fn


def test_steps_run_after_their_dependencies() -> None:
    log = Log()
    a = Step.of("a", log.step("a"))
    b = Step.of("b", log.step("b"), after=[a])
    c = Step.of("c", log.step("c"), after=[b])
    result = engine.run(Flow("f", [c, b, a]), None)
    assert log.calls == ["a", "b", "c"]
    assert result.succeeded and records.progress(result.records) == 100


def test_independent_steps_run_at_the_same_time() -> None:
    both = threading.Barrier(2, timeout=10)  # each waits for the other: only a concurrent run passes
    log = Log()
    def meet() -> None:
        both.wait()

    flow = Flow("f", [Step.of("x", log.step("x", meet)), Step.of("y", log.step("y", meet))])
    assert engine.run(flow, None).succeeded


def test_a_skipped_step_counts_as_done_and_is_left_out_of_the_progress() -> None:
    log = Log()
    a = Step.of("a", log.step("a"), skip_if=lambda _: True)
    b = Step.of("b", log.step("b"), after=[a])
    result = engine.run(Flow("f", [a, b]), None)
    assert log.calls == ["b"]
    assert [r.state for r in result.records] == [StepState.SKIPPED, StepState.SUCCEEDED]
    assert records.progress(result.records) == 100


def test_a_waiting_step_blocks_its_dependents_only() -> None:
    log = Log()

    def wait() -> None:
        raise errors.TemporaryError("2 of 3 replicas ready", delay=1.5)

    slow = Step.of("slow", log.step("slow", wait))
    after_slow = Step.of("after-slow", log.step("after-slow"), after=[slow])
    other = Step.of("other", log.step("other"))
    result = engine.run(Flow("f", [slow, after_slow, other]), None)
    assert sorted(log.calls) == ["other", "slow"]
    assert not result.succeeded and result.delay == 1.5 and not result.failed
    by_name = {r.name: r for r in result.records}
    assert by_name["slow"].state is StepState.ERROR and by_name["slow"].message == "2 of 3 replicas ready"
    assert by_name["after-slow"].state is StepState.PENDING
    assert records.progress(result.records) == 33
    assert records.description("Shoot cluster reconciliation", result.records) == "slow"


def test_a_permanent_error_stops_further_steps_with_its_codes() -> None:
    log = Log()

    def refuse() -> None:
        raise errors.PermanentError("bad credentials", codes=[ErrorCode.INFRA_UNAUTHENTICATED])

    bad = Step.of("bad", log.step("bad", refuse))
    later = Step.of("later", log.step("later"), after=[bad])
    result = engine.run(Flow("f", [bad, later]), None)
    assert log.calls == ["bad"]
    record = result.records[0]
    assert record.state is StepState.FAILED and record.codes == ("ERR_INFRA_UNAUTHENTICATED",)
    assert result.failed["bad"].message == "bad credentials"


def test_an_unexpected_exception_is_a_retryable_error_naming_it() -> None:
    def boom(_: object) -> None:
        raise KeyError("spec")

    result = engine.run(Flow("f", [Step.of("boom", boom)]), None)
    assert result.records[0].state is StepState.ERROR
    assert result.failed["boom"].message == "internal error: KeyError: 'spec'"


def test_a_lost_lease_stops_the_flow_before_its_next_step() -> None:
    log = Log()
    lost = threading.Event()
    first = Step.of("first", log.step("first", lost.set))
    second = Step.of("second", log.step("second"), after=[first])

    def fence() -> None:
        if lost.is_set():
            raise engine.Fenced("lease taken over")

    result = engine.run(Flow("f", [first, second]), None, fence=fence)
    assert log.calls == ["first"] and result.fenced and not result.succeeded


def test_records_carry_over_retries_and_the_first_start() -> None:
    attempts = iter([errors.TemporaryError("not yet", delay=1), None])

    def flaky(_: object) -> None:
        exc = next(attempts)
        if exc is not None:
            raise exc

    flow = Flow("f", [Step.of("flaky", flaky)])
    times = iter([100.0, 200.0, 300.0, 400.0])
    first = engine.run(flow, None, clock=lambda: next(times))
    previous = {r.name: r for r in first.records}
    second = engine.run(flow, None, previous=previous, clock=lambda: next(times))
    record = second.records[0]
    assert (record.state, record.retries, record.started_at, record.finished_at) == (
        StepState.SUCCEEDED, 1, 100.0, 200.0)
    assert record.to_status() == {"name": "flaky", "state": "Succeeded", "startedAt": "1970-01-01T00:01:40Z",
                                  "finishedAt": "1970-01-01T00:03:20Z", "retries": 1}


def test_a_step_left_running_by_a_killed_agent_is_shown_as_interrupted() -> None:
    carried = records.carried_over(["a"], [{"name": "a", "state": "Running", "startedAt": "2026-01-01T00:00:00Z"}])
    assert carried["a"].state is StepState.ERROR


def test_every_change_is_reported() -> None:
    seen: list[list[str]] = []
    flow: Flow[None] = Flow("f", [Step.of("a", lambda _: None)])
    engine.run(flow, None, on_change=lambda rs: seen.append([str(r.state) for r in rs]))
    assert seen == [["Running"], ["Succeeded"]]


@pytest.mark.parametrize(("steps", "message"), [
    ([Step.of("a", lambda _: None), Step.of("a", lambda _: None)], "step 'a' is defined twice"),
    ([Step.of("a", lambda _: None, after=["b"])], "waits for unknown step 'b'"),
    ([Step.of("a", lambda _: None, after=["b"]), Step.of("b", lambda _: None, after=["a"])], "cycle: a -> b -> a"),
])
def test_refuses_flows_that_cannot_run(steps: list[Step[object]], message: str) -> None:
    with pytest.raises(FlowDefinitionError, match=message):
        Flow("f", steps)


def test_the_critical_path_is_the_longest_chain() -> None:
    a: Step[None] = Step.of("a", lambda _: None)
    b: Step[None] = Step.of("b", lambda _: None, after=[a])
    c: Step[None] = Step.of("c", lambda _: None, after=[a])
    flow = Flow("f", [a, b, c])
    assert flow.critical_path({"a": 1.0, "b": 2.0, "c": 5.0}.__getitem__) == 6.0
