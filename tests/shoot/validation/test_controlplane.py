"""Rule 31, static part (``shoot.validation.controlplane``)."""

from __future__ import annotations

from typing import Any

from tests.shoot.validation import shoots

HA = "spec.controlPlane.highAvailability"
ZONES = "spec.controlPlane.zones"


def _scheduled(shoot: dict[str, Any]) -> dict[str, Any]:
    shoot["spec"]["seedName"] = "aws-eu1"
    return shoot


def test_rule_31_rejects_unknown_failure_tolerance_type() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["controlPlane"]["highAvailability"]["failureTolerance"]["type"] = "region"
    shoots.assert_only(shoots.errors(shoot), f"{HA}.failureTolerance.type", '"node", "zone"')


def test_rule_31_failure_tolerance_is_immutable_once_scheduled() -> None:
    old, new = _scheduled(shoots.botany_shoot()), _scheduled(shoots.botany_shoot())
    new["spec"]["controlPlane"]["highAvailability"]["failureTolerance"]["type"] = "node"
    shoots.assert_only(
        shoots.errors(new, old=old), f"{HA}.failureTolerance.type", "immutable once the shoot is scheduled"
    )


def test_rule_31_failure_tolerance_may_change_before_scheduling() -> None:
    old, new = shoots.botany_shoot(), shoots.botany_shoot()
    new["spec"]["controlPlane"]["highAvailability"]["failureTolerance"]["type"] = "node"
    assert shoots.errors(new, old=old) == []


def test_rule_31_high_availability_cannot_be_removed_once_scheduled() -> None:
    old, new = _scheduled(shoots.botany_shoot()), _scheduled(shoots.botany_shoot())
    del new["spec"]["controlPlane"]
    shoots.assert_only(shoots.errors(new, old=old), HA, "cannot be disabled")


def test_rule_31_high_availability_cannot_be_enabled_while_hibernated() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    old["status"] = {"hibernated": True}
    new["spec"]["controlPlane"] = {"highAvailability": {"failureTolerance": {"type": "node"}}}
    shoots.assert_only(shoots.errors(new, old=old), HA, "while the shoot is hibernated")


def test_rule_31_zone_tolerance_pins_exactly_three_zones() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["controlPlane"]["zones"] = ["europe-central-1a", "europe-central-1b"]
    shoots.assert_only(shoots.errors(shoot), ZONES, "exactly 3 zone(s)")


def test_rule_31_rejects_duplicate_control_plane_zones() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["controlPlane"]["zones"] = ["europe-central-1a", "europe-central-1b", "europe-central-1a"]
    shoots.assert_only(shoots.errors(shoot), f"{ZONES}[2]", "Duplicate value")


def test_rule_31_zones_grow_only_from_one_to_three_for_zone_ha() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    old["spec"]["controlPlane"] = {"zones": ["a"]}
    new["spec"]["controlPlane"] = {"zones": ["a", "b", "c"], "highAvailability": {"failureTolerance": {"type": "zone"}}}
    assert shoots.errors(new, old=old) == []
    new["spec"]["controlPlane"] = {"zones": ["b"]}
    shoots.assert_only(shoots.errors(new, old=old), ZONES, "field is immutable")
