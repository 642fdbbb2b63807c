"""Strategic merge patch driven by the kind's schema: per-path merge keys, atomic lists and kubectl's directives,
for the local seed's Kubernetes kinds (schemas from the official client's models, extensions from Kubernetes'
OpenAPI) and the garden's Gardener kinds (their Go types' ``patchStrategy``/``patchMergeKey`` tags)."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from apiserver import errors, schema
from apiserver.strategic import strategic_merge_patch
from seed.local.schemas import kind_schema
from shoot.api import Project, Shoot

JSON = dict[str, Any]

DEPLOYMENT = kind_schema("apps/v1", "Deployment")
POD = kind_schema("v1", "Pod")
SERVICE = kind_schema("v1", "Service")
NODE = kind_schema("v1", "Node")
SHOOT = schema.model_schema(Shoot)
PROJECT = schema.model_schema(Project)


def _deployment() -> JSON:
    return {
        "metadata": {"name": "web", "finalizers": ["a", "b"], "labels": {"app": "web"}},
        "spec": {
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {"spec": {
                "containers": [
                    {"name": "app", "image": "app:1", "args": ["--x"],
                     "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                     "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443}]},
                    {"name": "sidecar", "image": "side:1"},
                ],
                "tolerations": [{"key": "a", "operator": "Exists"}],
            }},
        },
    }


def _containers(obj: JSON) -> list[JSON]:
    containers: list[JSON] = obj["spec"]["template"]["spec"]["containers"]
    return containers


def _pod_spec(**fields: Any) -> JSON:
    return {"spec": {"template": {"spec": fields}}}


def _shoot(*workers: JSON) -> JSON:
    return {"metadata": {"name": "s"}, "spec": {"region": "local", "provider": {"type": "local",
                                                                               "workers": list(workers)}}}


def _worker(name: str, **fields: Any) -> JSON:
    return {"name": name, "machine": {"type": "local"}, "minimum": 1, "maximum": 2, **fields}


def _smp(target: JSON, body: Any, kind_schema: JSON | None = DEPLOYMENT) -> JSON:
    return strategic_merge_patch(target, body, kind_schema)


def _refused(target: JSON, body: Any, kind_schema: JSON | None = DEPLOYMENT) -> errors.ApiError:
    with pytest.raises(errors.ApiError) as caught:
        strategic_merge_patch(target, body, kind_schema)
    return caught.value


# --- merge keys come from the schema, per path ---------------------------------------------------------------


def test_containers_merge_by_name_and_keep_what_the_patch_does_not_name() -> None:
    result = _smp(_deployment(), _pod_spec(containers=[{"name": "sidecar", "image": "side:2"}]))
    assert [(c["name"], c["image"]) for c in _containers(result)] == [("app", "app:1"), ("sidecar", "side:2")]
    assert _containers(result)[0]["args"] == ["--x"]


def test_a_new_item_goes_before_the_server_items_unless_an_order_is_given() -> None:
    """Kubernetes puts items the server does not know first; kubectl always sends ``$setElementOrder``."""
    result = _smp(_deployment(), _pod_spec(containers=[{"name": "new", "image": "new:1"}]))
    assert [c["name"] for c in _containers(result)] == ["new", "app", "sidecar"]
    ordered = _pod_spec(containers=[{"name": "new", "image": "new:1"}], **{
        "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}, {"name": "new"}]})
    assert [c["name"] for c in _containers(_smp(_deployment(), ordered))] == ["app", "sidecar", "new"]


def test_the_same_field_name_merges_by_the_key_of_its_own_path() -> None:
    """``ports`` of a container merge by containerPort, ``ports`` of a Service by port."""
    ports = [{"containerPort": 443, "name": "https"}, {"containerPort": 8080}]
    result = _smp(_deployment(), _pod_spec(containers=[{"name": "app", "ports": ports}],
                                           **{"$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}]}))
    assert [p["containerPort"] for p in _containers(result)[0]["ports"]] == [80, 443, 8080]
    assert _containers(result)[0]["ports"][1] == {"containerPort": 443, "name": "https"}

    service = {"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}
    body = {"spec": {"ports": [{"port": 80, "targetPort": 9090}],
                     "$setElementOrder/ports": [{"port": 80}, {"port": 443}]}}
    assert _smp(service, body, SERVICE)["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443}]


def test_env_merges_by_name_inside_a_merged_container() -> None:
    env = [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]
    body = _pod_spec(containers=[{"name": "app", "env": env,
                                  "$setElementOrder/env": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}])
    assert _containers(_smp(_deployment(), body))[0]["env"] == [
        {"name": "A", "value": "1"}, {"name": "B", "value": "3"}, {"name": "C", "value": "4"}]


@pytest.mark.parametrize(("target", "body", "path", "expected", "kind"), [
    # A Node's taints are atomic in Kubernetes (listType=atomic, no patch strategy), though keyed elsewhere.
    ({"spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]}},
     {"spec": {"taints": [{"key": "b", "effect": "NoExecute"}]}},
     ("spec", "taints"), [{"key": "b", "effect": "NoExecute"}], NODE),
    # A Pod's tolerations and a container's args: atomic.
    (_deployment(), _pod_spec(tolerations=[{"key": "b", "operator": "Exists"}]),
     ("spec", "template", "spec", "tolerations"), [{"key": "b", "operator": "Exists"}], DEPLOYMENT),
    ({"spec": {"containers": [{"name": "c", "args": ["--x", "--y"]}]}},
     {"spec": {"containers": [{"name": "c", "args": ["--z"]}]}},
     ("spec", "containers", 0, "args"), ["--z"], POD),
    # A Project's members are atomic in Gardener (no patch tags on ProjectSpec.Members).
    ({"spec": {"members": [{"kind": "User", "name": "anna", "role": "admin"}]}},
     {"spec": {"members": [{"kind": "User", "name": "bert", "role": "viewer"}]}},
     ("spec", "members"), [{"kind": "User", "name": "bert", "role": "viewer"}], PROJECT),
    # A worker's taints are atomic, though the workers around them merge by name.
    (_shoot(_worker("a", taints=[{"key": "x", "effect": "NoSchedule"}])),
     {"spec": {"provider": {"workers": [{"name": "a", "taints": [{"key": "y", "effect": "NoSchedule"}]}]}}},
     ("spec", "provider", "workers", 0, "taints"), [{"key": "y", "effect": "NoSchedule"}], SHOOT),
    # Lists inside free-form provider configs have no strategy: replaced, whatever they are called.
    ({"spec": {"provider": {"infrastructureConfig": {"workers": [{"name": "a"}], "conditions": [{"type": "X"}]}}}},
     {"spec": {"provider": {"infrastructureConfig": {"workers": [{"name": "b"}], "conditions": [{"type": "Y"}]}}}},
     ("spec", "provider", "infrastructureConfig"), {"workers": [{"name": "b"}], "conditions": [{"type": "Y"}]},
     SHOOT),
], ids=["node-taints", "pod-tolerations", "container-args", "project-members", "worker-taints", "free-form"])
def test_lists_without_a_merge_strategy_are_replaced_whole(target: JSON, body: JSON, path: tuple[Any, ...],
                                                           expected: Any, kind: JSON) -> None:
    value: Any = _smp(target, body, kind)
    for step in path:
        value = value[step]
    assert value == expected


def test_gardener_lists_merge_by_their_go_merge_keys() -> None:
    target = {**_shoot(_worker("a"), _worker("b")),
              "status": {"conditions": [{"type": "APIServerAvailable", "status": "True"}]}}
    target["spec"]["tolerations"] = [{"key": "k1"}]
    body = {"spec": {"tolerations": [{"key": "k2"}], "$setElementOrder/tolerations": [{"key": "k1"}, {"key": "k2"}],
                     "provider": {"workers": [{"name": "b", "maximum": 5}],
                                  "$setElementOrder/workers": [{"name": "a"}, {"name": "b"}]}},
            "status": {"conditions": [{"type": "EveryNodeReady", "status": "False"}]}}
    result = _smp(target, body, SHOOT)
    assert [(w["name"], w["maximum"]) for w in result["spec"]["provider"]["workers"]] == [("a", 2), ("b", 5)]
    assert result["spec"]["tolerations"] == [{"key": "k1"}, {"key": "k2"}]
    assert [c["type"] for c in result["status"]["conditions"]] == ["EveryNodeReady", "APIServerAvailable"]


def test_kubectl_apply_patch_removing_a_worker_pool_removes_it() -> None:
    """The three-way patch kubectl computes from the published merge key when a pool leaves the manifest."""
    body = {"spec": {"provider": {"$setElementOrder/workers": [{"name": "a"}],
                                  "workers": [{"$patch": "delete", "name": "b"}]}}}
    result = _smp(_shoot(_worker("a"), _worker("b")), body, SHOOT)
    assert result["spec"]["provider"]["workers"] == [_worker("a")]


def test_metadata_follows_object_meta_for_every_kind() -> None:
    """ownerReferences merge by uid and finalizers as a set, even for a kind with no schema of its own."""
    target = {"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}], "finalizers": ["x"]}}
    body = {"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}],
                         "$setElementOrder/ownerReferences": [{"uid": "1"}, {"uid": "2"}],
                         "finalizers": ["y", "x"]}}
    for kind in (None, SHOOT, NODE):
        result = _smp(target, body, kind)
        assert [r["uid"] for r in result["metadata"]["ownerReferences"]] == ["1", "2"]
        assert result["metadata"]["finalizers"] == ["y", "x"]


def test_without_a_schema_every_list_is_atomic() -> None:
    result = _smp(_deployment(), _pod_spec(containers=[{"name": "new"}]), None)
    assert _containers(result) == [{"name": "new"}]


# --- directives ---------------------------------------------------------------------------------------------


def test_patch_delete_removes_the_item_with_that_key() -> None:
    result = _smp(_deployment(), _pod_spec(containers=[{"name": "sidecar", "$patch": "delete"}]))
    assert [c["name"] for c in _containers(result)] == ["app"]


def test_patch_replace_in_a_list_makes_the_rest_the_new_list() -> None:
    result = _smp(_deployment(), _pod_spec(containers=[{"$patch": "replace"}, {"name": "only", "image": "o:1"}]))
    assert _containers(result) == [{"name": "only", "image": "o:1"}]


def test_patch_replace_and_delete_on_maps() -> None:
    replaced = _smp(_deployment(), {"metadata": {"labels": {"$patch": "replace", "tier": "db"}}})
    assert replaced["metadata"]["labels"] == {"tier": "db"}
    deleted = _smp(_deployment(), {"metadata": {"labels": {"$patch": "delete"}}})
    assert "labels" not in deleted["metadata"]
    assert _smp(_deployment(), {"$patch": "replace", "a": 1}) == {"a": 1}
    assert _smp(_deployment(), {"$patch": "delete"}) == {}


def test_null_deletes_a_key() -> None:
    body = {"metadata": {"labels": {"app": None, "new": "x"}, "finalizers": None}}
    assert _smp(_deployment(), body)["metadata"] == {"name": "web", "labels": {"new": "x"}}


def test_primitive_merge_lists_are_sets_with_deletions_from_a_parallel_list() -> None:
    body = {"metadata": {"finalizers": ["c", "a", "c"], "$deleteFromPrimitiveList/finalizers": ["b"]}}
    assert _smp(_deployment(), body)["metadata"]["finalizers"] == ["c", "a"]
    alone = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a", "zzz"]}}
    assert _smp(_deployment(), alone)["metadata"]["finalizers"] == ["b"]


def test_set_element_order_orders_lists_of_maps_and_of_scalars() -> None:
    target = {"spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}
    body = {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "b"}, {"name": "a"}]}}
    assert [c["name"] for c in _smp(target, body, POD)["spec"]["containers"]] == ["c", "b", "a"]
    scalars = {"metadata": {"finalizers": ["c"], "$setElementOrder/finalizers": ["c", "b", "a"]}}
    assert _smp(_deployment(), scalars)["metadata"]["finalizers"] == ["c", "b", "a"]


def test_retain_keys_clears_what_it_does_not_list() -> None:
    body = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    assert _smp(_deployment(), body)["spec"]["strategy"] == {"type": "Recreate"}
    nulled = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": None}}}
    assert _smp(_deployment(), nulled)["spec"]["strategy"] == {"type": "Recreate"}


def test_values_new_to_the_target_lose_their_directives_and_nulls() -> None:
    body = {"spec": {"template": {"spec": {
        "initContainers": [{"name": "init", "image": "i:1", "env": [{"name": "X", "value": None}]},
                           {"name": "gone", "$patch": "delete"}],
        "extra": {"$retainKeys": ["a"], "a": 1, "b": None},
        "dropped": {"$patch": "delete"},
        "replaced": {"$patch": "replace", "k": "v"},
    }}}}
    assert _smp({}, body) == {"spec": {"template": {"spec": {
        "initContainers": [{"name": "init", "image": "i:1", "env": [{"name": "X"}]}],
        "extra": {"a": 1},
        "replaced": {"k": "v"},
    }}}}


@pytest.mark.parametrize(("body", "code", "message"), [
    (["not", "an", "object"], 400, "strategic merge patch: the patch must be a JSON object"),
    ({"metadata": {"labels": {"$patch": "merge"}}}, 400, "unknown patch type: merge in map: map[$patch:merge]"),
    (_pod_spec(containers=[{"image": "x", "$patch": "delete"}]), 400,
     "map: map[$patch:delete image:x] does not contain declared merge key: name"),
    (_pod_spec(containers=[{"name": "app", "$patch": "bogus"}]), 400,
     "unknown patch type: bogus in map: map[$patch:bogus name:app]"),
    (_pod_spec(containers=[{"$patch": "merge"}]), 400, "merging lists cannot yet be specified in the patch"),
    (_pod_spec(containers=[{"image": "x"}]), 400, "map: map[image:x] does not contain declared merge key: name"),
    ({"metadata": {"$deleteFromPrimitiveList/finalizers": "a"}}, 400, "invalid patch format of primitive list"),
    ({"metadata": {"$setElementOrder/finalizers": "a"}}, 400, "invalid patch format of setElementOrder list"),
    ({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}}, 400, "invalid patch format of retainKeys"),
    ({"spec": {"strategy": {"$retainKeys": "type"}}}, 400, "invalid patch format of retainKeys"),
    ({"metadata": {"finalizers": [["x"]]}}, 422, "lists of lists are not supported"),
    ({"metadata": {"finalizers": ["x"], "$setElementOrder/finalizers": ["y"]}}, 400,
     "The order in patch list:\n[x]\n doesn't match $setElementOrder list:\n[y]\n"),
], ids=["not-an-object", "map-merge", "delete-without-key", "bogus", "list-merge", "no-merge-key",
        "delete-list-format", "order-format", "retain-keys-missing", "retain-keys-format", "list-of-lists",
        "order-mismatch"])
def test_malformed_patches_are_refused_with_kubernetes_messages(body: Any, code: int, message: str) -> None:
    refused = _refused(_deployment(), body)
    assert (refused.code, refused.message) == (code, message)


def test_items_of_a_list_new_to_the_target_need_no_merge_key() -> None:
    assert _smp({"spec": {}}, {"spec": {"containers": [{"image": "x"}]}}, POD) == {
        "spec": {"containers": [{"image": "x"}]}}


def test_inputs_are_left_untouched() -> None:
    target = _deployment()
    body = _pod_spec(containers=[{"name": "app", "image": "app:2", "env": [{"name": "A", "value": None}]},
                                 {"name": "sidecar", "$patch": "delete"}],
                     **{"$setElementOrder/containers": [{"name": "app"}]})
    target_before, body_before = copy.deepcopy(target), copy.deepcopy(body)
    result = _smp(target, body)
    _containers(result)[0]["env"].append({"name": "Z"})
    assert (target, body) == (target_before, body_before)


# --- the published schemas carry the metadata ---------------------------------------------------------------


@pytest.mark.parametrize(("kind", "path", "extensions"), [
    (SHOOT, ("spec", "provider", "workers"), {"x-kubernetes-patch-merge-key": "name"}),
    (SHOOT, ("spec", "tolerations"), {"x-kubernetes-patch-merge-key": "key"}),
    (SHOOT, ("status", "conditions"), {"x-kubernetes-patch-merge-key": "type"}),
    (SHOOT, ("spec", "kubernetes", "kubeAPIServer", "admissionPlugins"), {"x-kubernetes-patch-merge-key": "name"}),
    (POD, ("spec", "containers"), {"x-kubernetes-patch-merge-key": "name", "x-kubernetes-list-type": "map",
                                   "x-kubernetes-list-map-keys": ["name"]}),
    (NODE, ("spec", "taints"), {"x-kubernetes-list-type": "atomic"}),
    (DEPLOYMENT, ("spec", "strategy"), {"x-kubernetes-patch-strategy": "retainKeys"}),
])
def test_schemas_carry_the_go_patch_tags(kind: JSON, path: tuple[str, ...], extensions: JSON) -> None:
    node = kind
    for step in path:
        node = node["properties"][step]
    assert {k: node.get(k) for k in extensions} == extensions
    if "x-kubernetes-patch-merge-key" in extensions:
        assert node["x-kubernetes-patch-strategy"] == "merge"
    if extensions.get("x-kubernetes-list-type") == "atomic":
        assert "x-kubernetes-patch-strategy" not in node


# --- ordering and sets, as apimachinery's own cases have them ---------------------------------------------------

LISTS: JSON = {"type": "object", "properties": {
    "merging": {"type": "array", "items": {"type": "object"}, "x-kubernetes-patch-strategy": "merge",
                "x-kubernetes-patch-merge-key": "name"},
    "ints": {"type": "array", "items": {"type": "integer"}, "x-kubernetes-patch-strategy": "merge"},
}}


@pytest.mark.parametrize(("original", "body", "expected"), [
    # Scalars merge as a set.
    ({"ints": [1, 2]}, {"ints": [2, 3]}, {"ints": [1, 2, 3]}),
    # The patch's order wins for the items it names; server-only items keep their place where they can.
    ({"ints": [1, 2, 3]}, {"ints": [3, 1]}, {"ints": [2, 3, 1]}),
    ({"merging": [{"name": 1}, {"name": 2, "value": "b"}, {"name": 3}]},
     {"merging": [{"name": 3, "value": "c"}, {"name": 1, "value": "a"}]},
     {"merging": [{"name": 2, "value": "b"}, {"name": 3, "value": "c"}, {"name": 1, "value": "a"}]}),
    # $patch: delete removes every item with the key, duplicates included.
    ({"merging": [{"name": 1}, {"name": 1}, {"name": 2, "value": "a"}, {"name": 3}, {"name": 3}]},
     {"merging": [{"name": 1, "$patch": "delete"}, {"name": 3, "$patch": "delete"}]},
     {"merging": [{"name": 2, "value": "a"}]}),
    # A lone $patch: replace empties the list; an empty patch list leaves it as it is.
    ({"merging": [{"name": 1}, {"name": 2}]}, {"merging": [{"$patch": "replace"}]}, {"merging": []}),
    ({"merging": [{"name": 1}]}, {"merging": []}, {"merging": [{"name": 1}]}),
    # $setElementOrder with server-only items: they stay next to their server neighbours.
    ({"merging": [{"name": 1}, {"name": 2}, {"name": 3}]},
     {"$setElementOrder/merging": [{"name": 3}, {"name": 1}], "merging": [{"name": 3, "value": "c"}]},
     {"merging": [{"name": 2}, {"name": 3, "value": "c"}, {"name": 1}]}),
], ids=["scalar-set", "scalar-order", "map-order", "delete-duplicates", "replace-empty", "empty-patch", "set-order"])
def test_ordering_and_sets_follow_kubernetes(original: JSON, body: JSON, expected: JSON) -> None:
    assert _smp(original, body, LISTS) == expected


# --- hostile patches: a Kubernetes error, never a crash ----------------------------------------------------------

_KEYS = ("spec", "template", "containers", "name", "image", "ports", "containerPort", "env", "metadata", "labels",
         "finalizers", "provider", "workers", "taints", "strategy", "type", "rollingUpdate", "$patch", "$retainKeys",
         "$setElementOrder/containers", "$setElementOrder/workers", "$deleteFromPrimitiveList/finalizers")
_VALUES = ("replace", "delete", "merge", "bogus", "app", "sidecar", "a", 1, 80, 1.5, True, None)


def _random_value(r: random.Random, depth: int) -> Any:
    roll = r.random()
    if depth > 3 or roll < 0.4:
        return r.choice(_VALUES)
    if roll < 0.75:
        return {r.choice(_KEYS): _random_value(r, depth + 1) for _ in range(r.randint(0, 3))}
    return [_random_value(r, depth + 1) for _ in range(r.randint(0, 3))]


def _shaped_like(r: random.Random, node: Any) -> Any:
    """A patch with the target's own keys, some values and directives replaced by random ones."""
    if isinstance(node, dict):
        out = {k: _shaped_like(r, v) for k, v in node.items() if r.random() < 0.6}
        if r.random() < 0.3:
            out[r.choice(_KEYS)] = _random_value(r, 2)
        return out
    if isinstance(node, list):
        items = [_shaped_like(r, v) for v in node if r.random() < 0.7]
        return [*items, _random_value(r, 2)] if r.random() < 0.3 else items
    return _random_value(r, 3) if r.random() < 0.5 else node


def test_thousands_of_hostile_patches_end_in_a_result_or_a_4xx() -> None:
    r = random.Random(8)
    targets = [(_deployment(), DEPLOYMENT), (_shoot(_worker("a"), _worker("b")), SHOOT)]
    outcomes = {"applied": 0, "refused": 0}
    for _ in range(2000):
        for target, kind in targets:
            try:
                result = strategic_merge_patch(target, _shaped_like(r, target), kind)
            except errors.ApiError as refused:
                assert refused.code in (400, 422), refused.message
                outcomes["refused"] += 1
            else:
                assert isinstance(result, dict)
                outcomes["applied"] += 1
    assert outcomes["applied"] > 0 and outcomes["refused"] > 0
