"""Rules 5-9 (``shoot.validation.provider``)."""

from __future__ import annotations

from typing import Any

from shoot import defaults, fielderrors
from tests.shoot.validation import shoots


def test_rule_5_requires_region() -> None:
    shoot = shoots.local_shoot()
    del shoot["spec"]["region"]
    error = shoots.assert_only(shoots.errors(shoot), "spec.region", "must specify a region")
    assert error.reason == fielderrors.REQUIRED


def test_rule_5_region_is_immutable() -> None:
    old, new = shoots.botany_shoot(), shoots.botany_shoot()
    new["spec"]["region"] = "europe-west-1"
    shoots.assert_only(shoots.errors(new, old=old), "spec.region", "field is immutable")


def test_rule_6_requires_provider_type() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["provider"]["type"] = ""
    shoots.assert_only(shoots.errors(shoot), "spec.provider.type", "must specify a provider type")


def test_rule_6_provider_type_is_a_dns_label() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["provider"]["type"] = "<some-provider-name>"
    shoots.assert_only(shoots.errors(shoot), "spec.provider.type", "RFC 1123 label")


def test_rule_6_provider_type_is_immutable() -> None:
    old, new = shoots.botany_shoot(), shoots.botany_shoot()
    new["spec"]["provider"]["type"] = "gcp"
    shoots.assert_only(shoots.errors(new, old=old), "spec.provider.type", "field is immutable")


def test_rule_7_requires_cloud_profile() -> None:
    shoot = shoots.local_shoot()
    del shoot["spec"]["cloudProfile"]
    shoots.assert_only(shoots.errors(shoot), "spec.cloudProfile.name", "must specify a cloud profile")


def test_rule_7_accepts_legacy_cloud_profile_name_below_1_34() -> None:
    shoot = shoots.local_shoot()
    del shoot["spec"]["cloudProfile"]
    shoot["spec"]["cloudProfileName"] = "local"
    assert shoots.errors(shoot) == []


def test_rule_7_rejects_unknown_cloud_profile_kind() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["cloudProfile"]["kind"] = "SeedProfile"
    shoots.assert_only(shoots.errors(shoot), "spec.cloudProfile.kind", 'Unsupported value: "SeedProfile"')


def test_rule_7_forbids_cloud_profile_name_from_kubernetes_1_34() -> None:
    shoot = shoots.botany_shoot()
    del shoot["spec"]["cloudProfile"]
    shoot["spec"]["kubernetes"]["version"] = "1.34.1"
    shoot["spec"]["cloudProfileName"] = "cloudprofile1"
    shoot = defaults.default_shoot(shoot)
    shoots.assert_only(shoots.errors(shoot), "spec.cloudProfileName", "Kubernetes >= 1.34", "cloudProfile.name")


def test_rule_7_cloud_profile_name_must_match_reference() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["cloudProfileName"] = "other"
    shoots.assert_only(shoots.errors(shoot), "spec.cloudProfileName", "must match spec.cloudProfile.name")


def test_rule_8_rejects_both_bindings() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["secretBindingName"] = "local"
    shoots.assert_only(shoots.errors(shoot), "spec.secretBindingName", "set only one of them")


def test_rule_8_requires_a_binding_for_shoots_with_workers() -> None:
    shoot = shoots.local_shoot()
    del shoot["spec"]["credentialsBindingName"]
    error = shoots.assert_only(shoots.errors(shoot), "spec.credentialsBindingName", "credentials binding")
    assert error.reason == fielderrors.REQUIRED


def test_rule_8_forbids_secret_binding_from_kubernetes_1_34() -> None:
    # Defaulting drops the cloudProfileName it mirrored for 1.33.
    shoot = shoots.at_version(shoots.botany_shoot(), "1.34.0")
    del shoot["spec"]["credentialsBindingName"]
    shoot["spec"]["secretBindingName"] = "my-provider-account"
    shoots.assert_only(shoots.errors(shoot), "spec.secretBindingName", "Kubernetes >= 1.34")


def test_rule_8_forbids_bindings_on_workerless_shoots() -> None:
    shoot = shoots.local_shoot()
    del shoot["spec"]["provider"]["workers"]
    shoot["spec"]["networking"] = {"ipFamilies": ["IPv4"]}
    shoots.assert_only(shoots.errors(shoot), "spec.credentialsBindingName", "workerless")


def test_rule_8_credentials_binding_cannot_be_unset() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    del new["spec"]["credentialsBindingName"]
    new["spec"]["secretBindingName"] = "local"
    shoots.assert_only(shoots.errors(new, old=old), "spec.credentialsBindingName", "cannot be unset")


def test_rule_8_secret_binding_may_migrate_to_credentials_binding() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    del old["spec"]["credentialsBindingName"]
    old["spec"]["secretBindingName"] = "local"
    assert shoots.errors(new, old=old) == []
    new = shoots.copy_of(old)
    new["spec"]["secretBindingName"] = "other"
    shoots.assert_only(shoots.errors(new, old=old), "spec.secretBindingName", "field is immutable")


def _workerless() -> dict[str, Any]:
    shoot = shoots.local_shoot()
    shoot["spec"]["provider"]["workers"] = []
    del shoot["spec"]["credentialsBindingName"]
    shoot["spec"]["networking"] = {"ipFamilies": ["IPv4"]}
    return shoot


def test_rule_9_cannot_switch_from_workerless_to_workers() -> None:
    shoots.assert_only(
        shoots.errors(shoots.local_shoot(), old=_workerless()), "spec.provider.workers", "to a shoot with workers"
    )


def test_rule_9_cannot_switch_from_workers_to_workerless() -> None:
    found = shoots.errors(_workerless(), old=shoots.local_shoot())
    assert "spec.provider.workers" in [error.field for error in found]
    assert any("to a workerless shoot" in error.message for error in found)
