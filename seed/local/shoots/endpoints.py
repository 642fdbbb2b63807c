"""Per-shoot API endpoints: the local seed cluster serves each ready shoot's own Kubernetes API.

``attach`` is called by ``seed.local.server.create_local_seed``; ``shoot_kubeconfig`` by the seed agent and tests.
A namespace ``shoot--<project>--<name>`` whose ``kube-apiserver`` Deployment wants and has a ready replica
(``spec.replicas`` and ``status.readyReplicas`` >= 1) gets an API of its own: a separate SQLite store
(``<state>/shoots/<namespace>.db``; kept across restarts and hibernation, removed with the namespace) with the
local cluster's kinds, its own change feed, namespace controller and kubelet simulation, served at
``https://<seed>/shoots/<namespace>`` — a path prefix rather than a port per shoot, so one listener and one
serving certificate cover every shoot (kubectl and the official client keep the prefix for every request,
discovery and watches included).

While the Deployment has no ready replica (hibernated, crashing) the endpoint answers every request with a 503
``Status`` (``ServiceUnavailable``): what kubectl shows for an API server behind a load balancer with no healthy
backend. Requests in flight when it goes (watches) are cut off, as a stopped kube-apiserver drops its
connections. Clients authenticate with the token in Secret ``kube-apiserver-token`` (key ``token``) in the shoot
namespace on the seed — created with a random token when missing; whoever writes another token there (the seed
agent) rotates it — and act as ``system:masters``; or with a client certificate of the shoot's client CA (the
admin and viewer kubeconfigs of ``shoots/adminkubeconfig``; ``seed.local.shoots.clientcerts``), for which the
seed's listener must be served with ``client_cas.uvicorn_options()`` (``apiserver.client_certs``). A client
holding only the seed's kubeconfig builds the shoot's the same way: its server + ``endpoint_path``, its CA, and
the token read from (or written to) that Secret.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import logging
import re
import secrets
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

import anyio
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from apiserver import auth, client_certs, errors, tls
from apiserver.context import UserInfo, system_context
from apiserver.registry import ResourceType
from apiserver.responses import JSONResponse
from apiserver.server import ApiServer, build_app
from seed.local.shoots import clientcerts, machines
from seed.local.sim import Delays, Simulation

log = logging.getLogger(__name__)
JSON = dict[str, Any]
Background = Callable[[], Coroutine[Any, Any, None]]

PREFIX = "/shoots"
DEPLOYMENT = "kube-apiserver"
TOKEN_SECRET = "kube-apiserver-token"
TOKEN_KEY = "token"
SHOOTS_DIR = "shoots"
# The CA file ``hortus seed local`` keeps beside the seed's database (``hortus.seed_local.NAME``).
SERVING_CA_FILE = "seed-local-ca.crt"
SHOOT_NAMESPACE = re.compile(r"shoot--[a-z0-9](?:[-a-z0-9]*[a-z0-9])?--[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")
SHOOT_ADMIN = UserInfo(name="system:cluster-admin", groups=("system:masters", "system:authenticated"))
_VERSION = re.compile(r":v1\.(\d+)(?:\.\d+)?")


class ApiFactory(Protocol):
    """Builds a local cluster's ``ApiServer`` on one SQLite file (``seed.local.server.local_api``)."""

    def __call__(self, database: Path, *, authenticator: auth.Authenticator, server_address: str) -> ApiServer: ...


def endpoint_path(namespace: str) -> str:
    """Where the seed serves the shoot API of ``namespace``, below its own URL."""
    return f"{PREFIX}/{namespace}"


def is_shoot_namespace(namespace: str) -> bool:
    return bool(SHOOT_NAMESPACE.fullmatch(namespace))


def is_ready(deployment: JSON) -> bool:
    """Whether a kube-apiserver Deployment serves: it wants a replica, has a ready one and is not going away."""
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    wanted = spec.get("replicas", 1)
    return (not deployment["metadata"].get("deletionTimestamp") and isinstance(wanted, int) and wanted >= 1
            and int(status.get("readyReplicas") or 0) >= 1)


def simulation(delays: Delays) -> Callable[[ApiServer], Background | None]:
    """The kubelet simulation of a shoot's API: no Nodes of its own (its machines' come from ``machines``)."""
    return lambda api: Simulation(api, delays=delays, nodes=None).run_forever


# --- authentication --------------------------------------------------------------------------------------------


