"""What the console shows that the garden API does not hold: the broker's queues and workers, and seed pods.

The garden may not import the Celery side (``workers``) nor the seed side (``seed``); whoever assembles the
process plugs implementations in (``hortus up``: ``workers.inspect`` for the broker, the local seed cluster for
pods). Without one, the console says that the information is not available here, and why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class Task:
    name: str
    id: str
    args: str
    started: float | None = None


@dataclasses.dataclass(frozen=True)
class Worker:
    name: str
    queues: tuple[str, ...]
    active: tuple[Task, ...]
    concurrency: int | None = None


@dataclasses.dataclass(frozen=True)
class BrokerReport:
    broker: str  # where messages go, with any password removed
    queues: dict[str, int | None]  # queue -> messages waiting (None: the broker cannot say)
    workers: tuple[Worker, ...] | None  # None: the broker cannot be asked (no broadcast support)
    notes: tuple[str, ...] = ()


class QueueInspector(Protocol):
    def report(self, queues: Sequence[str]) -> BrokerReport:
        """The depth of each of ``queues`` and the workers that answer (may take about a second)."""
        ...


@dataclasses.dataclass(frozen=True)
class Pod:
    name: str
    phase: str
    ready: str  # "1/1"
    restarts: int
    node: str
    created: str


class SeedPods(Protocol):
    def pods(self, seed: str, namespace: str) -> list[Pod] | None:
        """The pods of ``namespace`` on ``seed``; None when this process cannot reach that seed."""
        ...


@dataclasses.dataclass
class Backends:
    queues: QueueInspector | None = None
    pods: SeedPods | None = None
