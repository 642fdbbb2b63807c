"""The generic handlers' rules: system metadata, generation, status, finalizers, namespaces, validation."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from apiserver import errors
from apiserver.context import RequestContext, UserInfo
from apiserver.namespaces import NamespaceController
from apiserver.registry import ResourceType
from apiserver.service import ResourceService
from apiserver.storage.store import Store
from tests.conftest import make_registry

CTX = RequestContext(user=UserInfo(name="tester"))


@pytest.fixture
def svc(store: Store) -> Iterator[ResourceService]:
    service = ResourceService(make_registry(), store)
    service.create(_rt(service, "namespaces"), "", {"metadata": {"name": "dev"}}, _ctx())
    yield service


def _ctx(**kw: object) -> RequestContext:
    return RequestContext(user=UserInfo(name="tester"), **kw)  # type: ignore[arg-type]


def _rt(svc: ResourceService, plural: str) -> ResourceType:
    for rt in svc.registry.all():
        if rt.plural == plural:
            return rt
    raise KeyError(plural)


def _widget(name: str = "w", **spec: object) -> dict[str, object]:
    return {"apiVersion": "test.hortus.dev/v1alpha1", "kind": "Widget", "metadata": {"name": name},
            "spec": spec or {"color": "red"}}


def test_create_sets_system_metadata_and_drops_status(svc: ResourceService) -> None:
    body = _widget()
    body["status"] = {"phase": "Hacked"}
    body["metadata"] = {"name": "w", "uid": "mine", "generation": 7}
    obj = svc.create(_rt(svc, "widgets"), "dev", body, _ctx())
    md = obj["metadata"]
    assert md["uid"] != "mine" and md["generation"] == 1 and md["creationTimestamp"].endswith("Z")
    assert md["namespace"] == "dev" and "status" not in obj


def test_generation_counts_spec_changes_only(svc: ResourceService) -> None:
    rt = _rt(svc, "widgets")
    obj = svc.create(rt, "dev", _widget(), _ctx())
    obj["metadata"]["labels"] = {"a": "b"}
    obj = svc.update(rt, "dev", "w", obj, _ctx())
    assert obj["metadata"]["generation"] == 1
    obj["spec"]["size"] = 3
    obj = svc.update(rt, "dev", "w", obj, _ctx())
    assert obj["metadata"]["generation"] == 2


def test_noop_update_keeps_resource_version(svc: ResourceService) -> None:
    rt = _rt(svc, "widgets")
    obj = svc.create(rt, "dev", _widget(), _ctx())
    again = svc.update(rt, "dev", "w", obj, _ctx())
    assert again["metadata"]["resourceVersion"] == obj["metadata"]["resourceVersion"]


def test_status_writes_ignore_spec_and_main_writes_ignore_status(svc: ResourceService) -> None:
    rt = _rt(svc, "widgets")
    obj = svc.create(rt, "dev", _widget(), _ctx())
    obj["spec"]["color"] = "green"
    obj["status"] = {"phase": "Running"}
    after_status = svc.update(rt, "dev", "w", obj, _ctx(), subresource="status")
    assert after_status["status"] == {"phase": "Running"} and after_status["spec"]["color"] == "red"
    patch = json.dumps({"status": {"phase": "Broken"}, "spec": {"color": "blue"}}).encode()
    after_main = svc.patch(rt, "dev", "w", patch, "application/merge-patch+json", _ctx())
    assert after_main["status"] == {"phase": "Running"} and after_main["spec"]["color"] == "blue"


def test_stale_resource_version_is_a_conflict(svc: ResourceService) -> None:
    rt = _rt(svc, "widgets")
    obj = svc.create(rt, "dev", _widget(), _ctx())
    svc.update(rt, "dev", "w", {**obj, "spec": {"color": "blue"}}, _ctx())
    with pytest.raises(errors.ApiError) as exc:
        svc.update(rt, "dev", "w", {**obj, "spec": {"color": "green"}}, _ctx())
    assert exc.value.code == 409 and exc.value.reason == "Conflict"


def test_finalizers_hold_deletion_until_the_last_is_removed(svc: ResourceService) -> None:
    rt = _rt(svc, "widgets")
    body = _widget()
    body["metadata"] = {"name": "w", "finalizers": ["a/x", "b/y"]}
    svc.create(rt, "dev", body, _ctx())
    marked = svc.delete(rt, "dev", "w", _ctx())
    assert marked["metadata"]["deletionTimestamp"]
    added = json.dumps({"metadata": {"finalizers": ["a/x", "b/y", "c/z"]}}).encode()
    with pytest.raises(errors.ApiError) as exc:
        svc.patch(rt, "dev", "w", added, "application/merge-patch+json", _ctx())
    assert exc.value.code == 422
    svc.patch(rt, "dev", "w", json.dumps({"metadata": {"finalizers": ["b/y"]}}).encode(),
              "application/merge-patch+json", _ctx())
    assert svc.get(rt, "dev", "w")["metadata"]["finalizers"] == ["b/y"]
    svc.patch(rt, "dev", "w", b'{"metadata":{"finalizers":null}}', "application/merge-patch+json", _ctx())
    with pytest.raises(errors.ApiError) as gone:
        svc.get(rt, "dev", "w")
    assert gone.value.code == 404


def test_namespaced_create_needs_an_existing_namespace(svc: ResourceService) -> None:
    with pytest.raises(errors.ApiError) as exc:
        svc.create(_rt(svc, "widgets"), "nowhere", _widget(), _ctx())
    assert exc.value.code == 404 and exc.value.message == 'namespaces "nowhere" not found'


def test_namespace_deletion_empties_it_through_the_kubernetes_finalizer(svc: ResourceService) -> None:
    ns_rt, rt = _rt(svc, "namespaces"), _rt(svc, "widgets")
    svc.create(rt, "dev", _widget("a"), _ctx())
    svc.create(rt, "dev", _widget("b"), _ctx())
    terminating = svc.delete(ns_rt, "", "dev", _ctx())
    assert terminating["status"]["phase"] == "Terminating"
    with pytest.raises(errors.ApiError) as refused:
        svc.create(rt, "dev", _widget("c"), _ctx())
    assert refused.value.code == 403
    NamespaceController(svc).sync_once()
    assert svc.list(rt, "dev").items == []
    with pytest.raises(errors.ApiError) as gone:
        svc.get(ns_rt, "", "dev")
    assert gone.value.code == 404


def test_invalid_field_types_name_the_field(svc: ResourceService) -> None:
    with pytest.raises(errors.ApiError) as exc:
        svc.create(_rt(svc, "widgets"), "dev", _widget(size="abc"), _ctx())
    assert exc.value.code == 422
    assert exc.value.details and exc.value.details["causes"][0]["field"] == "spec.size"


def test_strict_field_validation_names_unknown_fields_and_warn_prunes(svc: ResourceService) -> None:
    rt = _rt(svc, "widgets")
    with pytest.raises(errors.ApiError) as exc:
        svc.create(rt, "dev", _widget(bogus=1), _ctx(field_validation="Strict"))
    assert exc.value.code == 400 and 'unknown field "spec.bogus"' in exc.value.message
    ctx = _ctx(field_validation="Warn")
    obj = svc.create(rt, "dev", _widget(bogus=1, color="red"), ctx)
    assert "bogus" not in obj["spec"] and ctx.warnings == ['unknown field "spec.bogus"']


def test_dry_run_stores_nothing(svc: ResourceService) -> None:
    rt = _rt(svc, "widgets")
    svc.create(rt, "dev", _widget(), _ctx(dry_run=True))
    assert svc.list(rt, "dev").items == []


def test_generate_name_and_invalid_names(svc: ResourceService) -> None:
    rt = _rt(svc, "widgets")
    obj = svc.create(rt, "dev", {"metadata": {"generateName": "w-"}, "spec": {}}, _ctx())
    assert obj["metadata"]["name"].startswith("w-") and len(obj["metadata"]["name"]) == 7
    with pytest.raises(errors.ApiError) as exc:
        svc.create(rt, "dev", _widget("Not_Valid"), _ctx())
    assert exc.value.code == 422 and exc.value.details["causes"][0]["field"] == "metadata.name"  # type: ignore[index]


def test_secret_string_data_is_folded_into_base64_data(svc: ResourceService) -> None:
    obj = svc.create(_rt(svc, "secrets"), "dev", {"metadata": {"name": "s"}, "stringData": {"pw": "hunter2"}}, _ctx())
    assert obj["data"] == {"pw": "aHVudGVyMg=="} and "stringData" not in obj and obj["type"] == "Opaque"


def test_list_with_selectors_and_paging(svc: ResourceService) -> None:
    rt = _rt(svc, "widgets")
    for i in range(7):
        body = _widget(f"w{i}", color="red" if i % 2 else "blue")
        body["metadata"]["labels"] = {"idx": str(i)}  # type: ignore[index]
        svc.create(rt, "dev", body, _ctx())
    assert [o["metadata"]["name"] for o in svc.list(rt, "dev", label_selector="idx in (1,2)").items] == ["w1", "w2"]
    assert len(svc.list(rt, "dev", field_selector="spec.color=red").items) == 3
    seen, token = [], None
    while True:
        page = svc.list(rt, "dev", limit=3, continue_token=token)
        seen += [o["metadata"]["name"] for o in page.items]
        token = page.continue_token
        if token is None:
            break
    assert seen == [f"w{i}" for i in range(7)]
    with pytest.raises(errors.ApiError) as exc:
        svc.list(rt, "dev", field_selector="spec.size=3")
    assert exc.value.code == 400