def _secret_type(seed: ApiServer) -> ResourceType:
    rt = seed.registry.get("", "v1", "secrets")
    assert rt is not None, "the local seed serves Secrets"
    return rt


def read_token(seed: ApiServer, namespace: str) -> str | None:
    """The shoot's admin token from its Secret on the seed, or None."""
    try:
        secret = seed.service.get(_secret_type(seed), namespace, TOKEN_SECRET)
    except errors.ApiError as exc:
        if exc.code == 404:
            return None
        raise
    value = (secret.get("data") or {}).get(TOKEN_KEY)
    return base64.b64decode(value).decode() if value else None


def admin_token(seed: ApiServer, namespace: str) -> str:
    """The shoot's admin token; a random one is stored first when the namespace has none."""
    token = read_token(seed, namespace)
    if token is not None:
        return token
    body = {"metadata": {"name": TOKEN_SECRET, "labels": {"app.kubernetes.io/managed-by": "hortus-local-seed"}},
            "type": "Opaque", "stringData": {TOKEN_KEY: secrets.token_urlsafe(32)}}
    try:
        seed.service.create(_secret_type(seed), namespace, body, system_context())
    except errors.ApiError as exc:
        if exc.code != 409:  # written meanwhile by someone else (the seed agent): theirs counts
            raise
    token = read_token(seed, namespace)
    assert token is not None, f"secret {namespace}/{TOKEN_SECRET} has no {TOKEN_KEY!r}"
    return token


class SeedSecretTokens:
    """A shoot API's authenticator: the token in the shoot's Secret on the seed, re-read at most every ``ttl``
    seconds while it matches, and on every token it does not know (so a rotated token works at once)."""

    def __init__(self, seed: ApiServer, namespace: str, *, ttl: float = 2.0) -> None:
        self.seed, self.namespace, self.ttl = seed, namespace, ttl
        self._digest: str | None = None
        self._read_at = float("-inf")

    def authenticate(self, token: str) -> UserInfo | None:
        wanted = auth.digest(token)
        if wanted != self._digest or time.monotonic() - self._read_at > self.ttl:
            current = read_token(self.seed, self.namespace)
            self._digest = None if current is None else auth.digest(current)
            self._read_at = time.monotonic()
        return SHOOT_ADMIN if wanted == self._digest else None


# --- the served shoots -----------------------------------------------------------------------------------------


@dataclasses.dataclass
class ServedShoot:
    """One running shoot API: its server, app, running lifespan and the requests it is answering."""

    namespace: str
    api: ApiServer
    app: FastAPI
    lifespan: contextlib.AsyncExitStack
    certificates: clientcerts.ShootClientCertificates
    requests: set[anyio.CancelScope] = dataclasses.field(default_factory=set)


