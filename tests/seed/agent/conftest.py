"""A garden (HTTPS, seed identity) and a local seed cluster, with a seed agent run in this process, without Celery.

``World.drive`` plays Celery's part: it runs the task body again after each ``TemporaryError``'s delay, until the
work is done, as the seed worker's retries would.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apiserver.context import system_context
from apiserver.server import ApiServer
from extensions.registry import Registry
from garden.controllers import scheduling
from seed.agent import reconcile
from seed.agent.components import ShootComponents
from seed.agent.garden import GardenClient
from seed.agent.lock import ShootLock
from seed.agent.shoot_access import ShootAccess
from seed.flow.components import Components
from seed.flow.engine import Hook
from seed.kube import KubeApi, SeedKube
from shoot import care, errors
from tests.support import fleet, servers

JSON = dict[str, Any]
SEED = "l-eu"


class World:
    def __init__(self, garden: ApiServer, seed_api: ApiServer, seed_server: servers.RunningServer,
                 agent: reconcile.Agent) -> None:
        self.garden = garden
        self.seed_api = seed_api
        self.seed_server = seed_server
        self.agent = agent
        self.outcomes: list[str] = []
        self.garden_server: servers.RunningServer | None = None

    def shoot(self, name: str) -> JSON:
        return self.garden.service.get(fleet._rt(self.garden.service, "shoots"), "garden-local", name)

    def update_shoot(self, name: str, change: Any) -> JSON:
        shoot = self.shoot(name)
        change(shoot)
        return self.garden.service.update(fleet._rt(self.garden.service, "shoots"), "garden-local", name, shoot,
                                          system_context())

    def create(self, name: str, **spec: Any) -> JSON:
        fleet.create_shoot(self.garden.service, fleet.shoot_manifest(name, region="eu-1", **spec))
        scheduling.SchedulerController(self.garden.service).schedule_pending()
        return self.shoot(name)

    def run(self, name: str) -> str:
        md = self.shoot(name)["metadata"]
        return reconcile.reconcile_shoot(self.agent, uid=md["uid"], generation=md["generation"],
                                         namespace=md["namespace"], name=md["name"])

    def drive(self, name: str, *, timeout: float = 60.0) -> str:
        """Run the task for ``name`` until it finishes (as Celery's retries would), returning the outcome."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                outcome = self.run(name)
            except errors.TemporaryError as exc:
                if time.monotonic() > deadline:
                    raise AssertionError(f"shoot {name} did not finish in {timeout:.0f} s: {exc}") from None
                time.sleep(min(exc.delay, 1.0))
                continue
            self.outcomes.append(outcome)
            return outcome

    def seed_objects(self, namespace: str) -> list[tuple[str, str]]:
        """(kind, name) of every object in ``namespace`` on the seed."""
        found = []
        for change in self.seed_api.store.changes_since(0, limit=1_000_000):
            if change.namespace == namespace:
                found.append((change.resource, change.name))
        alive = []
        for resource, name in sorted(set(found)):
            if self.seed_api.store.get(resource, namespace, name) is not None:
                alive.append((resource, name))
        return alive

    def shoot_api(self, name: str) -> KubeApi:
        return self.agent.access.api(f"shoot--local--{name}")


def make_agent(tmp_path: Path, garden_server: servers.RunningServer, garden: ApiServer,
               seed_server: servers.RunningServer, *, components: Components | None = None,
               hook: Hook | None = None, **settings: Any) -> reconcile.Agent:
    client = GardenClient(fleet.seed_kubeconfig(garden_server, garden, SEED, tmp_path / "agent.kubeconfig"))
    kube = SeedKube(seed_server.kubeconfig)
    api = KubeApi.from_kubeconfig(seed_server.kubeconfig)
    lock = ShootLock(kube, holder="agent-1", lease_seconds=5)
    lock.ensure_namespace()
    # No thresholds: a failing check turns its condition False at once (Gardener's default without them).
    thresholds = settings.pop("thresholds", dict.fromkeys(care.ORDER))
    access = ShootAccess(seed_server.kubeconfig, api)
    return reconcile.Agent(seed=SEED, identity="agent-1", garden=client, kube=kube, lock=lock, api=api,
                           access=access, registry=Registry.load(),
                           components=components or ShootComponents(seed_ca=access.ca_pem), thresholds=thresholds,
                           hook=hook,
                           error_backoff=0.2, **settings)


@contextlib.contextmanager
def running(tmp_path: Path, *, failing_images: tuple[str, ...] = (), **agent: Any) -> Iterator[World]:
    """A garden with seed ``l-eu``, the local seed cluster, and an agent made with ``agent`` (see ``make_agent``)."""
    with fleet.running_garden(tmp_path / "garden") as (garden_server, garden), \
            fleet.local_seed(tmp_path / "seed", failing_images=failing_images) as (seed_server, seed_api):
        fleet.add_seed(garden.service, SEED, provider="local", region="eu-1", pods="10.1.0.0/16",
                       services="10.2.0.0/16", now=time.time())
        made = make_agent(tmp_path, garden_server, garden, seed_server, **agent)
        try:
            world = World(garden, seed_api, seed_server, made)
            world.garden_server = garden_server
            yield world
        finally:
            made.garden.close()
            made.access.close()
            made.api.close()
            made.kube.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with running(tmp_path) as made:
        yield made
