"""Every metadata field is type-checked, in bodies and in every kind of patch, with Kubernetes' 400 naming the
field; PUTs and POSTs lacking what Kubernetes requires (a name, the URL's name and namespace, a matching kind) are
refused, and so is a resourceVersion on create. Nothing refused changes the store."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.hostile import Target, refused

# (metadata field, a value of the wrong JSON type)
WRONG_TYPES: list[tuple[str, Any]] = [
    ("name", 7), ("name", ["x"]), ("generateName", {}), ("namespace", []), ("uid", 1), ("resourceVersion", 5),
    ("labels", 7), ("labels", ["a", "b"]), ("labels", "a=b"), ("labels", {"a": 1}),
    ("annotations", "x"), ("annotations", {"a": {"b": "c"}}), ("annotations", {"a": True}),
    ("finalizers", "x"), ("finalizers", [1]), ("finalizers", {"a": "b"}),
    ("ownerReferences", {}), ("ownerReferences", ["x"]), ("ownerReferences", [{"name": 5}]),
    ("ownerReferences", [{"apiVersion": "v1", "kind": "X", "name": "n", "uid": "u", "controller": "yes"}]),
    ("generation", "1"), ("generation", True), ("deletionGracePeriodSeconds", "30"),
    ("creationTimestamp", 12), ("managedFields", {}), ("managedFields", [{"manager": 1}]),
]


def _field(name: str, value: Any) -> str:
    if name in ("ownerReferences", "managedFields") and isinstance(value, list) and value and isinstance(
            value[0], dict):
        wrong = [k for k, v in value[0].items() if not isinstance(v, str) or k == "controller"]
        return f"metadata.{name}.{wrong[0]}"
    return f"metadata.{name}"


@pytest.mark.parametrize(("name", "value"), WRONG_TYPES)
def test_wrong_metadata_types_are_refused_on_create(target: Target, name: str, value: Any) -> None:
    before = target.snapshot()
    body = target.configmap("typed")
    body["metadata"][name] = value
    refused(target.client.post(target.configmaps(), json=body), 400, "BadRequest", field=_field(name, value))
    assert target.snapshot() == before


# A name of another type in an update is a name mismatch: test_put_must_name_the_object_of_the_url.
@pytest.mark.parametrize(("name", "value"), [(n, v) for n, v in WRONG_TYPES if n != "name"])
def test_wrong_metadata_types_are_refused_in_updates_and_patches(target: Target, name: str, value: Any) -> None:
    cm = f"typed-{name.lower()}"
    if target.client.get(target.configmaps(cm)).status_code == 404:
        target.create_configmap(cm)
    before = target.snapshot()
    path = target.configmaps(cm)
    current = target.client.get(path).json()
    current["metadata"][name] = value
    field = _field(name, value)
    refused(target.client.put(path, json=current), 400, "BadRequest", field=field)
    for content_type in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        resp = target.client.patch(path, json={"metadata": {name: value}}, headers={"Content-Type": content_type})
        refused(resp, 400, "BadRequest", field=field)
    resp = target.client.patch(path, json=[{"op": "add", "path": f"/metadata/{name}", "value": value}],
                               headers={"Content-Type": "application/json-patch+json"})
    refused(resp, 400, "BadRequest", field=field)
    assert target.snapshot() == before
    assert target.snapshot()[cm]["labels"] == {"keep": "me"}


@pytest.mark.parametrize("metadata", [[], "x", 7, True])
def test_metadata_of_the_wrong_type_is_refused(target: Target, metadata: Any) -> None:
    target.create_configmap("metaobj") if target.client.get(target.configmaps("metaobj")).status_code == 404 else None
    before = target.snapshot()
    refused(target.client.post(target.configmaps(), json={**target.configmap("m"), "metadata": metadata}), 400,
            "BadRequest", field="metadata")
    refused(target.client.put(target.configmaps("metaobj"), json={**target.configmap("metaobj"),
                                                                   "metadata": metadata}), 400, "BadRequest")
    resp = target.client.patch(target.configmaps("metaobj"), json={"metadata": metadata},
                               headers={"Content-Type": "application/merge-patch+json"})
    refused(resp, 400, "BadRequest")
    assert target.snapshot() == before


def test_put_with_null_metadata_does_not_wipe_labels(target: Target) -> None:
    target.create_configmap("nullmeta")
    before = target.snapshot()
    resp = target.client.put(target.configmaps("nullmeta"), json={**target.configmap("nullmeta"), "metadata": None})
    assert "does not match the name on the URL (nullmeta)" in refused(resp, 400, "BadRequest")["message"]
    resp = target.client.patch(target.configmaps("nullmeta"), json={"metadata": None},
                               headers={"Content-Type": "application/merge-patch+json"})
    refused(resp, 400, "BadRequest")
    assert target.snapshot() == before
    assert before["nullmeta"]["labels"] == {"keep": "me"}


def test_put_must_name_the_object_of_the_url(target: Target) -> None:
    target.create_configmap("named")
    before = target.snapshot()
    path = target.configmaps("named")
    current = target.client.get(path).json()
    unnamed = {**current, "metadata": {k: v for k, v in current["metadata"].items() if k != "name"}}
    status = refused(target.client.put(path, json=unnamed), 400, "BadRequest")
    assert status["message"] == "the name of the object () does not match the name on the URL (named)"
    other = {**current, "metadata": {**current["metadata"], "name": "other"}}
    refused(target.client.put(path, json=other), 400, "BadRequest")
    moved = {**current, "metadata": {**current["metadata"], "namespace": "kube-system"}}
    refused(target.client.put(path, json=moved), 400, "BadRequest")
    refused(target.client.put(path, json={**current, "kind": "Secret"}), 400, "BadRequest")
    refused(target.client.put(path, json={**current, "apiVersion": "apps/v1"}), 400, "BadRequest")
    refused(target.client.put(path, json={**current, "kind": 5}), 400, "BadRequest", field="kind")
    assert target.snapshot() == before


def test_create_is_refused_without_a_name_in_another_namespace_or_with_a_resource_version(target: Target) -> None:
    before = target.snapshot()
    body = target.configmap("created")
    unnamed = {**body, "metadata": {"labels": {"a": "b"}}}
    refused(target.client.post(target.configmaps(), json=unnamed), 422, "Invalid", field="metadata.name")
    elsewhere = {**body, "metadata": {**body["metadata"], "namespace": "kube-system"}}
    refused(target.client.post(target.configmaps(), json=elsewhere), 400, "BadRequest")
    versioned = {**body, "metadata": {**body["metadata"], "resourceVersion": "12"}}
    status = refused(target.client.post(target.configmaps(), json=versioned), 400, "BadRequest")
    assert status["message"] == "resourceVersion should not be set on objects to be created"
    refused(target.client.post(target.configmaps(), json={**body, "kind": "Secret"}), 400, "BadRequest")
    assert target.snapshot() == before
