"""Merge patch (RFC 7386), JSON patch (RFC 6902) and dispatch by media type (the strategic merge patch itself is
``test_strategic_merge``'s)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from apiserver import errors, patch
from seed.local.schemas import kind_schema

JSON = dict[str, Any]

SMP_REFUSED = (
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
)
SMP_ACCEPTED = (
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, "
    "application/apply-patch+yaml"
)


def _directive_keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [k for k in value if k.startswith("$")]
        return own + [k for v in value.values() for k in _directive_keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _directive_keys(v)]
    return []


# --- RFC 7386 merge patch -----------------------------------------------------------------------------

# RFC 7386, appendix A.
RFC7386_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "body", "expected"), RFC7386_EXAMPLES)
def test_merge_patch_follows_rfc7386_examples(target: Any, body: Any, expected: Any) -> None:
    assert patch.merge_patch(target, body) == expected


def test_merge_patch_leaves_inputs_untouched_and_shares_nothing() -> None:
    target = {"metadata": {"labels": {"a": "1"}}, "spec": {"list": [1]}}
    body = {"metadata": {"labels": {"b": "2", "a": None}}, "spec": {"new": {"x": [1]}}}
    target_before, body_before = copy.deepcopy(target), copy.deepcopy(body)
    result = patch.merge_patch(target, body)
    assert result == {"metadata": {"labels": {"b": "2"}}, "spec": {"list": [1], "new": {"x": [1]}}}
    result["spec"]["list"].append(2)
    result["spec"]["new"]["x"].append(2)
    assert (target, body) == (target_before, body_before)


# --- RFC 6902 JSON patch ------------------------------------------------------------------------------

DOC = {"metadata": {"name": "s1", "labels": {"env": "dev"}}, "spec": {"region": "eu", "zones": ["a", "b"]}}


@pytest.mark.parametrize(
    ("ops", "expected"),
    [
        ([{"op": "add", "path": "/metadata/labels/tier", "value": "web"}],
         {**DOC, "metadata": {"name": "s1", "labels": {"env": "dev", "tier": "web"}}}),
        ([{"op": "add", "path": "/spec/zones/-", "value": "c"}],
         {**DOC, "spec": {"region": "eu", "zones": ["a", "b", "c"]}}),
        ([{"op": "remove", "path": "/spec/zones/0"}], {**DOC, "spec": {"region": "eu", "zones": ["b"]}}),
        ([{"op": "replace", "path": "/spec/region", "value": "us"}],
         {**DOC, "spec": {"region": "us", "zones": ["a", "b"]}}),
        ([{"op": "move", "from": "/spec/region", "path": "/spec/area"}],
         {**DOC, "spec": {"area": "eu", "zones": ["a", "b"]}}),
        ([{"op": "copy", "from": "/spec/region", "path": "/spec/area"}],
         {**DOC, "spec": {"region": "eu", "area": "eu", "zones": ["a", "b"]}}),
        ([{"op": "test", "path": "/spec/region", "value": "eu"},
          {"op": "replace", "path": "/spec/region", "value": "ap"}],
         {**DOC, "spec": {"region": "ap", "zones": ["a", "b"]}}),
        ([{"op": "add", "path": "/metadata/labels/a~1b", "value": "x"}],
         {**DOC, "metadata": {"name": "s1", "labels": {"env": "dev", "a/b": "x"}}}),
        ([], DOC),
    ],
)
def test_json_patch_applies_rfc6902_operations(ops: list[JSON], expected: JSON) -> None:
    before = copy.deepcopy(DOC)
    assert patch.json_patch(DOC, ops) == expected
    assert before == DOC


@pytest.mark.parametrize(
    ("ops", "fragment"),
    [
        ([{"op": "test", "path": "/spec/region", "value": "us"}], "operation 0 (test /spec/region)"),
        ([{"op": "replace", "path": "/spec/missing", "value": 1}], "operation 0 (replace /spec/missing)"),
        ([{"op": "remove", "path": "/nope"}], "non-existent"),
        ([{"op": "add", "path": "/nope/deeper", "value": 1}], "operation 0"),
        ([{"op": "add", "path": "/spec/zones/9", "value": "x"}], "operation 0"),
        ([{"op": "bogus", "path": "/spec"}], "Unknown operation 'bogus'"),
        ([{"op": "add", "path": "/spec/x", "value": 1}, {"op": "copy", "path": "/spec/y"}], "operation 1"),
        ([{"op": "replace", "path": "", "value": [1]}], "not a JSON object"),
    ],
)
def test_json_patch_failure_is_422(ops: list[JSON], fragment: str) -> None:
    with pytest.raises(errors.ApiError) as caught:
        patch.json_patch(DOC, ops)
    assert (caught.value.code, caught.value.reason) == (422, "Invalid")
    assert caught.value.message.startswith("json patch failed: ")
    assert fragment in caught.value.message


@pytest.mark.parametrize("ops", [{"op": "add"}, "add", [1], [["op", "add"]]])
def test_json_patch_that_is_not_an_array_of_objects_is_400(ops: Any) -> None:
    with pytest.raises(errors.ApiError) as caught:
        patch.json_patch(DOC, ops)
    assert caught.value.code == 400


def test_json_patch_does_not_alias_values_from_the_operations() -> None:
    ops = [{"op": "add", "path": "/spec/extra", "value": {"list": [1]}}]
    result = patch.json_patch(DOC, ops)
    result["spec"]["extra"]["list"].append(2)
    assert ops[0]["value"] == {"list": [1]}


def test_json_patch_refuses_too_many_operations() -> None:
    ops = [{"op": "test", "path": "/spec/region", "value": "eu"}] * (patch.MAX_JSON_PATCH_OPERATIONS + 1)
    with pytest.raises(errors.ApiError) as caught:
        patch.json_patch(DOC, ops)
    assert caught.value.code == 413


# --- dispatch by media type ---------------------------------------------------------------------------


def _deployment() -> JSON:
    return {
        "metadata": {"name": "web", "finalizers": ["a", "b"], "labels": {"app": "web"}},
        "spec": {"template": {"spec": {
            "containers": [
                {"name": "app", "image": "app:1", "args": ["--x"],
                 "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                 "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443}]},
                {"name": "sidecar", "image": "side:1"},
            ],
            "tolerations": [{"key": "a", "operator": "Exists"}],
        }}},
    }


def _containers(obj: JSON) -> list[JSON]:
    containers: list[JSON] = obj["spec"]["template"]["spec"]["containers"]
    return containers


def _smp_containers(items: list[JSON], **extra: Any) -> JSON:
    return {"spec": {"template": {"spec": {"containers": items, **extra}}}}




def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_apply_patch_dispatches_merge_patch_ignoring_parameters() -> None:
    result = patch.apply_patch(_deployment(), _body({"metadata": {"labels": {"app": None}}}),
                               "application/merge-patch+json; charset=utf-8", strategic=False)
    assert "labels" in result["metadata"]
    assert result["metadata"]["labels"] == {}


def test_apply_patch_merge_patch_replaces_lists() -> None:
    body = _body(_smp_containers([{"name": "new"}]))
    result = patch.apply_patch(_deployment(), body, "application/merge-patch+json", strategic=True)
    assert _containers(result) == [{"name": "new"}]


def test_apply_patch_dispatches_json_patch() -> None:
    body = _body([{"op": "replace", "path": "/metadata/name", "value": "other"}])
    result = patch.apply_patch(_deployment(), body, "Application/JSON-Patch+JSON", strategic=False)
    assert result["metadata"]["name"] == "other"


def test_apply_patch_dispatches_strategic_merge_patch_when_allowed() -> None:
    body = _body(_smp_containers([{"name": "new"}]))
    result = patch.apply_patch(_deployment(), body, "application/strategic-merge-patch+json", strategic=True,
                               schema=kind_schema("apps/v1", "Deployment"))
    assert [c["name"] for c in _containers(result)] == ["new", "app", "sidecar"]


def test_apply_patch_without_a_schema_replaces_lists() -> None:
    body = _body(_smp_containers([{"name": "new"}]))
    result = patch.apply_patch(_deployment(), body, "application/strategic-merge-patch+json", strategic=True)
    assert [c["name"] for c in _containers(result)] == ["new"]


def test_apply_patch_refuses_strategic_merge_patch_for_custom_kinds_with_kubernetes_message() -> None:
    with pytest.raises(errors.ApiError) as caught:
        patch.apply_patch(_deployment(), b"{}", "application/strategic-merge-patch+json", strategic=False)
    assert (caught.value.code, caught.value.reason) == (415, "UnsupportedMediaType")
    assert caught.value.message == SMP_REFUSED


@pytest.mark.parametrize(
    "content_type", ["application/apply-patch+yaml", "application/json", "text/plain", ""])
def test_apply_patch_refuses_other_media_types(content_type: str) -> None:
    with pytest.raises(errors.ApiError) as caught:
        patch.apply_patch(_deployment(), b"{}", content_type, strategic=True)
    assert (caught.value.code, caught.value.message) == (415, SMP_ACCEPTED)


@pytest.mark.parametrize(
    "content_type",
    ["application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json"],
)
@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe"])
def test_apply_patch_rejects_malformed_json(content_type: str, body: bytes) -> None:
    with pytest.raises(errors.ApiError) as caught:
        patch.apply_patch(_deployment(), body, content_type, strategic=True)
    assert caught.value.code == 400


def test_apply_patch_rejects_merge_patch_that_is_not_an_object() -> None:
    with pytest.raises(errors.ApiError) as caught:
        patch.apply_patch(_deployment(), b"[]", "application/merge-patch+json", strategic=False)
    assert (caught.value.code, caught.value.message) == (400, "Invalid JSON Patch")


def test_apply_patch_rejects_json_patch_that_is_not_an_array() -> None:
    with pytest.raises(errors.ApiError) as caught:
        patch.apply_patch(_deployment(), b'{"op": "add"}', "application/json-patch+json", strategic=False)
    assert caught.value.code == 400
