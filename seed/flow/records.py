"""Per-step records of a flow run and what they add up to: progress and the description of the running steps.

Kept by ``seed.flow.engine`` while a flow runs and written by the seed agent into ``status.lastOperationSteps``
(the console's timeline) and ``status.lastOperation``. A record is carried over from the previous run of the same
operation, so a step waiting across retries keeps its first start and counts its retries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shoot import conditions
from shoot.api.shoot import StepState

JSON = dict[str, Any]
DONE = frozenset({StepState.SUCCEEDED, StepState.SKIPPED})


@dataclasses.dataclass
class StepRecord:
    name: str
    state: StepState = StepState.PENDING
    started_at: float | None = None
    finished_at: float | None = None
    retries: int = 0
    message: str = ""
    codes: tuple[str, ...] = ()

    def to_status(self) -> JSON:
        """The ``lastOperationSteps[]`` entry (``shoot.api.shoot.OperationStep``)."""
        out: JSON = {"name": self.name, "state": str(self.state)}
        if self.started_at is not None:
            out["startedAt"] = conditions.timestamp(self.started_at)
        if self.finished_at is not None:
            out["finishedAt"] = conditions.timestamp(self.finished_at)
        if self.retries:
            out["retries"] = self.retries
        if self.message:
            out["message"] = self.message
        if self.codes:
            out["codes"] = list(self.codes)
        return out

    @classmethod
    def from_status(cls, entry: Mapping[str, Any]) -> StepRecord:
        try:
            state = StepState(str(entry.get("state")))
        except ValueError:
            state = StepState.PENDING
        return cls(name=str(entry.get("name", "")), state=state,
                   started_at=conditions.parse_timestamp(entry.get("startedAt")),
                   finished_at=conditions.parse_timestamp(entry.get("finishedAt")),
                   retries=int(entry.get("retries") or 0), message=str(entry.get("message") or ""),
                   codes=tuple(str(c) for c in entry.get("codes") or ()))


def carried_over(names: Sequence[str], previous: Iterable[Mapping[str, Any]]) -> dict[str, StepRecord]:
    """A record per step name, in flow order: the previous run's where it had one, else a pending one."""
    before = {str(e.get("name")): StepRecord.from_status(e) for e in previous}
    out = {}
    for name in names:
        record = before.get(name) or StepRecord(name)
        if record.state is StepState.RUNNING:
            record.state = StepState.ERROR  # the run that started it ended without a word (a killed agent)
        out[name] = record
    return out


def progress(records: Iterable[StepRecord]) -> int:
    """Gardener's ⌊100 · succeeded ÷ steps not skipped⌋."""
    counted = [r for r in records if r.state is not StepState.SKIPPED]
    if not counted:
        return 100
    done = sum(1 for r in counted if r.state is StepState.SUCCEEDED)
    return 100 * done // len(counted)


def description(flow: str, records: Iterable[StepRecord]) -> str:
    """``Starting <flow>`` at 0 %, ``<flow> finished`` at 100 %, else the running (or waiting) steps' names."""
    found = list(records)
    percent = progress(found)
    if percent == 100:
        return f"{flow} finished"
    active = sorted(r.name for r in found if r.state in (StepState.RUNNING, StepState.ERROR))
    if active:
        return ", ".join(active)
    return f"Starting {flow}" if percent == 0 else f"{flow} in progress"
