"""Rules 23-25 and 27 (``shoot.validation.networking``)."""

from __future__ import annotations

import pytest

from tests.shoot.validation import shoots

NET = "spec.networking"
KCM = "spec.kubernetes.kubeControllerManager"


def test_rule_23_requires_networking_type_with_workers() -> None:
    shoot = shoots.local_shoot()
    del shoot["spec"]["networking"]["type"]
    shoots.assert_only(shoots.errors(shoot), f"{NET}.type", "needs a networking type")


def test_rule_23_requires_networking_with_workers() -> None:
    shoot = shoots.local_shoot()
    del shoot["spec"]["networking"]
    shoots.assert_only(shoots.errors(shoot), NET, "needs networking")


@pytest.mark.parametrize(
    ("field", "value"), [("type", "cilium"), ("pods", "100.128.0.0/11"), ("services", "100.72.0.0/13")]
)
def test_rule_23_type_pods_and_services_are_immutable(field: str, value: str) -> None:
    old, new = shoots.botany_shoot(), shoots.botany_shoot()
    new["spec"]["networking"][field] = value
    shoots.assert_only(shoots.errors(new, old=old), f"{NET}.{field}", "field is immutable")


def test_rule_23_nodes_may_change() -> None:
    old, new = shoots.botany_shoot(), shoots.botany_shoot()
    new["spec"]["networking"]["nodes"] = "10.251.0.0/16"
    assert shoots.errors(new, old=old) == []


def test_rule_23_rejects_unknown_and_duplicate_ip_families() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["networking"]["ipFamilies"] = ["IPv4", "IPv4"]
    shoots.assert_only(shoots.errors(shoot), f"{NET}.ipFamilies[1]", 'Duplicate value: "IPv4"')
    shoot["spec"]["networking"]["ipFamilies"] = ["IPv5"]
    shoots.assert_only(shoots.errors(shoot), f"{NET}.ipFamilies[0]", '"IPv4", "IPv6"')


def test_rule_23_allows_only_ipv4_to_dual_stack_and_back() -> None:
    old, new = shoots.botany_shoot(), shoots.botany_shoot()
    new["spec"]["networking"]["ipFamilies"] = ["IPv4", "IPv6"]
    assert shoots.errors(new, old=old) == []
    new["spec"]["networking"]["ipFamilies"] = ["IPv6", "IPv4"]
    shoots.assert_only(shoots.errors(new, old=old), f"{NET}.ipFamilies", "unsupported IP family update")


def test_rule_24_rejects_non_canonical_cidr() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["networking"]["nodes"] = "10.250.0.1/16"
    shoots.assert_only(shoots.errors(shoot), f"{NET}.nodes", "canonical CIDR", "10.250.0.0/16")


def test_rule_24_rejects_cidr_that_does_not_parse() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["networking"]["nodes"] = "10.0.0.0/33"
    shoots.assert_only(shoots.errors(shoot), f"{NET}.nodes", "must be a CIDR")


def test_rule_24_rejects_cidr_of_the_other_ip_family() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["networking"]["nodes"] = "fd00:10::/64"
    shoots.assert_only(shoots.errors(shoot), f"{NET}.nodes", "must be an IPv4 CIDR")


def test_rule_25_rejects_pods_overlapping_services() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["networking"]["services"] = "100.96.0.0/13"
    shoots.assert_only(shoots.errors(shoot), f"{NET}.pods", "shoot pod network intersects with shoot service network")


def test_rule_25_rejects_nodes_overlapping_pods() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["networking"]["nodes"] = "100.100.0.0/16"
    shoots.assert_only(shoots.errors(shoot), f"{NET}.nodes", "node network intersects with shoot pod network")


def test_rule_25_rejects_reserved_vpn_ranges() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["networking"]["nodes"] = "242.0.0.0/16"
    shoots.assert_only(shoots.errors(shoot), f"{NET}.nodes", "reserved shoot node mapping range (242.0.0.0/8)")


def test_rule_27_rejects_node_cidr_mask_size_out_of_range() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["kubernetes"]["kubeControllerManager"]["nodeCIDRMaskSize"] = 29
    shoots.assert_only(shoots.errors(shoot), f"{KCM}.nodeCIDRMaskSize", "between 16 and 28")


def test_rule_27_node_cidr_mask_size_is_immutable() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    new["spec"]["kubernetes"]["kubeControllerManager"]["nodeCIDRMaskSize"] = 23
    shoots.assert_only(shoots.errors(new, old=old), f"{KCM}.nodeCIDRMaskSize", "field is immutable")


def test_rule_27_node_cidr_must_hold_max_pods() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["kubernetes"]["kubelet"]["maxPods"] = 300
    shoots.assert_only(shoots.errors(shoot), f"{KCM}.nodeCIDRMaskSize", "fewer than maxPods (300)")
