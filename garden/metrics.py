"""The garden's own Prometheus figures, computed from the store each time ``/metrics`` is scraped.

Registered by ``garden.app.create_app`` in the garden API server's registry (``apiserver.metrics``): how many
shoots are in each last-operation state on each seed, and how long ago each seed's agent last renewed its
``GardenletReady`` heartbeat.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from apiserver.storage.store import Store
from garden.controllers.seedlifecycle import GARDENLET_READY
from shoot import conditions

JSON = dict[str, Any]
SHOOTS = "core.gardener.cloud/shoots"
SEEDS = "core.gardener.cloud/seeds"
# A shoot whose first operation has not reported yet.
NO_OPERATION = "Pending"


class GardenCollector(Collector):
    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        shoots, _ = self.store.list(SHOOTS, None)
        seeds, _ = self.store.list(SEEDS, None)
        yield shoots_by_state(shoots)
        yield heartbeat_ages(seeds, now=self.clock())


def shoots_by_state(shoots: list[JSON]) -> GaugeMetricFamily:
    family = GaugeMetricFamily("hortus_garden_shoots", "Shoots by the state of their last operation and their seed.",
                               labels=["state", "seed"])
    counts = Counter((_state(shoot), str((shoot.get("spec") or {}).get("seedName") or "")) for shoot in shoots)
    for (state, seed), count in sorted(counts.items()):
        family.add_metric([state, seed], count)
    return family


def heartbeat_ages(seeds: list[JSON], *, now: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily("hortus_garden_seed_heartbeat_age_seconds",
                               f"Seconds since the seed's agent last renewed its {GARDENLET_READY} condition.",
                               labels=["seed"])
    for seed in seeds:
        ready = conditions.find((seed.get("status") or {}).get("conditions"), GARDENLET_READY)
        renewed = conditions.parse_timestamp(ready.get("lastUpdateTime")) if ready is not None else None
        if renewed is not None:
            family.add_metric([str(seed["metadata"]["name"])], max(0.0, now - renewed))
    return family


def _state(shoot: JSON) -> str:
    operation = (shoot.get("status") or {}).get("lastOperation") or {}
    return str(operation.get("state") or NO_OPERATION)
