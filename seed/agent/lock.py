"""A per-shoot lock that holds across agent processes: a coordination Lease on the seed cluster.

Taken by ``seed.agent.reconcile`` around every operation on one shoot. Acquire creates the Lease (or takes over
one whose holder stopped renewing for ``lease_seconds``); a thread renews it while the work runs; release deletes
it at the resourceVersion we last wrote, so a lock taken over by another agent is never released by us. The
``Holding`` it yields is the flow's fence: once renewal fails the flow starts no further step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from seed.flow.engine import Fenced
from seed.kube import KubeError, SeedKube

JSON = dict[str, Any]
LOCK_NAMESPACE = "hortus-system"


class LockBusy(Exception):
    """Another agent holds the shoot's lock; try again later."""

    def __init__(self, name: str, holder: str) -> None:
        super().__init__(f"lock {name} is held by {holder}")
        self.holder = holder


def micro_time(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: Any) -> float:
    if not isinstance(text, str):
        return 0.0
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def expired(lease: JSON, now: float) -> bool:
    spec = lease.get("spec") or {}
    renewed = _parse(spec.get("renewTime") or spec.get("acquireTime"))
    return now > renewed + float(spec.get("leaseDurationSeconds") or 0)


class ShootLock:
    def __init__(self, kube: SeedKube, *, holder: str, lease_seconds: int = 15,
                 clock: Callable[[], float] = time.time) -> None:
        self.kube = kube
        self.holder = holder
        self.lease_seconds = lease_seconds
        self.clock = clock

    def ensure_namespace(self) -> None:
        self.kube.ensure_namespace(LOCK_NAMESPACE, labels={"app.kubernetes.io/managed-by": "hortus"})

    @contextlib.contextmanager
    def hold(self, name: str) -> Iterator[Holding]:
        lease = self.acquire(name)
        renewer = _Renewer(self, lease)
        renewer.start()
        try:
            yield renewer.holding
        finally:
            renewer.stop()
            if not renewer.holding.lost:
                self.kube.delete_lease(LOCK_NAMESPACE, name,
                                       resource_version=renewer.lease["metadata"]["resourceVersion"])

    def acquire(self, name: str) -> JSON:
        now = self.clock()
        body: JSON = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": name, "namespace": LOCK_NAMESPACE},
                "spec": {"holderIdentity": self.holder, "leaseDurationSeconds": self.lease_seconds,
                         "acquireTime": micro_time(now), "renewTime": micro_time(now)}}
        try:
            return self.kube.create_lease(LOCK_NAMESPACE, body)
        except KubeError as exc:
            if exc.status != 409:
                raise
        current = self.kube.get_lease(LOCK_NAMESPACE, name)
        if current is None:
            raise LockBusy(name, "(just released)")
        holder = str((current.get("spec") or {}).get("holderIdentity") or "")
        if not expired(current, now):
            raise LockBusy(name, holder)
        # The holder stopped renewing (a killed agent): take over at its resourceVersion, so two agents that both
        # saw it expired cannot both win.
        body["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        try:
            return self.kube.replace_lease(LOCK_NAMESPACE, body)
        except KubeError as exc:
            if exc.status in (404, 409):
                raise LockBusy(name, "(taken over by another agent)") from None
            raise

    def renew(self, lease: JSON) -> JSON:
        body = {**lease, "spec": {**lease["spec"], "renewTime": micro_time(self.clock())}}
        return self.kube.replace_lease(LOCK_NAMESPACE, body)


class Holding:
    """The lease as its holder sees it: ``check()`` raises ``Fenced`` once it is lost (a failed renewal, or no
    renewal for a whole lease duration), so that the holder starts nothing more."""

    def __init__(self, lock: ShootLock, name: str) -> None:
        self.lock = lock
        self.name = name
        self.renewed = lock.clock()
        self._lost = threading.Event()

    @property
    def lost(self) -> bool:
        if not self._lost.is_set() and self.lock.clock() > self.renewed + self.lock.lease_seconds:
            self._lost.set()
        return self._lost.is_set()

    def lose(self) -> None:
        self._lost.set()

    def check(self) -> None:
        if self.lost:
            raise Fenced(f"the lock {self.name} was lost: another agent may hold it now")


class _Renewer(threading.Thread):
    """Renews the lease every third of its duration until stopped."""

    def __init__(self, lock: ShootLock, lease: JSON) -> None:
        super().__init__(name=f"lease-{lease['metadata']['name']}", daemon=True)
        self.lock = lock
        self.lease = lease
        self.holding = Holding(lock, lease["metadata"]["name"])
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.lock.lease_seconds / 3):
            try:
                self.lease = self.lock.renew(self.lease)
                self.holding.renewed = self.lock.clock()
            except KubeError:
                self.holding.lose()  # taken over after a long stall: the flow stops before its next step
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
