"""Rules 4, 14-17 and 19 (``shoot.validation.workers``)."""

from __future__ import annotations

from typing import Any

from tests.shoot.validation import shoots

POOL = "spec.provider.workers[0]"


def _pool(shoot: dict[str, Any]) -> dict[str, Any]:
    pool: dict[str, Any] = shoot["spec"]["provider"]["workers"][0]
    return pool


def test_rule_4_rejects_worker_name_longer_than_15() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["name"] = "a-sixteen-chars0"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.name", "may not be more than 15")


def test_rule_4_rejects_worker_name_that_is_not_a_dns_label() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["name"] = "Pool_1"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.name", "RFC 1123 label")


def test_rule_4_rejects_duplicate_worker_names() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["provider"]["workers"].append(shoots.copy_of(_pool(shoot)))
    shoots.assert_only(shoots.errors(shoot), "spec.provider.workers[1].name", 'Duplicate value: "local"')


def test_rule_4_rejects_duplicate_data_volume_names() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["dataVolumes"].append({"name": "kubelet-dir", "size": "30Gi"})
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.dataVolumes[1].name", "Duplicate value")


def test_rule_4_kubelet_data_volume_must_name_a_data_volume() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["kubeletDataVolumeName"] = "kubelet"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.kubeletDataVolumeName", "must name one of the pool's dataVolumes")


def test_rule_4_data_volumes_need_a_volume() -> None:
    shoot = shoots.botany_shoot()
    del _pool(shoot)["volume"]
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.volume", "a worker volume must be defined")


def test_rule_14_rejects_maximum_below_minimum() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["maximum"] = 2
    found = shoots.errors(shoot)
    # 2 machines can no longer cover the pool's 3 zones either (rule 19).
    assert [e.field for e in found] == [f"{POOL}.maximum", f"{POOL}.maximum"]
    assert "maximum value must not be less than minimum value" in found[1].message


def test_rule_14_rejects_negative_minimum() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["minimum"] = -1
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.minimum", "greater than or equal to 0")


def test_rule_15_rejects_both_max_surge_and_max_unavailable_zero() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["maxSurge"] = 0
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.maxUnavailable", "may not be 0 when `maxSurge` is 0")


def test_rule_15_rejects_max_unavailable_above_100_percent() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["maxUnavailable"] = "150%"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.maxUnavailable", "must not be greater than 100%")


def test_rule_15_rejects_malformed_percentage() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["maxSurge"] = "25 percent"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.maxSurge", "integer or percentage")


def test_rule_15_forbids_surge_with_manual_in_place_updates() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["updateStrategy"] = "ManualInPlaceUpdate"
    del _pool(shoot)["maxUnavailable"]
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.maxSurge", "ManualInPlaceUpdate")


def test_rule_16_requires_machine_type() -> None:
    shoot = shoots.local_shoot()
    del _pool(shoot)["machine"]["type"]
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.machine.type", "must specify a machine type")


def test_rule_16_requires_machine_image_name() -> None:
    shoot = shoots.botany_shoot()
    del _pool(shoot)["machine"]["image"]["name"]
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.machine.image.name", "must specify a machine image name")


def test_rule_17_rejects_volume_size_not_in_gi() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["volume"]["size"] = "20G"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.volume.size", "whole number of Gi", "20Gi")


def test_rule_17_rejects_data_volume_size_not_in_gi() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["dataVolumes"][0]["size"] = "1.5Gi"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.dataVolumes[0].size", "whole number of Gi")


def test_rule_19_needs_a_pool_allowing_system_components() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["systemComponents"]["allow"] = False
    shoots.assert_only(shoots.errors(shoot), "spec.provider.workers", "systemComponents.allow=true")


def test_rule_19_system_component_pool_needs_maximum_above_zero() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot).update(minimum=0, maximum=0)
    shoots.assert_only(shoots.errors(shoot), "spec.provider.workers", "maximum > 0")


def test_rule_19_maximum_covers_every_zone() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot).update(minimum=1, maximum=2)
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.maximum", "at least the number of zones")
