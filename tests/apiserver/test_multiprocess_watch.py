"""Watches across API server processes: a write through one process reaches a watch on another.

Each server polls the shared database's change log, so this holds for PostgreSQL (production, several API
replicas) and for SQLite files shared by processes on one machine.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import servers

URL = "/apis/test.hortus.dev/v1alpha1/namespaces/mp/widgets"


@pytest.fixture
def two_servers(db_url: str, tmp_path: Path) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    token = servers.new_token()
    procs, clients = [], []
    try:
        for _ in range(2):
            port = servers.free_port()
            procs.append(subprocess.Popen([sys.executable, "-m", "tests.support.widget_server", "--db", db_url,
                                           "--dir", str(tmp_path), "--port", str(port), "--token", token]))
            client = _client(f"https://127.0.0.1:{port}", tmp_path / "bench-ca.crt", token)
            _wait(client)
            clients.append(client)
        yield clients[0], clients[1]
    finally:
        for client in clients:
            client.close()
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _client(url: str, ca: Path, token: str) -> httpx.Client:
    deadline = time.monotonic() + 30
    while not ca.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.1)  # the CA file is written before the certificate; let the writer finish
    return httpx.Client(base_url=url, verify=ssl.create_default_context(cafile=str(ca)),
                        headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _wait(client: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def test_watch_on_one_process_sees_writes_made_through_another(two_servers: tuple[httpx.Client, httpx.Client]) -> None:
    writer, watcher = two_servers
    writer.post("/api/v1/namespaces", json={"metadata": {"name": "mp"}}).raise_for_status()
    start = writer.get(URL).json()["metadata"]["resourceVersion"]
    events: list[tuple[str, str]] = []

    def watch() -> None:
        params = {"watch": "true", "resourceVersion": start, "timeoutSeconds": "8"}
        with watcher.stream("GET", URL, params=params) as resp:
            for line in resp.iter_lines():
                event = json.loads(line)
                events.append((event["type"], event["object"]["metadata"]["name"]))
                if len(events) == 3:
                    return

    thread = threading.Thread(target=watch)
    thread.start()
    time.sleep(0.5)
    body = {"metadata": {"name": "w1"}, "spec": {"color": "red"}}
    writer.post(URL, json=body).raise_for_status()
    writer.patch(f"{URL}/w1", content=b'{"spec":{"color":"blue"}}',
                 headers={"Content-Type": "application/merge-patch+json"}).raise_for_status()
    writer.delete(f"{URL}/w1").raise_for_status()
    thread.join(timeout=15)
    assert events == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]


def test_a_list_paged_on_one_process_continues_on_another(two_servers: tuple[httpx.Client, httpx.Client]) -> None:
    """Continue tokens are sealed with a key kept in the shared database, so any replica opens them."""
    first, second = two_servers
    first.post("/api/v1/namespaces", json={"metadata": {"name": "mp"}}).raise_for_status()
    for i in range(3):
        first.post(URL, json={"metadata": {"name": f"p{i}"}, "spec": {"color": "red"}}).raise_for_status()
    names, token, clients = [], None, [first, second]
    for turn in range(3):
        params = {"limit": "1", **({"continue": token} if token else {})}
        page = clients[turn % 2].get(URL, params=params)
        assert page.status_code == 200, page.text
        names += [item["metadata"]["name"] for item in page.json()["items"]]
        token = page.json()["metadata"].get("continue")
    assert names == ["p0", "p1", "p2"] and token is None
