"""The seed agent's heartbeat: renews ``GardenletReady=True`` on its Seed through ``seeds/status``.

Run by the seed worker (``workers.agent``) in a thread every ``interval`` seconds; the garden's seed lifecycle
controller turns the condition Unknown when renewals stop (``garden.controllers.seedlifecycle``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from seed.agent.garden import GardenClient, GardenError
from shoot import conditions

log = logging.getLogger(__name__)
JSON = dict[str, Any]
GARDENLET_READY = "GardenletReady"


def renew(garden: GardenClient, seed: str, *, identity: str, now: float) -> JSON:
    """One renewal; retried on a conflict with the garden's own status writes."""
    for _ in range(5):
        current = garden.get_seed(seed)
        if current is None:
            raise GardenError(404, f"seed {seed} is not registered")
        status = current.setdefault("status", {})
        status["conditions"] = conditions.with_condition(
            status.get("conditions"), kind=GARDENLET_READY, status="True", reason="GardenletReady",
            message="Gardenlet is posting ready status.", now=now)
        status["gardener"] = {"id": identity, "name": identity}
        try:
            return garden.replace_seed_status(current)
        except GardenError as exc:
            if exc.status != 409:
                raise
    raise GardenError(409, f"seed {seed} kept changing")


class Heartbeat(threading.Thread):
    def __init__(self, garden: GardenClient, seed: str, *, identity: str, interval: float,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(name=f"heartbeat-{seed}", daemon=True)
        self.garden = garden
        self.seed = seed
        self.identity = identity
        self.interval = interval
        self.clock = clock
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            try:
                renew(self.garden, self.seed, identity=self.identity, now=self.clock())
            except GardenError as exc:  # the garden is down or busy: the next beat tries again
                log.warning("heartbeat of seed %s failed: %s", self.seed, exc)
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)
