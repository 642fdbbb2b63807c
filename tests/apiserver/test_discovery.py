from __future__ import annotations

import pytest

from apiserver import discovery
from apiserver.registry import Registry, ResourceType

GROUP = "test.hortus.dev"
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

KUBECTL_1_27_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)
KUBECTL_1_32_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)


@pytest.fixture
def reg() -> Registry:
    return Registry(
        [
            ResourceType(
                group=GROUP,
                version="v1alpha1",
                kind="Widget",
                plural="widgets",
                namespaced=True,
                short_names=("wd",),
                categories=("all",),
                subresources=("status", "scale", "binding"),
            ),
            ResourceType(group=GROUP, version="v1alpha1", kind="Gadget", plural="gadgets", namespaced=False),
            ResourceType(group=GROUP, version="v1beta1", kind="Widget", plural="widgets", namespaced=True),
            ResourceType(
                group="other.hortus.dev", version="v1", kind="Thing", plural="things", namespaced=True
            ),
            ResourceType(
                group="",
                version="v1",
                kind="Namespace",
                plural="namespaces",
                namespaced=False,
                short_names=("ns",),
            ),
        ]
    )


def test_version_info_reports_the_minor_that_picks_kubectl() -> None:
    info = discovery.version_info("32")
    assert (info["major"], info["minor"], info["gitVersion"]) == ("1", "32", "v1.32.0")
    assert discovery.version_info("29")["gitVersion"] == "v1.29.0"


def test_api_versions_lists_core_v1_with_server_address() -> None:
    assert discovery.api_versions("127.0.0.1:6443") == {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
    }


def test_api_group_list_prefers_the_most_stable_version(reg: Registry) -> None:
    body = discovery.api_group_list(reg)
    assert (body["kind"], body["apiVersion"]) == ("APIGroupList", "v1")
    groups = {g["name"]: g for g in body["groups"]}
    assert set(groups) == {GROUP, "other.hortus.dev"}
    test_group = groups[GROUP]
    assert test_group["preferredVersion"] == {"groupVersion": f"{GROUP}/v1beta1", "version": "v1beta1"}
    assert [v["version"] for v in test_group["versions"]] == ["v1beta1", "v1alpha1"]


def test_version_priority_orders_ga_then_beta_then_alpha() -> None:
    versions = ["v1alpha1", "v2beta1", "v1", "v1beta2", "v1beta1", "v2", "v10alpha3", "foo"]
    ordered = sorted(versions, key=discovery.version_priority)
    assert ordered == ["v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v10alpha3", "v1alpha1", "foo"]


def test_api_group_returns_none_for_unknown_or_core_group(reg: Registry) -> None:
    assert discovery.api_group(reg, "nope.dev") is None
    assert discovery.api_group(reg, "") is None
    group = discovery.api_group(reg, "other.hortus.dev")
    assert group is not None
    assert group["kind"] == "APIGroup"
    assert group["preferredVersion"]["groupVersion"] == "other.hortus.dev/v1"


def test_api_resource_list_has_namespaced_kind_and_its_subresources(reg: Registry) -> None:
    body = discovery.api_resource_list(reg, GROUP, "v1alpha1")
    assert body is not None
    assert (body["kind"], body["groupVersion"]) == ("APIResourceList", f"{GROUP}/v1alpha1")
    resources = {r["name"]: r for r in body["resources"]}
    assert resources["widgets"] == {
        "name": "widgets",
        "singularName": "widget",
        "namespaced": True,
        "kind": "Widget",
        "verbs": ALL_VERBS,
        "shortNames": ["wd"],
        "categories": ["all"],
        "storageVersionHash": discovery.storage_version_hash(GROUP, "v1alpha1", "Widget"),
    }
    assert resources["widgets/status"] == {
        "name": "widgets/status",
        "singularName": "",
        "namespaced": True,
        "kind": "Widget",
        "verbs": ["get", "patch", "update"],
    }
    assert resources["widgets/scale"] == {
        "name": "widgets/scale",
        "singularName": "",
        "namespaced": True,
        "group": "autoscaling",
        "version": "v1",
        "kind": "Scale",
        "verbs": ["get", "patch", "update"],
    }
    assert resources["widgets/binding"]["verbs"] == ["create"]
    assert resources["widgets/binding"]["kind"] == "Widget"


def test_api_resource_list_has_cluster_scoped_kind(reg: Registry) -> None:
    body = discovery.api_resource_list(reg, GROUP, "v1alpha1")
    assert body is not None
    gadgets = next(r for r in body["resources"] if r["name"] == "gadgets")
    assert gadgets["namespaced"] is False
    assert "shortNames" not in gadgets