class ShootEndpoints:
    """Starts and stops the shoot APIs of one seed (a background controller of the seed) and routes
    ``/shoots/<namespace>/...`` to them (an ASGI app mounted on the seed's app)."""

    def __init__(
        self,
        seed: ApiServer,
        *,
        directory: Path,
        make_api: ApiFactory,
        ca_pem: bytes | None = None,
        interval: float = 0.25,
        resync_interval: float = 10.0,
        simulate: Callable[[ApiServer], Background | None] | None = None,
    ) -> None:
        self.seed = seed
        self.directory = directory
        self.make_api = make_api
        self.ca_pem = ca_pem
        self.interval = interval
        self.simulate = simulate or simulation(Delays())
        self.resync_interval = resync_interval
        self.served: dict[str, ServedShoot] = {}
        # The CAs of every served shoot's client certificates, trusted by the seed's TLS listener.
        self.client_cas = client_certs.ClientCAs()
        self._seen_rv, self._resynced = -1, float("-inf")

    def database(self, namespace: str) -> Path:
        return self.directory / SHOOTS_DIR / f"{namespace}.db"

    def serving_ca(self) -> bytes:
        """The PEM CA of the seed's serving certificate, as given or as ``hortus seed local`` keeps it."""
        if self.ca_pem is not None:
            return self.ca_pem
        try:
            return (self.directory / SERVING_CA_FILE).read_bytes()
        except OSError as exc:
            raise LookupError(f"the local seed's serving CA is unknown: pass serving_ca to create_local_seed or "
                              f"keep it in {self.directory / SERVING_CA_FILE}") from exc

    # --- the controller ---

    async def __call__(self) -> None:
        try:
            while True:
                try:
                    if await self._seed_changed():
                        await self.reconcile()
                except Exception:  # one failed round must not stop the endpoints; the next one retries
                    log.exception("shoot endpoints round failed")
                await asyncio.sleep(self.interval)
        finally:
            for namespace in list(self.served):
                await self.stop(namespace)

    async def _seed_changed(self) -> bool:
        """Whether a round is due: the seed's store changed since the last one, or a resync is due (a Node deleted
        in a shoot comes back then)."""
        rv = await anyio.to_thread.run_sync(self.seed.store.current_rv)
        due = rv != self._seen_rv or time.monotonic() - self._resynced > self.resync_interval
        if due:
            self._seen_rv, self._resynced = rv, time.monotonic()
        return due

    async def reconcile(self) -> None:
        """Serve exactly the shoots whose kube-apiserver is ready, then sync their machines' Nodes."""
        ready = await anyio.to_thread.run_sync(self.ready_shoots)
        for namespace in [n for n in self.served if n not in ready]:
            await self.stop(namespace)
        for namespace, deployment in ready.items():
            if namespace not in self.served:
                try:
                    await self.start(namespace, deployment)
                except Exception:  # one broken shoot must not keep the others down
                    log.exception("starting the API of %s failed", namespace)
        served = dict(self.served)
        await anyio.to_thread.run_sync(lambda: self._trust_client_cas(served))
        await anyio.to_thread.run_sync(lambda: self._sync_machines(served))
        await anyio.to_thread.run_sync(self._forget_deleted)

    def ready_shoots(self) -> dict[str, JSON]:
        """Shoot namespace -> its ready kube-apiserver Deployment."""
        rt = self.seed.registry.get("apps", "v1", "deployments")
        assert rt is not None, "the local seed serves Deployments"
        found = self.seed.service.list(rt, None, field_selector=f"metadata.name={DEPLOYMENT}").items
        return {d["metadata"]["namespace"]: d for d in found
                if is_shoot_namespace(d["metadata"]["namespace"]) and is_ready(d)}

    async def start(self, namespace: str, deployment: JSON) -> None:
        api = await anyio.to_thread.run_sync(lambda: self._build(namespace, deployment))
        run = self.simulate(api)
        if run is not None:
            api.background.append(run)
        app = build_app(api, title=f"hortus shoot {namespace}")
        stack = contextlib.AsyncExitStack()
        try:
            await stack.enter_async_context(app.router.lifespan_context(app))
        except BaseException:
            api.store.engine.dispose()
            raise
        assert isinstance(api.client_certificates, clientcerts.ShootClientCertificates)
        self.served[namespace] = ServedShoot(namespace=namespace, api=api, app=app, lifespan=stack,
                                             certificates=api.client_certificates)
        log.info("serving the API of %s", namespace)

    def _build(self, namespace: str, deployment: JSON) -> ApiServer:
        admin_token(self.seed, namespace)
        self.database(namespace).parent.mkdir(parents=True, exist_ok=True)
        api = self.make_api(self.database(namespace), authenticator=SeedSecretTokens(self.seed, namespace),
                            server_address=self.seed.server_address)
        api.version_minor = _version_minor(deployment) or api.version_minor
        certificates = clientcerts.ShootClientCertificates(self.seed, namespace, trust=self.client_cas.add)
        certificates.refresh()
        api.client_certificates, api.authorizer = certificates, clientcerts.ShootAuthorizer()
        return api

    async def stop(self, namespace: str) -> None:
        """Stop serving a shoot: new requests get 503 at once, those in flight are cut off."""
        shoot = self.served.pop(namespace)
        for scope in list(shoot.requests):
            scope.cancel()
        try:
            await shoot.lifespan.aclose()
        finally:
            shoot.api.store.engine.dispose()
        log.info("stopped serving the API of %s", namespace)

    def _trust_client_cas(self, served: dict[str, ServedShoot]) -> None:
        """Every served shoot's current client CA, trusted by the listener (a CA renewed by the seed agent too)."""
        for namespace, shoot in served.items():
            try:
                shoot.certificates.refresh()
            except Exception:  # retried next round
                log.exception("reading the client CA of %s failed", namespace)

    def _sync_machines(self, served: dict[str, ServedShoot]) -> None:
        for namespace, shoot in served.items():
            try:
                machines.sync_nodes(self.seed, shoot.api, namespace=namespace)
            except Exception:  # retried next round
                log.exception("syncing the machines of %s failed", namespace)

    def _forget_deleted(self) -> None:
        """Remove the stores of shoots whose namespace is gone from the seed: a new shoot of the same name starts
        empty."""
        namespaces = self.seed.registry.get("", "v1", "namespaces")
        assert namespaces is not None
        for database in (self.directory / SHOOTS_DIR).glob("*.db"):
            name = database.name.removesuffix(".db")
            if name not in self.served and self.seed.store.get(namespaces.key, "", name) is None:
                for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
                    path.unlink(missing_ok=True)

    # --- the ASGI app under PREFIX ---

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        namespace = _route_path(scope).lstrip("/").partition("/")[0]
        shoot = self.served.get(namespace)
        if shoot is None or scope["type"] != "http":
            await _refusal(namespace)(scope, receive, send)
            return
        child = {**scope, "root_path": f"{scope.get('root_path', '')}/{namespace}"}
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        with anyio.CancelScope() as cancel:
            shoot.requests.add(cancel)
            try:
                await shoot.app(child, receive, tracked)
            finally:
                shoot.requests.discard(cancel)
        if cancel.cancelled_caught and not started:
            await _refusal(namespace)(scope, receive, send)


