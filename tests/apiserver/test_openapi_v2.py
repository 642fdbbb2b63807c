"""The Swagger 2.0 document and its gnostic protobuf form: definitions with GVKs and patch tags, patch operations
whose ``consumes`` offer strategic merge only for built-in kinds, and a wire encoding that reads back."""

from __future__ import annotations

import functools
import json
from typing import Any

from apiserver import openapi_v2, protobuf
from apiserver.registry import Registry
from garden.resources import garden_types
from tests.support.widgets import gadget_type

JSON = dict[str, Any]
SHOOT = "cloud.gardener.core.v1beta1.Shoot"
SHOOTS = "/apis/core.gardener.cloud/v1beta1/namespaces/{namespace}/shoots/{name}"


@functools.cache
def _garden() -> JSON:
    return openapi_v2.document(Registry(garden_types()))


def test_definitions_carry_kinds_and_patch_tags() -> None:
    doc = _garden()
    shoot = doc["definitions"][SHOOT]
    assert shoot["x-kubernetes-group-version-kind"] == [
        {"group": "core.gardener.cloud", "version": "v1beta1", "kind": "Shoot"}]
    workers = shoot["properties"]["spec"]["properties"]["provider"]["properties"]["workers"]
    assert (workers["x-kubernetes-patch-strategy"], workers["x-kubernetes-patch-merge-key"]) == ("merge", "name")
    assert workers["items"]["properties"]["maxSurge"] == {"type": "string", "format": "int-or-string",
                                                         "x-kubernetes-int-or-string": True}
    assert shoot["properties"]["metadata"]["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    owners = doc["definitions"]["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]["ownerReferences"]
    assert owners["x-kubernetes-patch-merge-key"] == "uid"


def test_every_reference_resolves_and_every_array_has_items() -> None:
    """kubectl's parser refuses a document with a dangling reference or an array without items."""
    doc = _garden()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                assert node["$ref"].removeprefix("#/definitions/") in doc["definitions"], node["$ref"]
            if node.get("type") == "array":
                assert isinstance(node.get("items"), dict), node
            assert "nullable" not in node and "anyOf" not in node and "allOf" not in node
            for key, value in node.items():
                if not key.startswith("x-"):
                    walk(value)

    walk(doc["definitions"])


def test_patch_operations_consume_strategic_merge_only_for_built_in_kinds() -> None:
    doc = openapi_v2.document(Registry([*garden_types(), gadget_type()]))
    assert "application/strategic-merge-patch+json" in doc["paths"][SHOOTS]["patch"]["consumes"]
    assert "application/strategic-merge-patch+json" in doc["paths"]["/api/v1/namespaces/{name}"]["patch"]["consumes"]
    gadget = doc["paths"]["/apis/test.hortus.dev/v1alpha1/gadgets/{name}"]["patch"]
    assert gadget["consumes"] == [
        "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
    assert gadget["x-kubernetes-group-version-kind"]["kind"] == "Gadget"


def _fields(buf: bytes) -> list[tuple[int, Any]]:
    return [(number, value) for number, _wire, value in protobuf.read_fields(buf)]


def _named(buf: bytes) -> tuple[str, bytes]:
    fields = dict(_fields(buf))
    return fields[1].decode(), fields[2]


def test_protobuf_encoding_reads_back() -> None:
    doc = _garden()
    encoded = openapi_v2.encode(doc)
    top = _fields(encoded)
    assert (top[0][0], top[0][1]) == (1, b"2.0")
    definitions = dict(_named(value) for number, value in _fields(dict(top)[9]) if number == 1)
    assert list(definitions) == list(doc["definitions"])
    shoot = _fields(definitions[SHOOT])
    extensions = {}
    for number, value in shoot:
        if number == 31:
            name, any_value = _named(value)
            extensions[name] = json.loads(dict(_fields(any_value))[2])
    assert extensions["x-kubernetes-group-version-kind"] == doc["definitions"][SHOOT]["x-kubernetes-group-version-kind"]
    assert dict(shoot)[22] == b"\n\x06object"  # TypeItem{value: "object"}
    paths = dict(_named(value) for number, value in _fields(dict(top)[8]) if number == 2)
    patch = dict(_fields(paths[SHOOTS]))[8]
    consumes = [value.decode() for number, value in _fields(patch) if number == 7]
    assert consumes == doc["paths"][SHOOTS]["patch"]["consumes"]
