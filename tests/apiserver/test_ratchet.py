"""Validation ratcheting: which errors an update keeps, by the field paths Kubernetes uses — on plain values, and
over the real HTTPS server for an object stored before its kind's schema refused one of its values."""

from __future__ import annotations

import dataclasses
import ssl

import httpx

from apiserver import ratchet
from apiserver.server import ApiServer
from tests.support.servers import RunningServer

WIDGETS = "/apis/test.hortus.dev/v1alpha1/namespaces/dev/widgets"
MERGE = {"Content-Type": "application/merge-patch+json"}


@dataclasses.dataclass(frozen=True)
class Err:
    field: str


OLD = {"metadata": {"labels": {"a": "1"}, "annotations": {"x.io/y": "v"}},
       "spec": {"networking": {"pods": "10.0.0.0/16", "ipFamilies": ["IPv6"]},
                "workers": [{"name": "w", "maximum": 2}]}}


def test_paths_parse_like_kubernetes_field_paths() -> None:
    assert ratchet.parse_path("spec.workers[0].maximum") == ["spec", "workers", 0, "maximum"]
    assert ratchet.parse_path("metadata.annotations[x.io/y]") == ["metadata", "annotations", "x.io/y"]
    assert ratchet.parse_path("quotas[1]") == ["quotas", 1]
    assert ratchet.parse_path("") == []
    assert ratchet.parse_path("spec..x") is None


def test_errors_about_unchanged_fields_are_dropped_on_update_only() -> None:
    new = {**OLD, "metadata": {"labels": {"a": "1", "b": "2"}, "annotations": {"x.io/y": "v"}}}
    found = [Err("spec.networking.pods"), Err("metadata.labels"), Err("metadata.annotations[x.io/y]"),
             Err("spec.workers[0].maximum"), Err(""), Err("spec.missing")]
    assert ratchet.changed_only(found, new=new, old=OLD) == [Err("metadata.labels"), Err("")]
    assert ratchet.changed_only(found, new=new, old=None) == found


def test_a_changed_or_removed_value_keeps_its_error() -> None:
    new = {"metadata": OLD["metadata"], "spec": {"networking": {"pods": "10.9.0.0/16"}, "workers": []}}
    found = [Err("spec.networking.pods"), Err("spec.networking.ipFamilies"), Err("spec.workers[0].maximum")]
    assert ratchet.changed_only(found, new=new, old=OLD) == found


def test_an_object_a_newer_schema_refuses_stays_labelable_status_writable_and_deletable(
        running: tuple[RunningServer, ApiServer]) -> None:
    server, api = running
    with httpx.Client(base_url=server.url, verify=ssl.create_default_context(cafile=str(server.ca_file)),
                      headers={"Authorization": f"Bearer {server.token}"}) as client:
        client.post("/api/v1/namespaces", json={"metadata": {"name": "dev"}}).raise_for_status()
        client.post(WIDGETS, json={"metadata": {"name": "old"}, "spec": {"color": "red"}}).raise_for_status()
        stored = api.store.get("test.hortus.dev/widgets", "dev", "old")
        assert stored is not None
        stored["spec"]["size"] = "big"  # what an older schema let through
        with api.store.write() as txn:
            txn.update("test.hortus.dev/widgets", stored, expect_rv=stored["metadata"]["resourceVersion"])
        labelled = client.patch(f"{WIDGETS}/old", json={"metadata": {"labels": {"kept": "yes"}}}, headers=MERGE)
        assert labelled.status_code == 200, labelled.text
        status = client.patch(f"{WIDGETS}/old/status", json={"status": {"phase": "Ready"}}, headers=MERGE)
        assert status.status_code == 200, status.text
        changed = client.patch(f"{WIDGETS}/old", json={"spec": {"size": "bigger"}}, headers=MERGE)
        assert changed.status_code == 422
        assert [c["field"] for c in changed.json()["details"]["causes"]] == ["spec.size"]
        other = client.patch(f"{WIDGETS}/old", json={"spec": {"color": 7}}, headers=MERGE)
        assert other.status_code == 422  # a changed field is validated as ever; the unchanged one is not named
        assert [c["field"] for c in other.json()["details"]["causes"]] == ["spec.color"]
        fixed = client.patch(f"{WIDGETS}/old", json={"spec": {"size": 3}}, headers=MERGE)
        assert fixed.status_code == 200 and fixed.json()["spec"]["size"] == 3
        assert client.get(f"{WIDGETS}/old").json()["metadata"]["labels"] == {"kept": "yes"}
        assert client.delete(f"{WIDGETS}/old").status_code == 200
        assert client.get(f"{WIDGETS}/old").status_code == 404
