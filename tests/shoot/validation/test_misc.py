"""Rules 32-34, 36 and 37 (``shoot.validation.misc``)."""

from __future__ import annotations

from tests.shoot.validation import shoots


def test_rule_32_rejects_unknown_purpose() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["purpose"] = "fun"
    shoots.assert_only(shoots.errors(shoot), "spec.purpose", 'Unsupported value: "fun"', '"evaluation"')


def test_rule_32_infrastructure_purpose_only_in_garden_namespace() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["purpose"] = "infrastructure"
    shoots.assert_only(shoots.errors(shoot), "spec.purpose", 'only allowed for shoots in the "garden" namespace')
    shoot["metadata"]["namespace"] = "garden"
    assert shoots.errors(shoot) == []


def test_rule_32_addons_only_on_evaluation_shoots() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["addons"] = {"nginxIngress": {"enabled": True}}
    shoots.assert_only(shoots.errors(shoot), "spec.addons", "purpose evaluation")
    shoot["spec"]["purpose"] = "evaluation"
    assert shoots.errors(shoot) == []


def test_rule_32_addons_forbidden_from_kubernetes_1_35() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["kubernetes"]["version"] = "1.35.0"
    shoot["spec"]["addons"] = {"kubernetesDashboard": {"enabled": True}}
    shoots.assert_only(shoots.errors(shoot), "spec.addons", "Kubernetes >= 1.35")


def test_rule_33_rejects_empty_seed_name() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["seedName"] = ""
    shoots.assert_only(shoots.errors(shoot), "spec.seedName", "must not be empty")


def test_rule_33_seed_name_cannot_change_through_an_update() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    old["spec"]["seedName"], new["spec"]["seedName"] = "local", "local2"
    error = shoots.assert_only(
        shoots.errors(new, old=old), "spec.seedName", "field is immutable", "binding subresource"
    )
    assert str(error).startswith("spec.seedName: Forbidden: field is immutable")


def test_rule_33_seed_name_cannot_be_unset() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    old["spec"]["seedName"] = "local"
    shoots.assert_only(shoots.errors(new, old=old), "spec.seedName", "cannot be unset")


def test_rule_33_seed_name_may_be_set_first_time() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    new["spec"]["seedName"] = "local"
    assert shoots.errors(new, old=old) == []


def test_rule_34_toleration_needs_a_key() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["tolerations"].append({"value": "x"})
    shoots.assert_only(shoots.errors(shoot), "spec.tolerations[1].key", "needs the key")


def test_rule_34_rejects_duplicate_tolerations() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["tolerations"].append({"key": "dedicated.example.com/team", "value": "botany"})
    shoots.assert_only(shoots.errors(shoot), "spec.tolerations[1]", "Duplicate value")


def test_rule_34_rejects_invalid_toleration_value() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["tolerations"][0]["value"] = "two words"
    shoots.assert_only(shoots.errors(shoot), "spec.tolerations[0].value", "a valid label")


def test_rule_36_spec_is_frozen_once_deletion_started() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    for shoot in (old, new):
        shoot["metadata"]["deletionTimestamp"] = "2026-06-01T00:00:00Z"
    new["spec"]["provider"]["workers"][0]["maximum"] = 3
    shoots.assert_only(shoots.errors(new, old=old), "spec", "deletion timestamp is set")


def test_rule_36_metadata_may_change_during_deletion() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    old["metadata"]["deletionTimestamp"] = new["metadata"]["deletionTimestamp"] = "2026-06-01T00:00:00Z"
    new["metadata"]["annotations"]["confirmation.gardener.cloud/deletion"] = "true"
    assert shoots.errors(new, old=old) == []


def test_rule_37_rejects_too_many_non_mutating_inflight_requests() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["kubernetes"]["kubeAPIServer"]["requests"]["maxNonMutatingInflight"] = 5001
    shoots.assert_only(
        shoots.errors(shoot), "spec.kubernetes.kubeAPIServer.requests.maxNonMutatingInflight", "between 0 and 5000"
    )


def test_rule_37_rejects_negative_mutating_inflight_requests() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["kubernetes"]["kubeAPIServer"]["requests"]["maxMutatingInflight"] = -1
    shoots.assert_only(
        shoots.errors(shoot), "spec.kubernetes.kubeAPIServer.requests.maxMutatingInflight", "between 0 and 2500"
    )


def test_scheduler_name_is_immutable() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    new["spec"]["schedulerName"] = "my-scheduler"
    shoots.assert_only(shoots.errors(new, old=old), "spec.schedulerName", "field is immutable")
