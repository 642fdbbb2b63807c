"""What every simulated controller shares: the ``Delays`` it waits and the ``Controller`` base it extends.

Imported by each controller module of ``seed.local.sim`` and by ``seed.local.sim.simulation``, which runs them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from apiserver.storage.store import Change
from seed.local.sim.world import Ref

if TYPE_CHECKING:
    from seed.local.sim.simulation import Simulation


@dataclasses.dataclass(frozen=True)
class Delays:
    """Seconds each simulated step takes; the critical path of a Pod is the sum of the first four."""

    pod_scheduling: float = 0.05
    image_pull: float = 0.1
    container_start: float = 0.05
    readiness: float = 0.1
    lb_provisioning: float = 0.1
    pvc_binding: float = 0.05
    pod_termination: float = 0.05
    # The first back-off of a crashing container; it doubles per restart up to 32 times this.
    crash_backoff: float = 0.2

    @classmethod
    def zero(cls) -> Delays:
        return cls(**{f.name: 0.0 for f in dataclasses.fields(cls)})

    @property
    def pod_ready(self) -> float:
        """From a Pod's creation to Ready on an idle simulation."""
        return self.pod_scheduling + self.image_pull + self.container_start + self.readiness


class Controller:
    """One simulated controller: which changes concern it, and how it reconciles one object."""

    name = "controller"
    # The storage keys of the objects it reconciles (their changes enqueue them).
    primary: tuple[str, ...] = ()

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.world = sim.world
        self.events = sim.events

    def interested(self, change: Change) -> Iterable[Ref]:
        """The objects to reconcile after ``change``; by default the changed object if it is a primary."""
        if change.resource in self.primary and change.type != "DELETED":
            yield change.resource, change.namespace, change.name

    def everything(self) -> Iterable[Ref]:
        for key in self.primary:
            yield from self.world.refs(key)

    def reconcile(self, ref: Ref) -> None:
        raise NotImplementedError
