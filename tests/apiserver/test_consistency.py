"""resourceVersion semantics of lists and watches and streaming lists (KEP-3157), over raw HTTPS."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apiserver.server import ApiServer
from tests.support.servers import RunningServer

BASE = "/apis/test.hortus.dev/v1alpha1/namespaces/dev/widgets"
STREAM = "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"


@pytest.fixture
def client(running: tuple[RunningServer, ApiServer]) -> Iterator[httpx.Client]:
    server, _ = running
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with httpx.Client(base_url=server.url, verify=context, timeout=30,
                      headers={"Authorization": f"Bearer {server.token}"}) as c:
        assert c.post("/api/v1/namespaces", json={"metadata": {"name": "dev"}}).status_code == 201
        yield c


def _create(c: httpx.Client, name: str, **labels: str) -> dict[str, Any]:
    resp = c.post(BASE, json={"apiVersion": "test.hortus.dev/v1alpha1", "kind": "Widget",
                              "metadata": {"name": name, "labels": labels}, "spec": {"size": 1}})
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _events(c: httpx.Client, query: str, count: int) -> list[dict[str, Any]]:
    """The first ``count`` events of a watch (the server ends it after 20 s at the latest)."""
    out: list[dict[str, Any]] = []
    with c.stream("GET", f"{BASE}?{query}&timeoutSeconds=20") as resp:
        assert resp.status_code == 200, resp.read()
        for line in resp.iter_lines():
            if line:
                out.append(json.loads(line))
            if len(out) == count:
                break
    return out


def test_a_streaming_list_ends_its_initial_events_with_the_annotated_bookmark(client: httpx.Client) -> None:
    for name in ("a", "b", "c"):
        _create(client, name)
    list_rv = int(client.get(BASE).json()["metadata"]["resourceVersion"])
    events = _events(client, STREAM, 4)
    assert [e["type"] for e in events] == ["ADDED", "ADDED", "ADDED", "BOOKMARK"]
    assert sorted(e["object"]["metadata"]["name"] for e in events[:3]) == ["a", "b", "c"]
    end = events[3]["object"]
    assert end["kind"] == "Widget" and end["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(end["metadata"]["resourceVersion"]) >= list_rv


def test_a_streaming_list_goes_on_with_the_change_stream(client: httpx.Client) -> None:
    _create(client, "a")
    with client.stream("GET", f"{BASE}?{STREAM}&timeoutSeconds=20") as resp:
        lines = (json.loads(line) for line in resp.iter_lines() if line)
        assert next(lines)["type"] == "ADDED"
        assert next(lines)["type"] == "BOOKMARK"
        _create(client, "later")
        event = next(lines)
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "later")


def test_a_watch_resumes_from_the_bookmark_without_initial_events(client: httpx.Client) -> None:
    _create(client, "a")
    bookmark = _events(client, STREAM, 2)[1]["object"]["metadata"]["resourceVersion"]
    _create(client, "b")
    query = f"watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&resourceVersion={bookmark}"
    event = _events(client, query, 1)[0]
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "b")


def test_a_compacted_resource_version_is_gone(client: httpx.Client, running: tuple[RunningServer, ApiServer]) -> None:
    old = _create(client, "a")["metadata"]["resourceVersion"]
    _create(client, "b")
    _create(client, "c")
    running[1].store.compact(keep=1)
    event = _events(client, f"watch=true&resourceVersion={old}", 1)[0]
    assert event["type"] == "ERROR" and event["object"]["code"] == 410
    resp = client.get(f"{BASE}?resourceVersion={old}&resourceVersionMatch=Exact")
    assert resp.status_code == 410 and resp.json()["reason"] == "Expired"


def test_an_exact_list_shows_the_objects_as_they_were(client: httpx.Client) -> None:
    _create(client, "kept", phase="one")
    _create(client, "deleted")
    rv = client.get(BASE).json()["metadata"]["resourceVersion"]
    client.patch(f"{BASE}/kept", content=b'{"metadata":{"labels":{"phase":"two"}}}',
                 headers={"Content-Type": "application/merge-patch+json"})
    assert client.delete(f"{BASE}/deleted").status_code == 200
    _create(client, "added")
    then = client.get(f"{BASE}?resourceVersion={rv}&resourceVersionMatch=Exact").json()
    assert then["metadata"]["resourceVersion"] == rv
    assert [(o["metadata"]["name"], o["metadata"].get("labels", {}).get("phase")) for o in then["items"]] == [
        ("deleted", None), ("kept", "one")]
    page = client.get(f"{BASE}?resourceVersion={rv}&resourceVersionMatch=Exact&limit=1").json()
    assert [o["metadata"]["name"] for o in page["items"]] == ["deleted"] and page["metadata"]["continue"]
    now = client.get(f"{BASE}?resourceVersion={rv}&resourceVersionMatch=NotOlderThan").json()
    assert sorted(o["metadata"]["name"] for o in now["items"]) == ["added", "kept"]


def test_a_read_at_a_future_resource_version_is_too_large(client: httpx.Client) -> None:
    future = int(client.get(BASE).json()["metadata"]["resourceVersion"]) + 1000
    for query in (f"resourceVersion={future}", f"resourceVersion={future}&watch=true"):
        resp = client.get(f"{BASE}?{query}")
        assert resp.status_code == 504, query
        body = resp.json()
        assert body["reason"] == "Timeout" and body["message"].startswith(f"Too large resource version: {future}")
        assert body["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge"


@pytest.mark.parametrize(("query", "field"), [
    ("watch=true&sendInitialEvents=true", "resourceVersionMatch"),
    ("watch=true&sendInitialEvents=true&resourceVersionMatch=Exact&resourceVersion=1", "resourceVersionMatch"),
    ("watch=true&resourceVersionMatch=NotOlderThan", "resourceVersionMatch"),
    ("sendInitialEvents=true", "sendInitialEvents"),
    ("resourceVersionMatch=NotOlderThan", "resourceVersionMatch"),
    ("resourceVersionMatch=Exact&resourceVersion=0", "resourceVersionMatch"),
    ("resourceVersionMatch=Bogus&resourceVersion=1", "resourceVersionMatch"),
])
def test_invalid_combinations_are_refused_as_list_options(client: httpx.Client, query: str, field: str) -> None:
    resp = client.get(f"{BASE}?{query}")
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert body["reason"] == "Invalid" and body["details"]["kind"] == "ListOptions"
    assert field in [c["field"] for c in body["details"]["causes"]]


@pytest.mark.parametrize("value", ["abc", "-1", "1e3", "99999999999999999999"])
def test_a_malformed_resource_version_is_a_bad_request(client: httpx.Client, value: str) -> None:
    for query in (f"resourceVersion={value}", f"resourceVersion={value}&watch=true"):
        resp = client.get(f"{BASE}?{query}")
        assert resp.status_code == 400 and resp.json()["reason"] == "BadRequest", query
