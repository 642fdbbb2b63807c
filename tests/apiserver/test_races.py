"""Writes racing a delete of the same object end in a Kubernetes answer (success, 404 or 409), never a 5xx."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from apiserver.server import ApiServer
from tests.support.servers import RunningServer

BASE = "/apis/test.hortus.dev/v1alpha1/namespaces/race/widgets"
ROUNDS = 40
Request = Callable[[httpx.Client, str], httpx.Response]


def _patch(c: httpx.Client, name: str) -> httpx.Response:
    return c.patch(f"{BASE}/{name}", content=b'{"metadata":{"labels":{"touched":"yes"}}}',
                   headers={"Content-Type": "application/merge-patch+json"})


def _put(c: httpx.Client, name: str) -> httpx.Response:
    body = {"apiVersion": "test.hortus.dev/v1alpha1", "kind": "Widget",
            "metadata": {"name": name, "namespace": "race", "labels": {"put": "yes"}}, "spec": {"size": 2}}
    return c.put(f"{BASE}/{name}", json=body)


def _delete(c: httpx.Client, name: str) -> httpx.Response:
    return c.delete(f"{BASE}/{name}")


@pytest.mark.parametrize(("first", "second"), [(_patch, _delete), (_put, _delete), (_delete, _delete)],
                         ids=["patch-delete", "put-delete", "delete-delete"])
def test_a_write_racing_a_delete_answers_like_kubernetes(running: tuple[RunningServer, ApiServer],
                                                          first: Request, second: Request) -> None:
    server, _ = running
    context = ssl.create_default_context(cafile=str(server.ca_file))
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, verify=context, headers=headers, timeout=30) as c, \
            ThreadPoolExecutor(2) as pool:
        assert c.post("/api/v1/namespaces", json={"metadata": {"name": "race"}}).status_code == 201
        codes: list[int] = []
        for i in range(ROUNDS):
            name = f"w{i}"
            created = c.post(BASE, json={"apiVersion": "test.hortus.dev/v1alpha1", "kind": "Widget",
                                         "metadata": {"name": name}, "spec": {"size": 1}})
            assert created.status_code == 201, created.text
            start = threading.Barrier(2)

            def run(request: Request, n: str = name, gate: threading.Barrier = start) -> httpx.Response:
                gate.wait()
                return request(c, n)

            answers = [f.result() for f in [pool.submit(run, first), pool.submit(run, second)]]
            for answer in answers:
                assert answer.status_code in (200, 201, 202, 404, 409), answer.text
                if answer.status_code >= 400:
                    assert answer.json()["kind"] == "Status"
            codes += [a.status_code for a in answers]
            assert c.get(f"{BASE}/{name}").status_code == 404  # the delete always wins in the end
        assert c.get(BASE).status_code == 200
    assert all(code < 500 for code in codes)
