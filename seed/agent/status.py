"""Writing a running operation's status to the garden while its flow runs: ``lastOperation`` with progress and the
running steps, and ``lastOperationSteps``; then the outcome.

Used by ``seed.agent.reconcile``. Step transitions arrive from the flow engine faster than they are worth writing:
a thread writes the newest snapshot only, ``interval`` seconds after a change (so a run shorter than that writes
only its outcome), and a slow garden never slows the flow. Nothing is written once the lease is lost (another
agent owns the shoot's status then).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from seed.agent.garden import GardenClient, GardenError
from seed.flow import records
from seed.flow.records import StepRecord
from shoot import conditions

JSON = dict[str, Any]
log = logging.getLogger(__name__)


def operation(op: str, state: str, *, progress: int, description: str, now: float) -> JSON:
    return {"type": op, "state": state, "progress": progress, "description": description,
            "lastUpdateTime": conditions.timestamp(now)}


class Reporter:
    def __init__(self, garden: GardenClient, shoot: JSON, *, op: str, flow: str, lost: Callable[[], bool],
                 clock: Callable[[], float], interval: float = 0.5) -> None:
        self.garden = garden
        self.namespace, self.name = shoot["metadata"]["namespace"], shoot["metadata"]["name"]
        self.op, self.flow = op, flow
        self.lost = lost
        self.clock = clock
        self.interval = interval
        self._latest: list[StepRecord] | None = None
        self._written: list[JSON] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"status-{self.name}", daemon=True)

    def write(self, status: JSON) -> JSON | None:
        """One status merge patch, now; None when the lease is lost or the shoot is gone."""
        if self.lost():
            return None
        try:
            return self.garden.patch_shoot(self.namespace, self.name, {"status": status}, subresource="status")
        except GardenError as exc:
            if exc.status == 404:
                return None
            raise

    def start(self, status: JSON | None) -> None:
        if status is not None:
            self.write(status)
        self._thread.start()

    def update(self, snapshot: Sequence[StepRecord]) -> None:
        with self._lock:
            self._latest = list(snapshot)
        self._wake.set()

    def write_progress(self, snapshot: Sequence[StepRecord], **extra: Any) -> JSON | None:
        """The progress of ``snapshot`` now, unless exactly that was written last."""
        steps = [r.to_status() for r in snapshot]
        if steps == self._written and not extra:
            return None
        written = self.write({**self.progress_status(snapshot), **extra})
        self._written = steps
        return written

    def progress_status(self, snapshot: Sequence[StepRecord]) -> JSON:
        return {"lastOperation": operation(self.op, "Processing", progress=records.progress(snapshot),
                                           description=records.description(self.flow, snapshot), now=self.clock()),
                "lastOperationSteps": [r.to_status() for r in snapshot]}

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            # Gather what else happens within the interval: a run shorter than that writes only its outcome.
            if self._stop.wait(self.interval):
                return
            self._wake.clear()
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            snapshot, self._latest = self._latest, None
        if snapshot is None:
            return
        steps = [r.to_status() for r in snapshot]
        if steps == self._written:
            return
        try:
            self.write(self.progress_status(snapshot))
            self._written = steps
        except GardenError as exc:  # the next snapshot (or the final write) tries again
            log.info("shoot %s/%s: status not written: %s", self.namespace, self.name, exc)

    def stop(self) -> None:
        """Stop the thread; the caller writes the outcome itself."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()
