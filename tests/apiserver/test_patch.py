"""Merge patch (RFC 7386), JSON patch (RFC 6902), strategic merge patch, and dispatch by media type."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from apiserver import errors, patch

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


# --- strategic merge patch ----------------------------------------------------------------------------


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


def test_smp_updates_one_container_by_name() -> None:
    body = _smp_containers([{"name": "sidecar", "image": "side:2"}])
    result = patch.strategic_merge_patch(_deployment(), body)
    assert [(c["name"], c["image"]) for c in _containers(result)] == [("app", "app:1"), ("sidecar", "side:2")]
    assert _containers(result)[0]["args"] == ["--x"]


def test_smp_appends_a_new_container() -> None:
    result = patch.strategic_merge_patch(_deployment(), _smp_containers([{"name": "new", "image": "new:1"}]))
    assert [c["name"] for c in _containers(result)] == ["app", "sidecar", "new"]


def test_smp_deletes_a_container_with_patch_delete() -> None:
    result = patch.strategic_merge_patch(
        _deployment(), _smp_containers([{"name": "sidecar", "$patch": "delete"}]))
    assert [c["name"] for c in _containers(result)] == ["app"]


def test_smp_merges_env_by_name_inside_a_container() -> None:
    env = [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]
    body = _smp_containers([{"name": "app", "env": env}])
    result = patch.strategic_merge_patch(_deployment(), body)
    assert _containers(result)[0]["env"] == [
        {"name": "A", "value": "1"}, {"name": "B", "value": "3"}, {"name": "C", "value": "4"}]


def test_smp_merges_container_ports_by_container_port() -> None:
    body = _smp_containers([{"name": "app", "ports": [{"containerPort": 443, "name": "https"}]}])
    result = patch.strategic_merge_patch(_deployment(), body)
    assert _containers(result)[0]["ports"] == [{"containerPort": 80, "name": "http"},
                                               {"containerPort": 443, "name": "https"}]


def test_smp_merges_service_ports_by_port() -> None:
    service = {"spec": {"type": "ClusterIP", "ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}
    body = {"spec": {"ports": [{"port": 80, "targetPort": 9090}, {"port": 8443, "name": "alt"}]}}
    result = patch.strategic_merge_patch(service, body)
    assert result["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443},
                                       {"port": 8443, "name": "alt"}]


def test_smp_merges_conditions_by_type() -> None:
    shoot = {"status": {"conditions": [{"type": "A", "status": "True"}, {"type": "B", "status": "False"}]}}
    body = {"status": {"conditions": [{"type": "B", "status": "True", "reason": "Ok"}]}}
    result = patch.strategic_merge_patch(shoot, body)
    assert result["status"]["conditions"] == [
        {"type": "A", "status": "True"}, {"type": "B", "status": "True", "reason": "Ok"}]


def test_smp_merges_owner_references_by_uid_and_gardener_workers_by_name() -> None:
    target = {"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}]},
              "spec": {"provider": {"workers": [{"name": "w1", "maximum": 2}, {"name": "w2", "maximum": 1}]}}}
    body = {"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}]},
            "spec": {"provider": {"workers": [{"name": "w2", "maximum": 5}]}}}
    result = patch.strategic_merge_patch(target, body)
    assert [r["uid"] for r in result["metadata"]["ownerReferences"]] == ["1", "2"]
    workers = result["spec"]["provider"]["workers"]
    assert workers == [{"name": "w1", "maximum": 2}, {"name": "w2", "maximum": 5}]


def test_smp_merges_finalizers_as_a_set_and_deletes_from_primitive_list() -> None:
    body = {"metadata": {"finalizers": ["c", "a", "c"], "$deleteFromPrimitiveList/finalizers": ["b"]}}
    result = patch.strategic_merge_patch(_deployment(), body)
    assert result["metadata"]["finalizers"] == ["a", "c"]
    assert "$deleteFromPrimitiveList/finalizers" not in result["metadata"]


def test_smp_delete_from_primitive_list_alone() -> None:
    result = patch.strategic_merge_patch(
        _deployment(), {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a", "zzz"]}})
    assert result["metadata"]["finalizers"] == ["b"]


def test_smp_replaces_lists_without_a_merge_strategy() -> None:
    tolerations = [{"key": "b", "operator": "Exists"}]
    body = _smp_containers([{"name": "app", "args": ["--y"]}], tolerations=tolerations)
    result = patch.strategic_merge_patch(_deployment(), body)
    assert _containers(result)[0]["args"] == ["--y"]
    assert result["spec"]["template"]["spec"]["tolerations"] == [{"key": "b", "operator": "Exists"}]


def test_smp_patch_replace_item_replaces_the_whole_list() -> None:
    body = _smp_containers([{"$patch": "replace"}, {"name": "only", "image": "only:1"}])
    result = patch.strategic_merge_patch(_deployment(), body)
    assert _containers(result) == [{"name": "only", "image": "only:1"}]


def test_smp_patch_replace_on_a_map_replaces_the_map() -> None:
    body = {"metadata": {"labels": {"$patch": "replace", "tier": "db"}}}
    result = patch.strategic_merge_patch(_deployment(), body)
    assert result["metadata"]["labels"] == {"tier": "db"}


def test_smp_patch_delete_on_a_map_deletes_it() -> None:
    result = patch.strategic_merge_patch(_deployment(), {"metadata": {"labels": {"$patch": "delete"}}})
    assert "labels" not in result["metadata"]


def test_smp_null_deletes_a_key_as_in_merge_patch() -> None:
    body = {"metadata": {"labels": {"app": None, "new": "x"}, "finalizers": None}}
    result = patch.strategic_merge_patch(_deployment(), body)
    assert result["metadata"] == {"name": "web", "labels": {"new": "x"}}


def test_smp_set_element_order_orders_the_merged_list_and_is_stripped() -> None:
    body = _smp_containers(
        [{"name": "new", "image": "new:1"}],
        **{"$setElementOrder/containers": [{"name": "new"}, {"name": "app"}, {"name": "sidecar"}]},
    )
    result = patch.strategic_merge_patch(_deployment(), body)
    assert [c["name"] for c in _containers(result)] == ["new", "app", "sidecar"]
    assert _directive_keys(result) == []


def test_smp_set_element_order_alone_reorders_and_keeps_unnamed_items_in_server_position() -> None:
    target = {"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}
    body = {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "b"}, {"name": "a"}]}}
    result = patch.strategic_merge_patch(target, body)
    assert [c["name"] for c in result["spec"]["containers"]] == ["c", "b", "a"]


def test_smp_set_element_order_for_a_primitive_list() -> None:
    body = {"metadata": {"finalizers": ["c"], "$setElementOrder/finalizers": ["c", "b", "a"]}}
    assert patch.strategic_merge_patch(_deployment(), body)["metadata"]["finalizers"] == ["c", "b", "a"]


def test_smp_retain_keys_drops_unlisted_keys() -> None:
    target = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    body = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert patch.strategic_merge_patch(target, body) == {"spec": {"strategy": {"type": "Recreate"}}}


def test_smp_retain_keys_may_null_unlisted_keys() -> None:
    target = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    body = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": None}}}
    assert patch.strategic_merge_patch(target, body) == {"spec": {"strategy": {"type": "Recreate"}}}


@pytest.mark.parametrize(
    "strategy", [{"$retainKeys": ["type"], "rollingUpdate": {}}, {"$retainKeys": "type", "type": "Recreate"}])
def test_smp_retain_keys_must_be_a_list_covering_the_patched_keys(strategy: JSON) -> None:
    with pytest.raises(errors.ApiError) as caught:
        patch.strategic_merge_patch({"spec": {}}, {"spec": {"strategy": strategy}})
    assert (caught.value.code, caught.value.message) == (400, "invalid patch format of retainKeys")


def test_smp_strips_directives_from_values_new_to_the_target() -> None:
    body = {"spec": {"template": {"spec": {
        "initContainers": [{"name": "init", "image": "i:1", "env": [{"name": "X", "value": None}]},
                           {"name": "gone", "$patch": "delete"}],
        "extra": {"$retainKeys": ["a"], "a": 1, "b": None},
        "dropped": {"$patch": "delete"},
        "replaced": {"$patch": "replace", "k": "v"},
    }}}}
    result = patch.strategic_merge_patch({}, body)
    assert result == {"spec": {"template": {"spec": {
        "initContainers": [{"name": "init", "image": "i:1", "env": [{"name": "X"}]}],
        "extra": {"a": 1},
        "replaced": {"k": "v"},
    }}}}


def test_smp_top_level_patch_directives() -> None:
    assert patch.strategic_merge_patch(_deployment(), {"$patch": "replace", "a": 1}) == {"a": 1}
    assert patch.strategic_merge_patch(_deployment(), {"$patch": "delete"}) == {}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (["not", "an", "object"], "must be a JSON object"),
        ({"metadata": {"$patch": "merge"}}, "unknown patch type: merge"),
        (_smp_containers([{"image": "x", "$patch": "delete"}]), "delete patch type with no merge key"),
        (_smp_containers([{"name": "app", "$patch": "bogus"}]), "unknown patch type: bogus"),
        (_smp_containers([{"$patch": "merge"}]), "merging lists cannot yet be specified in the patch"),
        (_smp_containers([{"image": "x"}]), "does not contain declared merge key: name"),
        ({"metadata": {"$deleteFromPrimitiveList/finalizers": "a"}}, "invalid patch format of primitive"),
        ({"metadata": {"$setElementOrder/finalizers": "a"}}, "invalid patch format of setElementOrder list"),
    ],
)
def test_smp_rejects_malformed_patch(body: Any, fragment: str) -> None:
    with pytest.raises(errors.ApiError) as caught:
        patch.strategic_merge_patch(_deployment(), body)
    assert caught.value.code == 400
    assert fragment in caught.value.message


def test_smp_accepts_items_without_merge_key_for_a_list_new_to_the_target() -> None:
    result = patch.strategic_merge_patch({"spec": {}}, {"spec": {"containers": [{"image": "x"}]}})
    assert result == {"spec": {"containers": [{"image": "x"}]}}


def test_smp_accepts_custom_merge_keys() -> None:
    target = {"spec": {"items": [{"id": 1, "v": "a"}], "containers": [{"name": "x"}]}}
    body = {"spec": {"items": [{"id": 1, "v": "b"}, {"id": 2}], "containers": [{"name": "y"}]}}
    result = patch.strategic_merge_patch(target, body, {"items": "id"})
    assert result["spec"]["items"] == [{"id": 1, "v": "b"}, {"id": 2}]
    assert result["spec"]["containers"] == [{"name": "y"}]  # not a merge list under these keys


def test_smp_leaves_inputs_untouched() -> None:
    target, body = _deployment(), _smp_containers(
        [{"name": "app", "image": "app:2", "env": [{"name": "A", "value": None}]},
         {"name": "sidecar", "$patch": "delete"}],
        **{"$setElementOrder/containers": [{"name": "app"}]},
    )
    target_before, body_before = copy.deepcopy(target), copy.deepcopy(body)
    result = patch.strategic_merge_patch(target, body)
    _containers(result)[0]["env"].append({"name": "Z"})
    assert (target, body) == (target_before, body_before)


def test_default_merge_keys_leave_tolerations_to_replace() -> None:
    assert "tolerations" not in patch.DEFAULT_MERGE_KEYS
    assert patch.DEFAULT_MERGE_KEYS["ports"] == ("containerPort", "port")
    assert "finalizers" in patch.MERGE_PRIMITIVE_LISTS


# --- dispatch by media type ---------------------------------------------------------------------------


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
    result = patch.apply_patch(_deployment(), body, "application/strategic-merge-patch+json", strategic=True)
    assert [c["name"] for c in _containers(result)] == ["app", "sidecar", "new"]


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
