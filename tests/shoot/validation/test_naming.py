"""Rules 1, 2 and the protected finalizers of rule 36 (``shoot.validation.naming``)."""

from __future__ import annotations

from shoot import fielderrors
from tests.shoot.validation import shoots


def test_rule_1_rejects_name_that_is_not_a_dns_label() -> None:
    shoot = shoots.local_shoot()
    shoot["metadata"]["name"] = "My_Shoot"
    shoots.assert_only(shoots.errors(shoot), "metadata.name", "lowercase RFC 1123 label")


def test_rule_1_rejects_name_with_two_consecutive_hyphens() -> None:
    shoot = shoots.botany_shoot()
    shoot["metadata"]["name"] = "crazy--bot"
    shoots.assert_only(shoots.errors(shoot), "metadata.name", "two consecutive hyphens")


def test_rule_1_requires_name_or_generate_name() -> None:
    shoot = shoots.local_shoot()
    del shoot["metadata"]["name"]
    error = shoots.assert_only(shoots.errors(shoot), "metadata.name", "name or generateName is required")
    assert error.reason == fielderrors.REQUIRED


def test_rule_2_rejects_project_and_shoot_name_longer_than_21() -> None:
    shoot = shoots.botany_shoot()
    shoot["metadata"]["name"] = "a-very-long-shoot-nam"  # 21 + "dev" = 24
    shoots.assert_only(shoots.errors(shoot), "metadata.name", "must not exceed 21 characters", "project: dev")


def test_rule_2_accepts_exactly_21_characters() -> None:
    shoot = shoots.botany_shoot()
    shoot["metadata"]["name"] = "a-long-shoot-name-"[:17] + "x"  # 18 + 3
    assert len(shoot["metadata"]["name"]) + len("dev") == 21
    assert shoots.errors(shoot) == []


def test_rule_2_limits_generate_name_to_16_with_the_project() -> None:
    shoot = shoots.botany_shoot()
    del shoot["metadata"]["name"]
    shoot["metadata"]["generateName"] = "botany-shoot-"  # 13 + 3 = 16 is fine
    assert shoots.errors(shoot) == []
    shoot["metadata"]["generateName"] = "botany-shoots-"
    shoots.assert_only(shoots.errors(shoot), "metadata.generateName", "must not exceed 16 characters")


def test_rule_2_reads_project_garden_from_namespace_garden() -> None:
    shoot = shoots.local_shoot()
    shoot["metadata"].update(namespace="garden", name="fifteen-chars-x")  # garden (6) + 15 = 21
    assert shoots.errors(shoot) == []
    shoot["metadata"]["name"] = "sixteen-chars-xx"
    shoots.assert_only(shoots.errors(shoot), "metadata.name", "project: garden")


def test_rule_2_is_not_checked_on_update() -> None:
    old = shoots.botany_shoot()
    old["metadata"]["name"] = "a-very-long-shoot-nam"
    assert shoots.errors(shoots.copy_of(old), old=old) == []


def test_rule_36_forbids_gardener_finalizer_on_create() -> None:
    shoot = shoots.local_shoot()
    shoot["metadata"]["finalizers"] = ["example.com/keep", "gardener"]
    shoots.assert_only(shoots.errors(shoot), "metadata.finalizers[1]", "cannot be set when creating")
