"""The local seed cluster's API server: the built-in kinds, CRDs and ``scale`` on the shared API machinery.

``create_local_seed`` is called by ``hortus seed local`` (``hortus.seed_local``), by ``hortus up`` and by tests;
the simulated controllers are added to the returned ``ApiServer``'s ``background`` by their own module. State
lives in ``<state_dir>/seed-local.db`` (SQLite), or in a temporary database removed with the app. Each ready
shoot's own API (``seed.local.shoots``) is built by ``local_api`` too and served under ``/shoots/<namespace>``.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import weakref
from collections.abc import Collection
from pathlib import Path
from typing import Any

from fastapi import FastAPI

import migrations
from apiserver import errors, reviews
from apiserver.auth import Authenticator, TokenAuthenticator
from apiserver.context import UserInfo, system_context
from apiserver.registry import Registry, ResourceType
from apiserver.server import ApiServer, build_app
from apiserver.storage import engine as engines
from apiserver.storage import migrate
from apiserver.storage.store import Store
from seed.local import admission, crds, kinds, podexec, podlogs, serviceaccounts
from seed.local.scale import ScaleHandler
from seed.local.shoots import endpoints
from seed.local.sim import Delays, Simulation

ADMIN = UserInfo(name="hortus:seed-admin", groups=("system:masters", "system:authenticated"))
DATABASE = "seed-local.db"
# What every cluster has before anyone writes to it.
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
SCALABLE = ("apps/deployments", "apps/replicasets", "apps/statefulsets")


def create_local_seed(
    state_dir: Path | None,
    *,
    token: str,
    server_address: str = "127.0.0.1:6444",
    poll_interval: float = 0.2,
    serving_ca: bytes | None = None,
    delays: Delays | None = None,
    failing_images: Collection[str] = (),
) -> tuple[FastAPI, ApiServer]:
    """The app and its ``ApiServer``; ``token`` is the admin's bearer token (group ``system:masters``).

    ``serving_ca`` (PEM) goes into shoot kubeconfigs; without it they read ``<state_dir>/seed-local-ca.crt``.
    """
    directory = state_dir or Path(tempfile.mkdtemp(prefix="hortus-seed-local-"))
    directory.mkdir(parents=True, exist_ok=True)
    api = local_api(directory / DATABASE, authenticator=TokenAuthenticator.from_tokens({token: ADMIN}),
                    server_address=server_address, poll_interval=poll_interval)
    simulation = Simulation(api, delays=delays or Delays(), failing_images=failing_images)
    simulation.prepare()  # the Nodes are there before the first request
    api.background.append(simulation.run_forever)
    app = build_app(api, title="hortus local seed")

    def shoot_api(database: Path, *, authenticator: Authenticator, server_address: str) -> ApiServer:
        return local_api(database, authenticator=authenticator, server_address=server_address,
                         poll_interval=poll_interval)

    endpoints.attach(app, api, directory=directory, make_api=shoot_api, ca_pem=serving_ca, delays=delays)
    if state_dir is None:
        weakref.finalize(app, _remove, engine=api.store.engine, directory=directory)
    return app, api


def local_api(
    database: Path, *, authenticator: Authenticator, server_address: str, poll_interval: float = 0.2
) -> ApiServer:
    """A local cluster's ``ApiServer`` on the SQLite file ``database``: the seed's own, and each shoot's."""
    engine = engines.make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine, migrations.LOCATION)
    registry = Registry()
    store = Store(engine, sensitive=lambda key: bool((rt := registry.by_key(key)) and rt.sensitive))
    api = ApiServer(registry=registry, store=store, authenticator=authenticator, server_address=server_address,
                    poll_interval=poll_interval)
    controller = crds.CrdController(api)
    for rt in kinds.builtin_types(services=admission.ServiceAllocator(api.service)):
        registry.register(serviceaccounts.with_default_accounts(_with_crd_admission(rt, controller), api))
    keys = serviceaccounts.KeyPair(database.parent / f"{database.stem}.sa-key.pem")
    api.authenticator = serviceaccounts.Either(authenticator, serviceaccounts.TokenAuthenticator(api, keys))
    api.raw_subresources[(serviceaccounts.ACCOUNTS, "token")] = serviceaccounts.token_request(keys)
    for key in SCALABLE:
        api.subresources[(key, "scale")] = ScaleHandler()
    pods = registry.get("", "v1", "pods")
    assert pods is not None
    api.raw_subresources[(pods.key, "log")] = podlogs.serve
    for name in ("exec", "attach", "portforward"):
        api.raw_subresources[(pods.key, name)] = podexec.refuse
    reviews.install(api)
    bootstrap(api)
    serviceaccounts.ensure_all(api)
    controller.sync()  # CRDs stored by an earlier run are served from the first request on
    store.listeners.append(controller.on_commit)
    api.background.append(controller.run_forever)
    return api


def _with_crd_admission(rt: ResourceType, controller: crds.CrdController) -> ResourceType:
    if (rt.group, rt.plural) != (crds.GROUP, crds.PLURAL):
        return rt
    return dataclasses.replace(rt, admission=(*rt.admission, controller.admit))


def bootstrap(api: ApiServer) -> None:
    """The system namespaces and the ``kubernetes`` Service, created once (idempotent on restart)."""
    namespaces = api.registry.get("", "v1", "namespaces")
    services = api.registry.get("", "v1", "services")
    assert namespaces is not None and services is not None
    for name in SYSTEM_NAMESPACES:
        _create_missing(api, namespaces, "", {"metadata": {"name": name}})
    port = int(api.server_address.rpartition(":")[2] or 443)
    service = {
        "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": admission.KUBERNETES_SERVICE_IP,
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}]},
    }
    _create_missing(api, services, "default", service)


def _create_missing(api: ApiServer, rt: ResourceType, namespace: str, body: dict[str, Any]) -> None:
    if api.store.get(rt.key, namespace, body["metadata"]["name"]) is not None:
        return  # created by an earlier run (admission would refuse the kubernetes Service's taken IP first)
    try:
        api.service.create(rt, namespace, body, system_context())
    except errors.ApiError as exc:
        if exc.code != 409:
            raise


def _remove(*, engine: object, directory: Path) -> None:
    dispose = getattr(engine, "dispose", None)
    if callable(dispose):
        dispose()
    shutil.rmtree(directory, ignore_errors=True)
