"""The garden's controller loop: follows the change log, and periodically re-derives everything from the database.

Built by ``hortus up`` (in-process, as an ``ApiServer`` background task) and by the garden worker. Each ``step``
reads the committed changes since the last seen resourceVersion: new or changed shoots go to the scheduler and the
dispatcher; seed changes that matter for placement re-run the scheduler. Every ``resync_interval`` a full pass runs
the scheduler, the seed lifecycle check and the dispatcher over all shoots, so a lost message, a broker restart or
a compacted change log loses nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from apiserver import rounds
from apiserver.service import ResourceService
from apiserver.storage.store import Change
from garden.controllers import dispatch, kinds, scheduling, seedlifecycle
from garden.scheduler import strategies

log = logging.getLogger(__name__)
JSON = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class LoopSettings:
    resync_interval: float = 30.0
    resend_after: float = 960.0
    sync_period: float = dispatch.SYNC_PERIOD
    monitor_period: float = seedlifecycle.MONITOR_PERIOD
    # The lifecycle check runs this often (well inside ``monitor_period``).
    lifecycle_interval: float = 5.0
    poll_interval: float = 0.2
    strategy: str = strategies.SAME_REGION


class GardenControllers:
    def __init__(self, service: ResourceService, send: dispatch.Send, *, settings: LoopSettings | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.service = service
        self.settings = settings or LoopSettings()
        self.kinds = kinds.lookup(service)
        self.clock = clock
        self.scheduler = scheduling.SchedulerController(service, strategy=self.settings.strategy, clock=clock)
        self.dispatcher = dispatch.Dispatcher(send, resend_after=self.settings.resend_after,
                                              sync_period=self.settings.sync_period, clock=clock)
        self.lifecycle = seedlifecycle.SeedLifecycle(service, monitor_period=self.settings.monitor_period,
                                                     clock=clock)
        self.seen_rv: int | None = None
        self._next_resync = 0.0
        self._next_lifecycle = 0.0

    def resync(self) -> None:
        """Everything from the database: seeds' heartbeats, placement, then all pending work."""
        self.seen_rv = self.service.store.current_rv()
        self.lifecycle.check()
        self.scheduler.schedule_pending()
        self.dispatcher.resync(self.service.list(self.kinds.shoots, None).items)
        self._next_resync = self.clock() + self.settings.resync_interval

    def step(self) -> None:
        now = self.clock()
        if self.seen_rv is None or now >= self._next_resync:
            self.resync()
        if now >= self._next_lifecycle:
            self.lifecycle.check()
            self._next_lifecycle = now + self.settings.lifecycle_interval
        self.follow()

    def follow(self) -> None:
        """Act on the committed changes since the last step."""
        if self.seen_rv is None or self.seen_rv < self.service.store.compacted_rv():
            self.resync()  # the rows we had not read yet were compacted away
            return
        shoots: dict[tuple[str, str], Change] = {}
        reschedule = False
        while True:
            changes = self.service.store.changes_since(self.seen_rv)
            for change in changes:
                if change.resource == self.kinds.shoots.key:
                    shoots[(change.namespace, change.name)] = change
                elif change.resource == self.kinds.seeds.key:
                    reschedule = reschedule or _placement_changed(change)
                self.seen_rv = change.resource_version
            if len(changes) < 1000:
                break
        self._act(list(shoots.values()), reschedule=reschedule)

    def _act(self, changes: list[Change], *, reschedule: bool) -> None:
        unplaced = any(c.type != "DELETED" and not (c.object.get("spec") or {}).get("seedName") for c in changes)
        if reschedule or unplaced:
            self.scheduler.schedule_pending()  # its bindings come back through the change log next step
        for change in changes:
            if change.type == "DELETED":
                self.dispatcher.gone(change.object["metadata"].get("uid", ""))
            else:
                self.dispatcher.observe(change.object)

    async def run_forever(self) -> None:
        await rounds.run_forever(self.step, interval=self.settings.poll_interval, name="garden controller")


def _placement_view(seed: JSON | None) -> Any:
    """What of a seed the scheduler reads, without heartbeat timestamps (renewals alone change nothing)."""
    if seed is None:
        return None
    status = seed.get("status") or {}
    ready = {c.get("type"): c.get("status") for c in status.get("conditions") or ()}
    md = seed.get("metadata") or {}
    return (seed.get("spec"), md.get("labels"), md.get("annotations"), md.get("deletionTimestamp"),
            status.get("allocatable"), ready)


def _placement_changed(change: Change) -> bool:
    if change.type != "MODIFIED":
        return True
    return bool(_placement_view(change.object) != _placement_view(change.prev))
