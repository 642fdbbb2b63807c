"""A local seed cluster's ``ApiServer`` driven by a ``Simulation`` under a fake clock: deterministic rounds."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from apiserver.context import system_context
from apiserver.server import ApiServer
from seed.local.server import create_local_seed
from seed.local.sim import Delays, Simulation

JSON = dict[str, Any]
PLURALS = {"Deployment": ("apps", "deployments"), "ReplicaSet": ("apps", "replicasets"),
           "StatefulSet": ("apps", "statefulsets"), "DaemonSet": ("apps", "daemonsets"), "Pod": ("", "pods"),
           "Service": ("", "services"), "Endpoints": ("", "endpoints"), "Node": ("", "nodes"),
           "PersistentVolumeClaim": ("", "persistentvolumeclaims"), "PersistentVolume": ("", "persistentvolumes"),
           "ConfigMap": ("", "configmaps"), "Event": ("", "events"), "Namespace": ("", "namespaces")}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Cluster:
    """The API server, its simulation, and shorthand for the objects tests write and read."""

    def __init__(self, api: ApiServer, sim: Simulation, clock: Clock) -> None:
        self.api, self.sim, self.clock = api, sim, clock

    def rt(self, kind: str) -> Any:
        group, plural = PLURALS[kind]
        rt = self.api.registry.get(group, "v1", plural)
        assert rt is not None
        return rt

    def create(self, kind: str, body: JSON, namespace: str = "default") -> JSON:
        ns = namespace if self.rt(kind).namespaced else ""
        return self.api.service.create(self.rt(kind), ns, copy.deepcopy(body), system_context())

    def get(self, kind: str, name: str, namespace: str = "default") -> JSON:
        return self.api.service.get(self.rt(kind), namespace if self.rt(kind).namespaced else "", name)

    def find(self, kind: str, name: str, namespace: str = "default") -> JSON | None:
        return self.api.store.get(self.rt(kind).key, namespace if self.rt(kind).namespaced else "", name)

    def objects(self, kind: str, namespace: str | None = "default", labels: str = "") -> list[JSON]:
        return self.api.service.list(self.rt(kind), namespace if self.rt(kind).namespaced else None,
                                     label_selector=labels).items

    def change(self, kind: str, name: str, edit: Any, namespace: str = "default") -> JSON:
        obj = self.get(kind, name, namespace)
        edit(obj)
        return self.api.service.update(self.rt(kind), namespace if self.rt(kind).namespaced else "", name, obj,
                                       system_context())

    def write_status(self, kind: str, obj: JSON) -> JSON:
        md = obj["metadata"]
        return self.api.service.update(self.rt(kind), md.get("namespace") or "", md["name"], obj, system_context(),
                                       subresource="status")

    def delete(self, kind: str, name: str, namespace: str = "default", **options: Any) -> JSON:
        return self.api.service.delete(self.rt(kind), namespace if self.rt(kind).namespaced else "", name,
                                       system_context(), options=options)

    def settle(self) -> None:
        self.sim.settle()

    def advance(self, seconds: float, *, step: float = 0.01) -> None:
        """Let ``seconds`` pass on the fake clock, settling after every step."""
        end = self.clock.now + seconds
        self.settle()
        while self.clock.now < end - 1e-9:
            self.clock.now = min(end, self.clock.now + step)
            self.settle()

    def events(self, reason: str) -> list[JSON]:
        return [e for e in self.objects("Event", None) if e["reason"] == reason]


def new_cluster(delays: Delays, **options: Any) -> Cluster:
    _app, api = create_local_seed(None, token="test-token")
    clock = Clock()
    sim = Simulation(api, delays=delays, clock=clock, **options)
    cluster = Cluster(api, sim, clock)
    cluster.app = _app  # type: ignore[attr-defined]  # keeps the temporary database alive
    return cluster


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """Zero delays: every transition is due at once, so ``settle()`` reaches the end state."""
    c = new_cluster(Delays.zero(), failing_images=("registry.example/crash",))
    yield c
    c.api.store.engine.dispose()


@pytest.fixture
def timed() -> Iterator[Cluster]:
    """The default delays on a fake clock, for tests of the order and timing of transitions."""
    c = new_cluster(Delays(), failing_images=("registry.example/crash",))
    yield c
    c.api.store.engine.dispose()


def deployment(name: str, replicas: int = 3, image: str = "nginx:1.27", **spec: Any) -> JSON:
    return {"metadata": {"name": name}, "spec": {
        "replicas": replicas, "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "main", "image": image}]}}, **spec}}


def ready(pod: JSON) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod.get("status", {}).get("conditions", []))
