"""The simulation loop: controllers fed from the change log, a work queue and timers for delayed transitions.

``Simulation`` is built by ``seed.local.server.create_local_seed`` (one per local seed cluster) and by whoever
serves a shoot's own API (one per shoot API); its ``run_forever`` joins the ``ApiServer``'s background tasks.
Tests drive it deterministically with ``sync_once``/``settle`` and an injected clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import ipaddress
import itertools
import logging
import threading
import time
from collections.abc import Callable, Collection
from typing import Any

import anyio

from apiserver import errors
from apiserver.server import ApiServer
from apiserver.storage.store import Change
from seed.local.sim import (
    daemonsets,
    deployments,
    events,
    gc,
    kubelet,
    replicasets,
    services,
    statefulsets,
    volumes,
    world,
)
from seed.local.sim import nodes as cluster_nodes
from seed.local.sim.controller import Controller, Delays
from seed.local.sim.world import Ref, World

log = logging.getLogger(__name__)
JSON = dict[str, Any]
DEFAULT_DELAYS = Delays()


class Simulation:
    """Simulated controllers, scheduler and kubelet for one API server, in the spirit of KWOK."""

    def __init__(
        self,
        api: ApiServer,
        *,
        delays: Delays = DEFAULT_DELAYS,
        failing_images: Collection[str] = (),
        nodes: int | None = 3,
        load_balancer_pool: str = "172.18.255.0/24",
        clock: Callable[[], float] = time.monotonic,
        resync_interval: float = 30.0,
        poll_interval: float = 1.0,
    ) -> None:
        self.api = api
        self.delays = delays
        self.failing_images = frozenset(failing_images)
        self.node_count = nodes
        self.load_balancer_pool = ipaddress.ip_network(load_balancer_pool)
        self.clock = clock
        self.resync_interval = resync_interval
        self.poll_interval = poll_interval
        self.world = World(api)
        self.events = events.Recorder(api)
        # The API server deletes and collects the way Kubernetes does once a collector and a kubelet run.
        api.service.gc_enabled = True
        api.service.graceful.add(world.PODS)
        self.controllers: list[Controller] = [
            cluster_nodes.NodeController(self), deployments.DeploymentController(self),
            replicasets.ReplicaSetController(self), statefulsets.StatefulSetController(self),
            daemonsets.DaemonSetController(self), kubelet.Kubelet(self), services.LoadBalancers(self),
            services.EndpointsController(self), volumes.VolumeBinder(self), gc.GarbageCollector(self),
        ]
        self._by_name = {c.name: c for c in self.controllers}
        self._queue: set[tuple[str, Ref]] = set()
        self._timers: list[tuple[float, int, str, Ref]] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._prepared = False
        self._last_resync = 0.0

    # --- timers ------------------------------------------------------------------------------------------------

    def after(self, delay: float, controller: Controller, ref: Ref) -> None:
        """Reconcile ``ref`` with ``controller`` again in ``delay`` seconds (a delayed transition is due)."""
        heapq.heappush(self._timers, (self.clock() + max(delay, 0.0), next(self._seq), controller.name, ref))

    def next_due(self) -> float | None:
        """Seconds until the earliest timer (0 when one is due), or None when none is set."""
        return max(self._timers[0][0] - self.clock(), 0.0) if self._timers else None

    def _due(self) -> None:
        now = self.clock()
        while self._timers and self._timers[0][0] <= now:
            _, _, name, ref = heapq.heappop(self._timers)
            self._queue.add((name, ref))

    # --- rounds ------------------------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Load the world and register this cluster's Nodes; done by the first round when not called before."""
        with self._lock:
            if self._prepared:
                return
            if self.node_count:
                cluster_nodes.register(self.api, count=self.node_count)
            self._resync()
            self._prepared = True

    def _resync(self) -> None:
        self.world.relist()
        self._last_resync = self.clock()
        for controller in self.controllers:
            self._queue.update((controller.name, ref) for ref in controller.everything())

    def sync_once(self) -> int:
        """One round: take in the change log, then reconcile what it and the due timers name; items handled."""
        self.prepare()
        with self._lock:
            if self.clock() - self._last_resync >= self.resync_interval:
                self._resync()
            self._enqueue(self.world.refresh())
            self._due()
            work, self._queue = sorted(self._queue), set()
            for name, ref in work:
                self._reconcile(self._by_name[name], ref)
            return len(work)

    def _enqueue(self, changes: list[Change]) -> None:
        for change in changes:
            for controller in self.controllers:
                self._queue.update((controller.name, ref) for ref in controller.interested(change))

    def _reconcile(self, controller: Controller, ref: Ref) -> None:
        try:
            controller.reconcile(ref)
        except errors.ApiError as exc:  # a conflict or a refusal: the change it raced with enqueues it again
            log.debug("%s: %s %s: %s", controller.name, ref, exc.code, exc)
            self.after(self.delays.pod_scheduling or 0.05, controller, ref)
        except Exception:  # one broken object must not stop the others; it is retried after a pause
            log.exception("%s failed on %s", controller.name, ref)
            self.after(1.0, controller, ref)

    def settle(self, *, max_rounds: int = 200) -> int:
        """Rounds until nothing is left to do now (timers due later are left); for tests. Returns the rounds."""
        for rounds in range(1, max_rounds + 1):
            worked = self.sync_once()
            due = self.next_due()
            if not worked and (due is None or due > 0):
                return rounds
        raise RuntimeError(f"the simulation did not settle in {max_rounds} rounds")

    async def run_forever(self) -> None:
        """Rounds whenever something was written (a store listener wakes it) or a timer is due."""
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def notify() -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(wake.set)

        self.api.store.listeners.append(notify)
        try:
            while True:
                wake.clear()
                try:
                    await anyio.to_thread.run_sync(self.sync_once)
                except Exception:  # a failed round must not stop the simulation; the next one retries
                    log.exception("simulation round failed")
                due = self.next_due()
                timeout = self.poll_interval if due is None else min(due, self.poll_interval)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=timeout)
        finally:
            with contextlib.suppress(ValueError):
                self.api.store.listeners.remove(notify)
