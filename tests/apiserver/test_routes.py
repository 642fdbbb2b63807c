"""Answers outside the registered kinds are Kubernetes Status bodies too (kubectl prints them as such)."""

from __future__ import annotations

import ssl

import httpx

from apiserver.server import ApiServer
from tests.support.servers import RunningServer


def test_unknown_paths_and_kinds_answer_with_a_not_found_status(running: tuple[RunningServer, ApiServer]) -> None:
    server, _ = running
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with httpx.Client(base_url=server.url, verify=context, headers={"Authorization": f"Bearer {server.token}"}) as c:
        for path in ("/nowhere", "/apis/test.hortus.dev/v1alpha1/nothings", "/apis/no.such.group/v1"):
            resp = c.get(path)
            assert resp.status_code == 404, path
            body = resp.json()
            assert (body["kind"], body["reason"], body["code"]) == ("Status", "NotFound", 404)
        resp = c.post("/version")
        assert resp.status_code == 405 and resp.json()["reason"] == "MethodNotAllowed"
