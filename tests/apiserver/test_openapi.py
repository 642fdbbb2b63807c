from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from apiserver import openapi, schema
from apiserver.registry import Registry, ResourceType

GROUP = "test.hortus.dev"
WIDGETS = f"/apis/{GROUP}/v1alpha1/namespaces/{{namespace}}/widgets"
WIDGET_NAME = "dev.hortus.test.v1alpha1.Widget"


class WidgetSpec(BaseModel):
    region: str
    replicas: int = 1


class Widget(schema.KubeObject):
    spec: WidgetSpec


def widget_type(**changes: Any) -> ResourceType:
    rt = ResourceType(
        group=GROUP,
        version="v1alpha1",
        kind="Widget",
        plural="widgets",
        namespaced=True,
        subresources=("status",),
        schema=schema.model_schema(Widget),
        model=Widget,
        strategic_merge=False,
    )
    return dataclasses.replace(rt, **changes)


def make_registry(*extra: ResourceType) -> Registry:
    return Registry(
        [
            widget_type(),
            ResourceType(group=GROUP, version="v1alpha1", kind="Gadget", plural="gadgets", namespaced=False),
            ResourceType(group="", version="v1", kind="Secret", plural="secrets", namespaced=True),
            *extra,
        ]
    )


def document(reg: Registry, group: str = GROUP, version: str = "v1alpha1") -> dict[str, Any]:
    doc = openapi.group_version_document(reg, group, version)
    assert doc is not None
    return doc


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                yield path, method, op


def test_index_lists_every_group_version_with_its_hash() -> None:
    reg = make_registry()
    paths = openapi.index(reg)["paths"]
    assert set(paths) == {"api/v1", f"apis/{GROUP}/v1alpha1"}
    core_hash = openapi.document_hash(document(reg, "", "v1"))
    assert paths["api/v1"] == {"serverRelativeURL": f"/openapi/v3/api/v1?hash={core_hash}"}
    assert paths[f"apis/{GROUP}/v1alpha1"]["serverRelativeURL"].startswith(
        f"/openapi/v3/apis/{GROUP}/v1alpha1?hash="
    )


def test_index_hash_is_stable_for_the_same_content() -> None:
    assert openapi.index(make_registry()) == openapi.index(make_registry())


def test_index_hash_changes_only_for_the_changed_group_version() -> None:
    before = openapi.index(make_registry())["paths"]
    extra = ResourceType(group=GROUP, version="v1alpha1", kind="Gizmo", plural="gizmos", namespaced=True)
    after = openapi.index(make_registry(extra))["paths"]
    assert after[f"apis/{GROUP}/v1alpha1"] != before[f"apis/{GROUP}/v1alpha1"]
    assert after["api/v1"] == before["api/v1"]


def test_index_hash_changes_with_the_schema() -> None:
    reg_a = Registry([widget_type()])
    reg_b = Registry([widget_type(schema={"type": "object", "properties": {"spec": {"type": "object"}}})])
    assert openapi.index(reg_a) != openapi.index(reg_b)


def test_unknown_group_version_has_no_document() -> None:
    assert openapi.group_version_document(make_registry(), GROUP, "v9") is None
    assert openapi.group_version_document(Registry(), "", "v1") is None


def test_namespaced_kind_has_collection_item_cluster_wide_and_status_paths() -> None:
    doc = document(make_registry())
    assert doc["openapi"].startswith("3.0")
    paths = doc["paths"]
    assert set(paths[WIDGETS]) == {"get", "post", "delete", "parameters"}
    assert set(paths[WIDGETS + "/{name}"]) == {"get", "put", "patch", "delete", "parameters"}
    assert set(paths[WIDGETS + "/{name}/status"]) == {"get", "put", "patch", "parameters"}
    assert set(paths[f"/apis/{GROUP}/v1alpha1/widgets"]) == {"get", "parameters"}
    assert paths[f"/apis/{GROUP}/v1alpha1/widgets"]["get"]["x-kubernetes-action"] == "list"
    assert {p["name"] for p in paths[WIDGETS + "/{name}"]["parameters"]} == {"name", "namespace"}


def test_cluster_scoped_kind_has_no_namespace_segment() -> None:
    paths = document(make_registry())["paths"]
    gadget_paths = [p for p in paths if "gadgets" in p]
    assert sorted(gadget_paths) == [
        f"/apis/{GROUP}/v1alpha1/gadgets",
        f"/apis/{GROUP}/v1alpha1/gadgets/{{name}}",
    ]


def test_paths_follow_the_kinds_verbs() -> None:
    read_only = widget_type(verbs=("get", "list", "watch"), subresources=())
    paths = document(Registry([read_only]))["paths"]
    assert set(paths[WIDGETS]) == {"get", "parameters"}
    assert set(paths[WIDGETS + "/{name}"]) == {"get", "parameters"}


