"""Prometheus metrics of one API server: the request latency histogram and the ``/metrics`` exposition.

``apiserver.server.build_app`` wraps the app in ``RequestMetrics`` (one histogram sample per answered request) and
``apiserver.discovery_routes`` serves ``/metrics``; ``apiserver.routes.handle`` names the verb and resource of a
resource request with ``label_request``. Each ``ApiServer`` has a registry of its own, so that several servers in one
process (the garden, the local seed, tests) do not mix their figures; the garden adds its own collectors
(``garden.metrics``) to it.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SCOPE_KEY = "hortus.metrics"
# The verbs Kubernetes reports in apiserver_request_duration_seconds, from the authorization verb.
_REPORTED = {"get": "GET", "list": "LIST", "watch": "WATCH", "create": "POST", "update": "PUT", "patch": "PATCH",
             "delete": "DELETE", "deletecollection": "DELETE"}
_APPLY = "application/apply-patch+yaml"
# Kubernetes' buckets for apiserver_request_duration_seconds.
_BUCKETS = (0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0,
            20.0, 30.0, 45.0, 60.0)


class Metrics:
    """The registry of one API server and the request histogram in it."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_duration = Histogram(
            "hortus_apiserver_request_duration_seconds",
            "Response latency distribution in seconds for each verb, group, resource, subresource and code.",
            ["verb", "group", "resource", "subresource", "code"], buckets=_BUCKETS, registry=self.registry)


def label_request(scope: Scope, *, verb: str, group: str, resource: str, subresource: str) -> None:
    """Name the resource request being answered (called once it is resolved, before it is authorized)."""
    labels = scope.get(_SCOPE_KEY)
    if labels is None:
        return
    reported = _REPORTED.get(verb, verb.upper())
    if reported == "PATCH" and _content_type(scope) == _APPLY:
        reported = "APPLY"
    labels.update(verb=reported, group=group, resource=resource, subresource=subresource)


class RequestMetrics:
    """ASGI middleware: observe how long each HTTP request took, by verb, resource and status code.

    Requests that serve no resource (discovery, ``/metrics``, the console) are counted with their HTTP method and an
    empty resource, as Kubernetes counts non-resource URLs. A watch is observed when it ends.
    """

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        labels: dict[str, str] = {"verb": str(scope.get("method", "")).upper(), "group": "", "resource": "",
                                  "subresource": ""}
        scope[_SCOPE_KEY] = labels
        status = {"code": 500}

        async def recorded(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, recorded)
        finally:
            self.metrics.request_duration.labels(code=str(status["code"]), **labels).observe(
                time.perf_counter() - started)


def _content_type(scope: Scope) -> str:
    headers: Any = scope.get("headers") or []
    for key, value in headers:
        if key == b"content-type":
            return bytes(value).decode("latin-1").split(";", 1)[0].strip().lower()
    return ""
