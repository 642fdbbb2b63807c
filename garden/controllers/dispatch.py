"""The dispatcher: which shoots need work, and one ``reconcile_shoot`` message per (uid, generation) to its seed.

Pure decisions (``pending_reason``) plus a ``DispatchTable`` that de-duplicates sends and re-sends what is still
pending after ``resend_after`` seconds. ``garden.controllers.loop`` feeds it committed objects only (the change
log and full resyncs), so nothing is ever sent that was not committed; ``send`` is the Celery adapter
(``workers.tasks``). Delivery is at least once: the seed agent drops stale or already-done messages.

The table lives in the dispatcher's memory: after a restart every pending shoot is sent once more, which the
agent's staleness check and per-shoot lock make harmless.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from shoot import triggers

log = logging.getLogger(__name__)
JSON = dict[str, Any]
SYNC_PERIOD = triggers.SYNC_PERIOD
pending_reason = triggers.pending_reason


@dataclasses.dataclass(frozen=True)
class Work:
    """One ``reconcile_shoot`` message: ids and a generation, never the object."""

    seed: str
    uid: str
    generation: int
    namespace: str
    name: str
    reason: str


Send = Callable[[Work], None]


def work_for(shoot: JSON, *, now: float, sync_period: float = SYNC_PERIOD) -> Work | None:
    """The message ``shoot`` needs now, or None (no work, or no seed yet: the scheduler goes first)."""
    seed = (shoot.get("spec") or {}).get("seedName")
    reason = pending_reason(shoot, now=now, sync_period=sync_period)
    if not seed or reason is None:
        return None
    md = shoot["metadata"]
    return Work(seed=seed, uid=md["uid"], generation=int(md.get("generation", 1)), namespace=md.get("namespace", ""),
                name=md["name"], reason=reason)


@dataclasses.dataclass
class _Sent:
    generation: int
    seed: str
    at: float


class DispatchTable:
    """What was sent for each shoot uid, and when; decides whether a pending shoot must be (re-)sent."""

    def __init__(self, *, resend_after: float) -> None:
        self.resend_after = resend_after
        self._sent: dict[str, _Sent] = {}

    def due(self, work: Work, now: float) -> bool:
        sent = self._sent.get(work.uid)
        if sent is None or sent.generation != work.generation or sent.seed != work.seed:
            return True
        return now - sent.at >= self.resend_after

    def mark(self, work: Work, now: float) -> None:
        self._sent[work.uid] = _Sent(generation=work.generation, seed=work.seed, at=now)

    def forget(self, uid: str) -> None:
        self._sent.pop(uid, None)

    def retain(self, uids: set[str]) -> None:
        for uid in set(self._sent) - uids:
            del self._sent[uid]

    def __len__(self) -> int:
        return len(self._sent)


class Dispatcher:
    def __init__(self, send: Send, *, resend_after: float, sync_period: float = SYNC_PERIOD,
                 clock: Callable[[], float] = time.time) -> None:
        self.send = send
        self.table = DispatchTable(resend_after=resend_after)
        self.sync_period = sync_period
        self.clock = clock
        self.sent = 0

    def observe(self, shoot: JSON) -> Work | None:
        """A committed version of one shoot: send its work if due; forget it once nothing is pending."""
        now = self.clock()
        work = work_for(shoot, now=now, sync_period=self.sync_period)
        if work is None:
            self.table.forget(shoot["metadata"].get("uid", ""))
            return None
        if not self.table.due(work, now):
            return None
        try:
            self.send(work)
        except Exception:  # broker down: left unmarked, so the next resync sends it again
            log.warning("could not send %s/%s to seed %s; retried at the next resync", work.namespace, work.name,
                        work.seed, exc_info=True)
            return None
        self.table.mark(work, now)
        self.sent += 1
        return work

    def gone(self, uid: str) -> None:
        self.table.forget(uid)

    def resync(self, shoots: Iterable[JSON]) -> list[Work]:
        """Re-derive all pending work from a full list of shoots (lost messages, broker restarts)."""
        seen: set[str] = set()
        out = []
        for shoot in shoots:
            seen.add(shoot["metadata"].get("uid", ""))
            work = self.observe(shoot)
            if work is not None:
                out.append(work)
        self.table.retain(seen)
        return out
