"""Running a flow: every step whose dependencies are done is started at once on a thread pool, results recorded.

Called by the seed agent (``seed.agent.reconcile``) with the shoot's flow, its context and the records of the
previous run. Every step runs on every run - finished ones are cheap no-ops because steps are idempotent - and the
run ends when nothing more can start:

- a step raising ``TemporaryError`` (waiting, or a failure that may pass) blocks only its dependents; independent
  branches go on, and the caller retries the whole flow after the shortest delay asked for;
- a step raising ``PermanentError`` (or anything unexpected) stops the start of further steps; those running finish;
- ``fence()`` is asked before each start: once the per-shoot lease is lost it raises ``Fenced`` and no further
  step starts, so an agent that was taken over stops before its next step.

Nothing here sleeps: waiting is the caller's retry with a delay.
"""

from __future__ import annotations

import concurrent.futures as futures
import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from seed.flow.graph import Flow, Step
from seed.flow.records import DONE, StepRecord
from shoot import errors
from shoot.api.shoot import StepState

C = TypeVar("C")
Hook = Callable[[str], None]


class Fenced(Exception):
    """The per-shoot lease was lost (taken over): this agent must not start another step."""


@dataclasses.dataclass
class Result:
    records: list[StepRecord]
    waiting: dict[str, errors.TemporaryError]
    failed: dict[str, errors.FlowError]
    fenced: bool = False

    @property
    def succeeded(self) -> bool:
        return not self.fenced and all(r.state in DONE for r in self.records)

    @property
    def delay(self) -> float:
        """When to run again: the shortest delay a waiting step asked for."""
        return min((e.delay for e in self.waiting.values()), default=0.0)


@dataclasses.dataclass
class _Run(Generic[C]):
    flow: Flow[C]
    ctx: C
    records: dict[str, StepRecord]
    on_change: Callable[[list[StepRecord]], None]
    fence: Callable[[], None]
    hook: Hook | None
    clock: Callable[[], float]
    started: set[str] = dataclasses.field(default_factory=set)
    done: set[str] = dataclasses.field(default_factory=set)
    waiting: dict[str, errors.TemporaryError] = dataclasses.field(default_factory=dict)
    failed: dict[str, errors.FlowError] = dataclasses.field(default_factory=dict)
    stopped: bool = False
    fenced: bool = False

    def changed(self) -> None:
        self.on_change([dataclasses.replace(r) for r in self.records.values()])

    def ready(self) -> list[Step[C]]:
        return [s for s in self.flow.steps
                if s.name not in self.started and all(d in self.done for d in s.after)]

    def start_ready(self, pool: futures.ThreadPoolExecutor, running: dict[futures.Future[None], str]) -> None:
        """Start (or skip) every step that can run; skipping one may free others, hence the loop."""
        progressed = True
        while progressed and not self.stopped:
            progressed = False
            for step in self.ready():
                try:
                    self.fence()
                except Fenced:
                    self.stopped = self.fenced = True
                    return
                self.started.add(step.name)
                progressed = True
                if self._skipped(step):
                    continue
                record = self.records[step.name]
                if record.state is not StepState.SUCCEEDED:
                    record.state = StepState.RUNNING
                    record.started_at = record.started_at or self.clock()
                    self.changed()
                running[pool.submit(self._call, step)] = step.name

    def _skipped(self, step: Step[C]) -> bool:
        try:
            skip = step.skip_if is not None and step.skip_if(self.ctx)
        except Exception as exc:  # a broken condition fails its step like a broken step
            self.finish(step.name, exc)
            return True
        if skip:
            record = self.records[step.name]
            record.state, record.message, record.codes = StepState.SKIPPED, "", ()
            record.finished_at = record.finished_at or self.clock()
            self.done.add(step.name)
            self.changed()
        return skip

    def _call(self, step: Step[C]) -> None:
        if self.hook is not None:
            self.hook(step.name)
        step.fn(self.ctx)

    def finish(self, name: str, exc: BaseException | None) -> None:
        record = self.records[name]
        if exc is None:
            if record.state is not StepState.SUCCEEDED:
                record.state, record.finished_at = StepState.SUCCEEDED, self.clock()
            record.message, record.codes = "", ()
            self.done.add(name)
        elif isinstance(exc, errors.TemporaryError):
            record.state, record.message, record.codes = StepState.ERROR, exc.message, tuple(exc.codes)
            record.retries += 1
            self.waiting[name] = exc
        else:
            error = exc if isinstance(exc, errors.FlowError) else errors.PermanentError(
                f"internal error: {type(exc).__name__}: {exc}")
            record.state = StepState.ERROR if errors.retryable(error) else StepState.FAILED
            record.message, record.codes = error.message, tuple(error.codes)
            record.retries += 1
            self.failed[name] = error
            self.stopped = True
        self.changed()


def run(
    flow: Flow[C],
    ctx: C,
    *,
    previous: Mapping[str, StepRecord] | None = None,
    on_change: Callable[[list[StepRecord]], None] | None = None,
    fence: Callable[[], None] | None = None,
    hook: Hook | None = None,
    workers: int = 8,
    clock: Callable[[], float] = time.time,
) -> Result:
    """Run ``flow`` once on ``ctx``; ``previous`` are the records of the last run of the same operation.

    ``on_change`` gets a snapshot of all records after every transition (from the calling thread); ``hook(name)``
    runs before each step, in the step's thread (fault injection in tests).
    """
    records = {s.name: dataclasses.replace((previous or {}).get(s.name) or StepRecord(s.name)) for s in flow.steps}
    state = _Run(flow=flow, ctx=ctx, records=records, on_change=on_change or (lambda _: None),
                 fence=fence or (lambda: None), hook=hook, clock=clock)
    running: dict[futures.Future[None], str] = {}
    with futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"flow-{flow.name[:20]}") as pool:
        state.start_ready(pool, running)
        while running:
            finished, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
            for future in finished:
                state.finish(running.pop(future), future.exception())
            state.start_ready(pool, running)
    return Result(records=list(records.values()), waiting=state.waiting, failed=state.failed, fenced=state.fenced)