def test_api_resource_list_for_core_v1(reg: Registry) -> None:
    body = discovery.api_resource_list(reg, "", "v1")
    assert body is not None
    assert body["groupVersion"] == "v1"
    [ns] = body["resources"]
    assert (ns["name"], ns["namespaced"], ns["shortNames"]) == ("namespaces", False, ["ns"])
    assert ns["storageVersionHash"] == "Q3oi5N2YM8M="  # what a real API server reports for namespaces


def test_api_resource_list_unknown_group_version_is_none(reg: Registry) -> None:
    assert discovery.api_resource_list(reg, GROUP, "v9") is None
    assert discovery.api_resource_list(reg, "nope.dev", "v1") is None


def test_api_resource_list_core_v1_exists_even_without_core_kinds() -> None:
    body = discovery.api_resource_list(Registry(), "", "v1")
    assert body is not None
    assert body["resources"] == []


def test_storage_version_hash_matches_kubernetes() -> None:
    assert discovery.storage_version_hash("", "v1", "Pod") == "xPOwRZ+Yhw8="
    assert discovery.storage_version_hash("apps", "v1", "Deployment") == "8aSe+NMegvE="


def test_binding_of_a_core_kind_is_a_core_binding() -> None:
    pods = ResourceType(
        group="", version="v1", kind="Pod", plural="pods", namespaced=True, subresources=("binding",)
    )
    body = discovery.api_resource_list(Registry([pods]), "", "v1")
    assert body is not None
    binding = body["resources"][1]
    assert (binding["name"], binding["kind"], binding["verbs"]) == ("pods/binding", "Binding", ["create"])


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (KUBECTL_1_27_ACCEPT, "v2beta1"),
        (KUBECTL_1_32_ACCEPT, "v2"),
        ("application/json", None),
        ("application/json, */*", None),
        ("", None),
        ("*/*", None),
        ("application/json,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", None),
        ("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json", None),
        (
            "application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
            "v2beta1",
        ),
        ("application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList", "v2"),
    ],
)
def test_negotiate_aggregated(accept: str, expected: str | None) -> None:
    assert discovery.negotiate_aggregated(accept) == expected


def test_aggregated_content_types_carry_the_parameters() -> None:
    assert (
        discovery.aggregated_content_type("v2")
        == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    )
    assert discovery.aggregated_content_type("v2beta1").endswith(";v=v2beta1;as=APIGroupDiscoveryList")
    assert discovery.LEGACY_CONTENT_TYPE == "application/json"


def test_aggregated_apis_lists_groups_versions_and_subresources(reg: Registry) -> None:
    body = discovery.aggregated(reg, False, "v2")
    assert (body["kind"], body["apiVersion"], body["metadata"]) == (
        "APIGroupDiscoveryList",
        "apidiscovery.k8s.io/v2",
        {},
    )
    items = {item["metadata"]["name"]: item for item in body["items"]}
    assert set(items) == {GROUP, "other.hortus.dev"}
    versions = items[GROUP]["versions"]
    assert [v["version"] for v in versions] == ["v1beta1", "v1alpha1"]
    alpha = {r["resource"]: r for r in versions[1]["resources"]}
    assert versions[1]["freshness"] == "Current"
    widgets = alpha["widgets"]
    assert widgets["responseKind"] == {"group": GROUP, "version": "v1alpha1", "kind": "Widget"}
    assert (widgets["scope"], widgets["singularResource"], widgets["verbs"]) == (
        "Namespaced",
        "widget",
        ALL_VERBS,
    )
    assert widgets["shortNames"] == ["wd"]
    assert widgets["subresources"][0] == {
        "subresource": "status",
        "responseKind": {"group": GROUP, "version": "v1alpha1", "kind": "Widget"},
        "verbs": ["get", "patch", "update"],
    }
    assert widgets["subresources"][1]["responseKind"] == {
        "group": "autoscaling",
        "version": "v1",
        "kind": "Scale",
    }
    assert alpha["gadgets"]["scope"] == "Cluster"
    assert "subresources" not in alpha["gadgets"]


def test_aggregated_api_holds_the_core_group_only(reg: Registry) -> None:
    body = discovery.aggregated(reg, True, "v2beta1")
    assert body["apiVersion"] == "apidiscovery.k8s.io/v2beta1"
    [core] = body["items"]
    assert core["metadata"]["name"] == ""
    [v1] = core["versions"]
    assert v1["version"] == "v1"
    assert [r["resource"] for r in v1["resources"]] == ["namespaces"]
    assert v1["resources"][0]["responseKind"] == {"group": "", "version": "v1", "kind": "Namespace"}


def test_aggregated_bodies_differ_only_in_api_version(reg: Registry) -> None:
    v2 = discovery.aggregated(reg, False, "v2")
    beta = discovery.aggregated(reg, False, "v2beta1")
    assert {**v2, "apiVersion": ""} == {**beta, "apiVersion": ""}