def test_every_operation_carries_gvk_and_action() -> None:
    doc = document(make_registry())
    ops = list(operations(doc))
    assert len(ops) > 10
    for _, _, op in ops:
        assert op["x-kubernetes-action"] in {
            "get",
            "list",
            "post",
            "put",
            "patch",
            "delete",
            "deletecollection",
        }
        assert set(op["x-kubernetes-group-version-kind"]) == {"group", "version", "kind"}
    widget_ops = [op for path, _, op in ops if "widgets" in path]
    assert all(
        op["x-kubernetes-group-version-kind"] == {"group": GROUP, "version": "v1alpha1", "kind": "Widget"}
        for op in widget_ops
    )


def test_write_operations_take_field_validation() -> None:
    doc = document(make_registry())
    for _, method, op in operations(doc):
        names = {p["name"] for p in op["parameters"] if p["in"] == "query"}
        if method in ("post", "put", "patch"):
            assert {"dryRun", "fieldManager", "fieldValidation"} <= names
    patch = doc["paths"][WIDGETS + "/{name}"]["patch"]
    assert any(p["name"] == "fieldValidation" and p["in"] == "query" for p in patch["parameters"])


def test_patch_lists_strategic_merge_only_when_the_kind_allows_it() -> None:
    crd_like = document(make_registry())["paths"][WIDGETS + "/{name}"]["patch"]["requestBody"]["content"]
    assert list(crd_like) == [
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/apply-patch+yaml",
    ]
    status = document(make_registry())["paths"][WIDGETS + "/{name}/status"]["patch"]["requestBody"]["content"]
    assert "application/strategic-merge-patch+json" not in status
    secret = document(make_registry(), "", "v1")["paths"]["/api/v1/namespaces/{namespace}/secrets/{name}"]
    assert "application/strategic-merge-patch+json" in secret["patch"]["requestBody"]["content"]


def test_operation_ids_follow_kubernetes_naming() -> None:
    paths = document(make_registry())["paths"]
    assert (
        paths[WIDGETS + "/{name}/status"]["patch"]["operationId"]
        == "patchTestHortusDevV1alpha1NamespacedWidgetStatus"
    )
    assert (
        paths[f"/apis/{GROUP}/v1alpha1/widgets"]["get"]["operationId"]
        == "listTestHortusDevV1alpha1WidgetForAllNamespaces"
    )
    secrets = document(make_registry(), "", "v1")["paths"]["/api/v1/namespaces/{namespace}/secrets/{name}"]
    assert secrets["get"]["operationId"] == "readCoreV1NamespacedSecret"


def test_kind_schema_for_explain() -> None:
    schemas = document(make_registry())["components"]["schemas"]
    widget = schemas[WIDGET_NAME]
    assert widget["x-kubernetes-group-version-kind"] == [
        {"group": GROUP, "version": "v1alpha1", "kind": "Widget"}
    ]
    assert widget["type"] == "object"
    assert widget["properties"]["spec"]["properties"]["replicas"]["type"] == "integer"
    assert widget["properties"]["metadata"]["allOf"] == [
        {"$ref": f"#/components/schemas/{openapi.OBJECT_META}"}
    ]
    assert widget["properties"]["kind"]["type"] == "string"
    listing = schemas[WIDGET_NAME + "List"]
    assert listing["x-kubernetes-group-version-kind"] == [
        {"group": GROUP, "version": "v1alpha1", "kind": "WidgetList"}
    ]
    assert listing["properties"]["items"]["items"] == {"$ref": f"#/components/schemas/{WIDGET_NAME}"}
    assert "labels" in schemas[openapi.OBJECT_META]["properties"]


def test_kind_without_schema_is_a_free_form_object() -> None:
    schemas = document(make_registry())["components"]["schemas"]
    gadget = schemas["dev.hortus.test.v1alpha1.Gadget"]
    assert gadget["x-kubernetes-preserve-unknown-fields"] is True
    assert set(gadget["properties"]) == {"apiVersion", "kind", "metadata"}
    assert "io.k8s.api.core.v1.Secret" in document(make_registry(), "", "v1")["components"]["schemas"]


def test_kind_schema_inlines_a_raw_pydantic_schema() -> None:
    raw = Widget.model_json_schema(by_alias=True)
    assert "$defs" in raw
    doc = document(Registry([widget_type(schema=raw)]))
    widget = doc["components"]["schemas"][WIDGET_NAME]
    assert widget["properties"]["spec"]["properties"]["region"] == {"type": "string"}


def test_every_reference_resolves_within_the_document() -> None:
    doc = document(make_registry())
    schemas = doc["components"]["schemas"]

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = set(refs(doc))
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas


@pytest.mark.parametrize(
    ("group", "expected"), [("", "io.k8s.api.core.v1.Secret"), ("a.b.c", "c.b.a.v1.Secret")]
)
def test_schema_name(group: str, expected: str) -> None:
    rt = ResourceType(group=group, version="v1", kind="Secret", plural="secrets", namespaced=True)
    assert openapi.schema_name(rt) == expected
