"""Twenty writers patching one Shoot at once, none carrying a resourceVersion: the garden retries each on conflict
internally (Kubernetes' GuaranteedUpdate), so every patch applies and none answers 409 — for merge, strategic merge
and JSON patches, on SQLite and PostgreSQL. A patch that pins a stale resourceVersion still gets its 409."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from garden import bootstrap
from tests.support.garden import Garden, running_garden

WRITERS = 20
SHOOTS = "/apis/core.gardener.cloud/v1beta1/namespaces/garden-local/shoots"
SHOOT = Path(__file__).resolve().parents[1] / "data" / "gardener-examples" / "provider-local" / "shoot.yaml"
Body = Callable[[int], tuple[str, Any]]


def _merge(n: int) -> tuple[str, Any]:
    return "application/merge-patch+json", {"metadata": {"labels": {f"writer-{n}": "yes"}}}


def _strategic(n: int) -> tuple[str, Any]:
    return "application/strategic-merge-patch+json", {"metadata": {"labels": {f"writer-{n}": "yes"}}}


def _json_patch(n: int) -> tuple[str, Any]:
    return "application/json-patch+json", [{"op": "add", "path": f"/metadata/labels/writer-{n}", "value": "yes"}]


@pytest.fixture
def garden(db_url: str, tmp_path: Path) -> Iterator[Garden]:
    with running_garden(db_url, tmp_path) as g:
        bootstrap.ensure_local(g.api.service)
        yield g


def _client(g: Garden) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(g.server.ca_file))
    return httpx.Client(base_url=g.server.url, verify=context, timeout=120,
                        headers={"Authorization": f"Bearer {g.server.token}"})


def _create_shoot(c: httpx.Client) -> None:
    shoot = yaml.safe_load(SHOOT.read_text())
    shoot["metadata"]["labels"] = {"base": "yes"}
    created = c.post(SHOOTS, json=shoot)
    assert created.status_code == 201, created.text


@pytest.mark.parametrize("body", [_merge, _strategic, _json_patch], ids=["merge", "strategic", "json"])
def test_concurrent_patches_without_resource_version_all_apply(garden: Garden, body: Body) -> None:
    with _client(garden) as c, ThreadPoolExecutor(WRITERS) as pool:
        _create_shoot(c)
        start = threading.Barrier(WRITERS)

        def write(n: int) -> httpx.Response:
            content_type, patch = body(n)
            start.wait()
            return c.patch(f"{SHOOTS}/local", content=json.dumps(patch).encode(),
                           headers={"Content-Type": content_type})

        answers = list(pool.map(write, range(WRITERS)))
        assert [a.status_code for a in answers] == [200] * WRITERS, [a.text for a in answers if a.status_code != 200]
        labels = c.get(f"{SHOOTS}/local").json()["metadata"]["labels"]
    assert labels == {"base": "yes", **{f"writer-{n}": "yes" for n in range(WRITERS)}}


def test_a_patch_pinning_a_stale_resource_version_is_a_conflict(garden: Garden) -> None:
    with _client(garden) as c:
        _create_shoot(c)
        stale = c.get(f"{SHOOTS}/local").json()["metadata"]["resourceVersion"]
        assert c.patch(f"{SHOOTS}/local", content=b'{"metadata":{"labels":{"a":"1"}}}',
                       headers={"Content-Type": "application/merge-patch+json"}).status_code == 200
        for content_type, patch in [
            ("application/merge-patch+json", {"metadata": {"resourceVersion": stale, "labels": {"b": "1"}}}),
            ("application/strategic-merge-patch+json", {"metadata": {"resourceVersion": stale, "labels": {"b": "1"}}}),
            ("application/json-patch+json", [{"op": "replace", "path": "/metadata/resourceVersion", "value": stale},
                                             {"op": "add", "path": "/metadata/labels/b", "value": "1"}]),
        ]:
            answer = c.patch(f"{SHOOTS}/local", content=json.dumps(patch).encode(),
                             headers={"Content-Type": content_type})
            assert answer.status_code == 409, (content_type, answer.text)
            assert answer.json()["reason"] == "Conflict"
        assert "b" not in c.get(f"{SHOOTS}/local").json()["metadata"]["labels"]


def test_concurrent_puts_without_resource_version_are_unconditional_where_the_kind_allows(garden: Garden) -> None:
    """A ConfigMap (like most Kubernetes kinds) takes a PUT without resourceVersion as an unconditional update:
    twenty at once all answer 200 and the last one wins whole."""
    configmaps = "/api/v1/namespaces/garden-local/configmaps"
    with _client(garden) as c, ThreadPoolExecutor(WRITERS) as pool:
        assert c.post(configmaps, json={"metadata": {"name": "cm"}, "data": {"n": "none"}}).status_code == 201
        start = threading.Barrier(WRITERS)

        def write(n: int) -> httpx.Response:
            start.wait()
            return c.put(f"{configmaps}/cm", json={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
                "name": "cm", "labels": {f"writer-{n}": "yes"}}, "data": {"n": str(n)}})

        answers = list(pool.map(write, range(WRITERS)))
        assert [a.status_code for a in answers] == [200] * WRITERS, [a.text for a in answers if a.status_code != 200]
        final = c.get(f"{configmaps}/cm").json()
    winner = final["data"]["n"]
    assert final["metadata"]["labels"] == {f"writer-{winner}": "yes"}


def test_a_put_of_a_shoot_must_carry_its_resource_version(garden: Garden) -> None:
    """Gardener's Shoot strategy refuses unconditional updates; a PUT with the current version applies."""
    with _client(garden) as c:
        _create_shoot(c)
        current = c.get(f"{SHOOTS}/local").json()
        body = json.loads(json.dumps(current))
        body["metadata"]["labels"]["put"] = "yes"
        del body["metadata"]["resourceVersion"]
        refused = c.put(f"{SHOOTS}/local", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["message"] == ('shoots.core.gardener.cloud "local" is invalid: metadata.resourceVersion: '
                                             "Invalid value: 0x0: must be specified for an update")
        assert refused.json()["details"]["causes"][0]["field"] == "metadata.resourceVersion"
        assert "put" not in c.get(f"{SHOOTS}/local").json()["metadata"]["labels"]
        for _ in range(10):  # a controller writing meanwhile makes our version stale: read again, as clients do
            body = c.get(f"{SHOOTS}/local").json()
            body["metadata"]["labels"]["put"] = "yes"
            applied = c.put(f"{SHOOTS}/local", json=body)
            if applied.status_code != 409:
                break
        assert applied.status_code == 200, applied.text
        assert c.get(f"{SHOOTS}/local").json()["metadata"]["labels"]["put"] == "yes"


@pytest.mark.parametrize("body", [_merge, _strategic, _json_patch], ids=["merge", "strategic", "json"])
def test_a_patch_that_changes_nothing_keeps_the_resource_version(garden: Garden, body: Body) -> None:
    with _client(garden) as c:
        _create_shoot(c)
        content_type, patch = body(0)
        first = c.patch(f"{SHOOTS}/local", content=json.dumps(patch).encode(), headers={"Content-Type": content_type})
        assert first.status_code == 200, first.text
        if content_type == "application/json-patch+json":
            patch = [{"op": "replace", "path": "/metadata/labels/writer-0", "value": "yes"}]
        again = c.patch(f"{SHOOTS}/local", content=json.dumps(patch).encode(), headers={"Content-Type": content_type})
        assert again.status_code == 200, again.text
    assert again.json()["metadata"]["resourceVersion"] == first.json()["metadata"]["resourceVersion"]
    assert again.json()["metadata"]["generation"] == first.json()["metadata"]["generation"]
