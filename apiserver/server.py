"""One Kubernetes-style API server: its registry, storage, change feed, auth, and the FastAPI app.

``build_app`` is called by the garden's app factory, by the local seed cluster and by tests; the same
machinery serves every kind registered in the ``Registry`` it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import anyio
import uvicorn
from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from apiserver import bodylimit, errors
from apiserver.auth import AllowAuthenticated, AuditEvent, Authenticator, Authorizer, CertificateAuthenticator
from apiserver.registry import Registry
from apiserver.responses import JSONResponse
from apiserver.service import ResourceService
from apiserver.storage.store import Store
from apiserver.watch import ChangeFeed

log = logging.getLogger(__name__)

SubresourceHandler = Callable[..., Any]
# (api, request or websocket, target, context) -> the response; see ``ApiServer.raw_subresources``.
RawHandler = Callable[..., Awaitable[Response]]


@dataclasses.dataclass
class ApiServer:
    """Everything the generic routes need; built fresh per app (and per test)."""

    registry: Registry
    store: Store
    authenticator: Authenticator
    authorizer: Authorizer = dataclasses.field(default_factory=AllowAuthenticated)
    # Client certificates (``apiserver.client_certs``): None on servers that accept only tokens.
    client_certificates: CertificateAuthenticator | None = None
    server_address: str = "127.0.0.1:6443"
    version_minor: str = "32"
    # Keep this many change-log rows when compacting; compaction runs every ``compact_interval`` seconds.
    watch_retention: int = 100_000
    compact_interval: float = 300.0
    poll_interval: float = 0.2
    # Extra subresources such as ``shoots/binding`` or ``deployments/scale``: (storage key, name) -> handler.
    subresources: dict[tuple[str, str], SubresourceHandler] = dataclasses.field(default_factory=dict)
    # Subresources answered with a response of their own (``pods/log`` text, ``pods/exec`` upgrades), for any
    # method and for WebSocket handshakes: (storage key, name) -> handler; name "" for a kind that is answered,
    # never stored (``tokenreviews``).
    raw_subresources: dict[tuple[str, str], RawHandler] = dataclasses.field(default_factory=dict)
    # Controllers that run for the lifetime of the app (the garden's project controller, ...).
    background: list[Callable[[], Coroutine[Any, Any, None]]] = dataclasses.field(default_factory=list)
    # Receives every mutating request once it has been answered (the garden's audit log).
    audit: Callable[[AuditEvent], None] | None = None
    service: ResourceService = dataclasses.field(init=False)
    feed: ChangeFeed = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.service = ResourceService(self.registry, self.store)
        self.feed = ChangeFeed(self.store, poll_interval=self.poll_interval)
        self._documents: dict[tuple[object, ...], Any] = {}

    def cached(self, key: tuple[object, ...], build: Callable[[], Any]) -> Any:
        """A document derived from the registry (OpenAPI, discovery), rebuilt when the registry changes."""
        full = (self.registry.revision, *key)
        if full not in self._documents:
            if len(self._documents) > 256:
                self._documents.clear()
            self._documents[full] = build()
        return self._documents[full]

    async def compact_forever(self) -> None:
        while True:
            await asyncio.sleep(self.compact_interval)
            try:
                await anyio.to_thread.run_sync(lambda: self.store.compact(keep=self.watch_retention))
            except Exception:  # a failed compaction is retried next round; it must not stop the server
                log.exception("change log compaction failed")


class Server(uvicorn.Server):
    """A uvicorn server that ends the open watches of its app's API server as it starts shutting down.

    Uvicorn waits for open responses before it stops; a watch would hold it until the grace period ran out.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        api = getattr(getattr(self.config.app, "state", None), "api", None)
        if isinstance(api, ApiServer):
            await api.feed.close_watches()
        self._drop_idle_connections()
        await super().shutdown(sockets)

    def _drop_idle_connections(self) -> None:
        """Close idle keep-alive connections at once instead of through TLS's close handshake.

        Uvicorn closes an idle connection politely; over TLS its connection is only gone once the peer answers the
        close_notify, which an idle client (a seed agent shutting down, a browser tab) may never do — so shutdown
        waited out its whole grace period and reported cancelling "0 running task(s)". Busy connections still end
        after their response.
        """
        for connection in list(self.server_state.connections):
            cycle = getattr(connection, "cycle", None)
            transport = getattr(connection, "transport", None)
            if transport is not None and (cycle is None or cycle.response_complete):
                transport.abort()


def build_app(api: ApiServer, *, title: str = "hortus API") -> FastAPI:
    """A FastAPI app serving discovery, OpenAPI and every registered kind of ``api``."""
    from apiserver import namespaces, routes  # both import this module

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await api.feed.start()
        tasks = [asyncio.create_task(api.compact_forever(), name="compactor")]
        tasks += [asyncio.create_task(run(), name=getattr(run, "__qualname__", "controller")) for run in api.background]
        if api.registry.get("", "v1", "namespaces") is not None:
            controller = namespaces.NamespaceController(api.service)
            tasks.append(asyncio.create_task(controller.run_forever(), name="namespace-controller"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await api.feed.stop()

    app = FastAPI(title=title, lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.api = api
    app.add_exception_handler(errors.ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
    app.include_router(routes.router(api))
    app.add_middleware(bodylimit.BodyLimit)
    return app


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.ApiError)
    return JSONResponse(exc.status(), status_code=exc.code, headers=exc.headers)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    """Unrouted paths and methods answer with a Status too, as kubectl expects."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        err = errors.path_not_found()
    elif exc.status_code == 405:
        err = errors.method_not_allowed()
    else:
        err = errors.ApiError(exc.status_code, "BadRequest" if exc.status_code < 500 else "InternalError",
                              str(exc.detail))
    return JSONResponse(err.status(), status_code=err.code)


async def _internal_error(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("internal error", exc_info=exc)
    err = errors.internal("an error on the server has prevented the request from succeeding")
    return JSONResponse(err.status(), status_code=500)