def _route_path(scope: Scope) -> str:
    path, root = str(scope["path"]), str(scope.get("root_path", ""))
    return path[len(root):] if root and path.startswith(root) else path


def _refusal(namespace: str) -> JSONResponse:
    if not is_shoot_namespace(namespace):
        err = errors.path_not_found()
    else:
        err = errors.service_unavailable(f'the API server of shoot namespace "{namespace}" is unavailable: its '
                                         f'{DEPLOYMENT} Deployment has no ready replica')
    return JSONResponse(err.status(), status_code=err.code)


def _version_minor(deployment: JSON) -> str | None:
    """The minor version of the kube-apiserver image (``...kube-apiserver:v1.31.2`` -> ``31``), if tagged so."""
    containers = ((deployment.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []
    for container in containers:
        if container.get("name") == DEPLOYMENT and (m := _VERSION.search(str(container.get("image", "")))):
            return m.group(1)
    return None


# --- wiring ----------------------------------------------------------------------------------------------------


def attach(
    app: FastAPI,
    seed: ApiServer,
    *,
    directory: Path,
    make_api: ApiFactory,
    ca_pem: bytes | None = None,
    delays: Delays | None = None,
) -> ShootEndpoints:
    """Run a ``ShootEndpoints`` for ``seed`` (state under ``directory``) and mount it at ``PREFIX`` on ``app``;
    shoot APIs simulate their pods with ``delays`` (the seed's)."""
    endpoints = ShootEndpoints(seed, directory=directory, make_api=make_api, ca_pem=ca_pem,
                               interval=max(seed.poll_interval, 0.05), simulate=simulation(delays or Delays()))
    seed.background.append(endpoints)
    app.mount(PREFIX, endpoints.asgi)
    return endpoints


def manager_of(seed: ApiServer) -> ShootEndpoints:
    """The ``ShootEndpoints`` attached to ``seed``."""
    for run in seed.background:
        if isinstance(run, ShootEndpoints):
            return run
    raise LookupError("this API server serves no shoot endpoints")


def uvicorn_options(seed: ApiServer) -> dict[str, Any]:
    """What ``uvicorn.Config`` needs to serve ``seed`` so that shoot APIs take client certificates."""
    return manager_of(seed).client_cas.uvicorn_options()


def shoot_kubeconfig(
    seed_api: ApiServer, namespace: str, *, seed_url: str | None = None, ca_pem: bytes | None = None
) -> JSON:
    """An admin kubeconfig for the shoot API of ``namespace``: ``<seed_url>/shoots/<namespace>`` (default: the
    seed's ``server_address``), the seed's serving CA and the shoot's admin token (stored first if missing)."""
    base = (seed_url or f"https://{seed_api.server_address}").rstrip("/")
    return tls.kubeconfig(server=f"{base}{endpoint_path(namespace)}",
                          ca_pem=ca_pem or manager_of(seed_api).serving_ca(), token=admin_token(seed_api, namespace),
                          cluster=namespace, user=f"{namespace}-admin")
