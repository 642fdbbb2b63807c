"""Rule 20 (``shoot.validation.worker_settings``)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.shoot.validation import shoots

POOL = "spec.provider.workers[0]"
# Any DER SEQUENCE passes the structural check; validity of the certificate itself is the node's concern.
CERT = (
    "-----BEGIN CERTIFICATE-----\n"
    + base64.b64encode(b"\x30\x03\x02\x01\x01").decode()
    + "\n-----END CERTIFICATE-----\n"
)


def _pool(shoot: dict[str, Any]) -> dict[str, Any]:
    pool: dict[str, Any] = shoot["spec"]["provider"]["workers"][0]
    return pool


def test_rule_20_rejects_priority_below_minus_one() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["priority"] = -2
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.priority", "greater than or equal to -1")


def test_rule_20_supports_only_containerd() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["cri"]["name"] = "docker"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.cri.name", 'Unsupported value: "docker"', '"containerd"')


def test_rule_20_rejects_duplicate_container_runtimes() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["cri"]["containerRuntimes"] = [{"type": "gvisor"}, {"type": "gvisor"}]
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.cri.containerRuntimes[1].type", "Duplicate")


def test_rule_20_rejects_unknown_architecture() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["machine"]["architecture"] = "riscv64"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.machine.architecture", '"amd64", "arm64"')


def test_rule_20_accepts_pem_ca_bundle() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["caBundle"] = CERT + CERT
    assert shoots.errors(shoot) == []


@pytest.mark.parametrize("bundle", ["not a certificate", CERT + "trailing garbage", CERT.replace("MAMC", "!!!!")])
def test_rule_20_rejects_ca_bundle_that_is_not_pem(bundle: str) -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["caBundle"] = bundle
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.caBundle", "PEM-encoded certificates")


def test_rule_20_rejects_invalid_label_value() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["labels"]["team"] = "not valid!"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.labels[team]", "a valid label must be an empty string")


def test_rule_20_rejects_invalid_annotation_key() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["annotations"] = {"-bad-": "x"}
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.annotations", "name part must consist of alphanumeric")


def test_rule_20_rejects_unknown_taint_effect() -> None:
    shoot = shoots.botany_shoot()
    _pool(shoot)["taints"][0]["effect"] = "NoWay"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.taints[0].effect", '"NoSchedule"')


def test_rule_20_rejects_unknown_update_strategy() -> None:
    shoot = shoots.local_shoot()
    _pool(shoot)["updateStrategy"] = "Replace"
    shoots.assert_only(shoots.errors(shoot), f"{POOL}.updateStrategy", '"AutoRollingUpdate"')


def test_rule_20_cannot_switch_from_rolling_to_in_place() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    _pool(new).update(updateStrategy="AutoInPlaceUpdate", maxSurge=0, maxUnavailable=1)
    shoots.assert_only(shoots.errors(new, old=old), f"{POOL}.updateStrategy", "cannot switch the update strategy")


def test_rule_20_may_switch_between_in_place_strategies() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    _pool(old).update(updateStrategy="AutoInPlaceUpdate", maxSurge=0, maxUnavailable=1)
    _pool(new)["updateStrategy"] = "ManualInPlaceUpdate"
    del _pool(new)["maxSurge"], _pool(new)["maxUnavailable"]
    assert shoots.errors(new, old=old) == []
