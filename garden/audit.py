"""The garden's audit log: a sink for ``AuditEvent``s, the reader the console and ``hortus audit`` use, and a
small operator-only HTTP endpoint ``GET /audit/v1/events``.

Wired by ``garden.app.create_app``: ``ApiServer.audit`` is the ``AuditLog`` (answered mutations), and
``RecordDenials`` wraps the authorizer so refused mutations (403) are recorded too. No request body is ever stored.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import anyio
from fastapi import APIRouter, Request

from apiserver import access, errors
from apiserver.auth import Attributes, AuditEvent, Authorizer
from apiserver.context import UserInfo
from apiserver.registry import ResourceType
from apiserver.responses import JSONResponse
from apiserver.server import ApiServer
from apiserver.storage.audit import AuditFilter, AuditStore

log = logging.getLogger(__name__)
MUTATING = frozenset({"create", "update", "patch", "delete", "deletecollection"})
PATH = "/audit/v1/events"
_FILTERS = ("user", "verb", "group", "resource", "namespace", "name")

__all__ = ["PATH", "AuditFilter", "AuditLog", "RecordDenials", "router"]


class AuditLog:
    """Callable as ``ApiServer.audit``; a failing write is logged, never turned into a failed request."""

    def __init__(self, store: AuditStore) -> None:
        self.store = store

    def __call__(self, event: AuditEvent) -> None:
        try:
            self.store.append(event)
        except Exception:  # the request has been answered already; losing one record must not hide the answer
            log.exception("audit event could not be stored: %s", event)

    def recent(self, limit: int = 100, filters: AuditFilter | None = None,
               hide: tuple[tuple[str, str], ...] = ()) -> list[AuditEvent]:
        """The newest ``limit`` events matching ``filters`` (less the ``hide`` pairs), newest first."""
        return self.store.recent(limit=limit, filters=filters, hide=hide)


class RecordDenials:
    """An ``Authorizer`` that records every refused mutation (code 403) in the audit log, then refuses it."""

    def __init__(self, inner: Authorizer, sink: AuditLog) -> None:
        self.inner = inner
        self.sink = sink

    def authorize(self, user: UserInfo, attrs: Attributes) -> str | None:
        reason = self.inner.authorize(user, attrs)
        if reason is not None and attrs.verb in MUTATING and attrs.is_resource_request:
            self.sink(access.audit_event(user, attrs, 403))
        return reason

    def visible(self, user: UserInfo, rt: ResourceType, obj: dict[str, Any]) -> bool:
        return self.inner.visible(user, rt, obj)


def router(api: ApiServer, audit: AuditLog) -> APIRouter:
    """``GET /audit/v1/events?limit=&user=&impersonatedUser=&verb=&group=&resource=&namespace=&name=&minCode=``
    for operators."""
    from apiserver.routes import authenticate  # the routes module imports the server module, as this one does

    r = APIRouter()

    @r.get(PATH)
    async def events(request: Request) -> JSONResponse:
        user = authenticate(api, request)
        reason = api.authorizer.authorize(user, Attributes(verb="get", path=PATH))
        if reason is not None:
            raise errors.forbidden(f'User "{user.name}" cannot get path "{PATH}": {reason}')
        q = request.query_params
        filters = AuditFilter(**{f: q[f] for f in _FILTERS if q.get(f)},
                              impersonated_user=q.get("impersonatedUser") or None,
                              min_code=_int(q.get("minCode"), "minCode") or None)
        limit = _int(q.get("limit"), "limit") or 100
        found = await anyio.to_thread.run_sync(lambda: audit.recent(limit, filters))
        return JSONResponse({"kind": "AuditEventList", "items": [dataclasses.asdict(e) for e in found]})

    return r


def _int(value: str | None, name: str) -> int:
    try:
        return int(value or 0)
    except ValueError:
        raise errors.bad_request(f'{name} must be an integer, not "{value}"') from None


def for_engine(engine: Any) -> AuditLog:
    return AuditLog(AuditStore(engine))
