"""A store that already holds rows that cannot be served back (written around the API through SQL) still lists
the rest, answers a GET of such a row with a clear 409 StorageReadError instead of a 500, keeps its watches going,
and lets the row be deleted with ``ignoreStoreReadErrorWithClusterBreakingPotential`` (KEP-3926)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from apiserver.storage import tables
from tests.support.hostile import Target, refused

# Each a row's data as an attacker or a damaged disk could leave it.
POISON = {
    "notjson": "{not json",
    "nan": '{"metadata":{"name":"nan","namespace":"hostile"},"data":{"k":NaN}}',
    "deep": '{"metadata":{"name":"deep","namespace":"hostile"},"x":' + "[" * 400 + "]" * 400 + "}",
    "surrogate": '{"metadata":{"name":"surrogate","namespace":"hostile"},"data":{"k":"\\ud800"}}',
    "nometa": '{"kind":"ConfigMap"}',
    "badlabels": '{"metadata":{"name":"badlabels","namespace":"hostile","labels":["a"]}}',
    "array": "[1,2,3]",
}


def _poison(target: Target, name: str, data: str) -> None:
    with target.api.store.engine.begin() as conn:
        conn.execute(sa.insert(tables.objects).values(resource="core/configmaps", namespace=target.namespace,
                                                      name=f"poison-{name}", resource_version=1, data=data))


@pytest.fixture
def poisoned(target: Target) -> Target:
    target.create_configmap("healthy-before") if target.client.get(
        target.configmaps("healthy-before")).status_code == 404 else None
    for name, data in POISON.items():
        if target.api.store.engine.connect().execute(sa.select(tables.objects.c.id).where(
                tables.objects.c.name == f"poison-{name}")).first() is None:
            _poison(target, name, data)
    return target


def test_lists_skip_unreadable_rows(poisoned: Target) -> None:
    names = set(poisoned.snapshot())
    assert "healthy-before" in names and not any(n.startswith("poison-") for n in names)
    resp = poisoned.client.get("/api/v1/configmaps")
    assert resp.status_code == 200
    assert "healthy-before" in {i["metadata"]["name"] for i in resp.json()["items"]}
    for limit in ("1", "2"):
        resp = poisoned.client.get(poisoned.configmaps(), params={"limit": limit})
        assert resp.status_code == 200, resp.text
    table = poisoned.client.get(poisoned.configmaps(),
                                headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert table.status_code == 200


@pytest.mark.parametrize("name", sorted(POISON))
def test_a_get_of_an_unreadable_row_is_a_clear_409(poisoned: Target, name: str) -> None:
    status = refused(poisoned.client.get(poisoned.configmaps(f"poison-{name}")), 409, "StorageReadError")
    assert "cannot be read from storage" in status["message"]
    merge = {"Content-Type": "application/merge-patch+json"}
    refused(poisoned.client.patch(poisoned.configmaps(f"poison-{name}"), json={"data": {"a": "b"}}, headers=merge),
            409, "StorageReadError")
    refused(poisoned.client.delete(poisoned.configmaps(f"poison-{name}")), 409, "StorageReadError")


def test_an_unreadable_row_can_be_deleted_unsafely_and_then_is_gone(poisoned: Target) -> None:
    options = {"kind": "DeleteOptions", "apiVersion": "v1", "ignoreStoreReadErrorWithClusterBreakingPotential": True}
    refused(poisoned.client.request("DELETE", poisoned.configmaps("healthy-before"), json=options), 422, "Invalid")
    resp = poisoned.client.request("DELETE", poisoned.configmaps("poison-notjson"), json=options)
    assert resp.status_code == 200, resp.text
    refused(poisoned.client.get(poisoned.configmaps("poison-notjson")), 404, "NotFound")
    _poison(poisoned, "notjson", POISON["notjson"])  # back, for the other tests


def test_watches_go_on_past_an_unreadable_change(poisoned: Target) -> None:
    """A change-log row that cannot be read is skipped; the watch still delivers the next change."""
    start = poisoned.api.store.current_rv()
    with poisoned.api.store.write() as txn:
        txn.conn.execute(sa.insert(tables.changes).values(
            resource_version=txn.rv + 1, resource="core/configmaps", namespace=poisoned.namespace, name="poison-x",
            type="ADDED", data="{broken", prev=None, created_at=time.time()))
        txn.rv += 1
    name = f"after-poison-{start}"
    with poisoned.client.stream("GET", poisoned.configmaps(), params={
            "watch": "true", "resourceVersion": str(start), "timeoutSeconds": "30"}) as stream:
        poisoned.create_configmap(name)
        for line in stream.iter_lines():
            if name in line:
                break
        else:
            raise AssertionError("the watch ended before the change after the unreadable one")
    assert poisoned.client.delete(poisoned.configmaps(name)).status_code == 200
