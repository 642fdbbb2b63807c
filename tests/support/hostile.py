"""A server under hostile requests: a raw HTTPS client, a namespace of its own and snapshots of what it stores.

Used by the hostile-input tests in ``tests/apiserver`` (bodies, metadata, sizes, query parameters, poisoned rows)
and by the property-based test and its bench, against the garden and the local seed alike.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ssl
from collections.abc import Iterator
from typing import Any

import httpx

from apiserver.server import ApiServer
from tests.support.servers import RunningServer

JSON = dict[str, Any]
NAMESPACE = "hostile"


@dataclasses.dataclass
class Target:
    """One running server: ``name`` is "garden" or "seed"."""

    name: str
    server: RunningServer
    api: ApiServer
    client: httpx.Client
    namespace: str = NAMESPACE

    def configmaps(self, name: str = "") -> str:
        base = f"/api/v1/namespaces/{self.namespace}/configmaps"
        return f"{base}/{name}" if name else base

    def configmap(self, name: str, **extra: Any) -> JSON:
        body: JSON = {"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": name, "labels": {"keep": "me"}}, "data": {"k": "v"}}
        body.update(extra)
        return body

    def create_configmap(self, name: str) -> JSON:
        resp = self.client.post(self.configmaps(), json=self.configmap(name))
        assert resp.status_code == 201, resp.text
        created: JSON = resp.json()
        return created

    def snapshot(self) -> dict[str, JSON]:
        """Every ConfigMap of the namespace as served by a list: name -> (labels, annotations, data, rv)."""
        resp = self.client.get(self.configmaps())
        assert resp.status_code == 200, resp.text
        return {item["metadata"]["name"]: {"labels": item["metadata"].get("labels"),
                                           "annotations": item["metadata"].get("annotations"),
                                           "data": item.get("data"),
                                           "rv": item["metadata"]["resourceVersion"]}
                for item in resp.json()["items"]}

    def healthy(self) -> bool:
        return self.client.get("/healthz").status_code == 200 and self.client.get(self.configmaps()).status_code == 200


def client_for(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, verify=ssl.create_default_context(cafile=str(server.ca_file)),
                        headers={"Authorization": f"Bearer {server.token}"}, timeout=60)


@contextlib.contextmanager
def open_target(name: str, server: RunningServer, api: ApiServer) -> Iterator[Target]:
    with client_for(server) as client:
        resp = client.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                        "metadata": {"name": NAMESPACE}})
        assert resp.status_code in (201, 409), resp.text
        yield Target(name=name, server=server, api=api, client=client)


def refused(resp: httpx.Response, code: int, reason: str, *, field: str | None = None) -> JSON:
    """Assert a Kubernetes Status failure with ``code`` and ``reason`` (and a cause or message naming ``field``)."""
    assert resp.status_code == code, f"{resp.status_code} {resp.text[:500]}"
    status: JSON = resp.json()
    assert status["kind"] == "Status" and status["status"] == "Failure", status
    assert status["reason"] == reason and status["code"] == code, status
    if field is not None:
        causes = [c.get("field") for c in (status.get("details") or {}).get("causes") or []]
        assert field in causes or field in status["message"], status
    return status
