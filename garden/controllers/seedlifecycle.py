"""Seed lifecycle: a seed whose agent stopped renewing its heartbeat turns ``GardenletReady=Unknown``.

The seed agent renews ``GardenletReady=True`` (its ``lastUpdateTime``) through ``seeds/status`` every few seconds;
``garden.controllers.loop`` runs ``check`` periodically. Like Gardener's ``gardenletlifecycle`` controller, a
renewal older than ``monitor_period`` (40 s) marks the seed Unknown, and the scheduler then avoids it.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from typing import Any

from apiserver import errors
from apiserver.context import system_context
from apiserver.service import ResourceService
from garden.controllers import kinds
from shoot import conditions

log = logging.getLogger(__name__)
JSON = dict[str, Any]
GARDENLET_READY = "GardenletReady"
MONITOR_PERIOD = 40.0


def stale(seed: JSON, *, now: float, monitor_period: float = MONITOR_PERIOD) -> bool:
    """Ready (or never Unknown) but not renewed within ``monitor_period``."""
    ready = conditions.find((seed.get("status") or {}).get("conditions"), GARDENLET_READY)
    if ready is None or ready.get("status") == "Unknown":
        return False
    renewed = conditions.parse_timestamp(ready.get("lastUpdateTime"))
    return renewed is None or now - renewed > monitor_period


class SeedLifecycle:
    def __init__(self, service: ResourceService, *, monitor_period: float = MONITOR_PERIOD,
                 clock: Callable[[], float] = time.time) -> None:
        self.service = service
        self.kinds = kinds.lookup(service)
        self.monitor_period = monitor_period
        self.clock = clock

    def check(self) -> list[str]:
        """Mark every stale seed Unknown; returns their names."""
        now = self.clock()
        marked = []
        for seed in self.service.list(self.kinds.seeds, None).items:
            if stale(seed, now=now, monitor_period=self.monitor_period) and self._mark_unknown(seed, now):
                marked.append(seed["metadata"]["name"])
        return marked

    def _mark_unknown(self, seed: JSON, now: float) -> bool:
        body = copy.deepcopy(seed)
        status = body.setdefault("status", {})
        status["conditions"] = conditions.with_condition(
            status.get("conditions"), kind=GARDENLET_READY, status="Unknown", reason="SeedStatusUnknown",
            message="Gardenlet stopped posting seed status.", now=now)
        name = seed["metadata"]["name"]
        try:
            # Pinned to the version we judged: a renewal that lands meanwhile wins (409) and the seed stays Ready.
            self.service.update(self.kinds.seeds, "", name, body, system_context(), subresource="status")
        except errors.ApiError as exc:
            if exc.code in (404, 409):
                return False
            raise
        log.warning("seed %s turned GardenletReady=Unknown (no heartbeat for %.0f s)", name, self.monitor_period)
        return True
