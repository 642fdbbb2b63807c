"""Tests for shoot.validation.deletion: deletion confirmation (rule 36) and reference protection."""

from __future__ import annotations

from shoot import fielderrors
from shoot.validation import deletion
from tests.shoot.validation import reference_objects as objects

CONFIRMATION_PATH = "metadata.annotations[confirmation.gardener.cloud/deletion]"


def test_rejects_deleting_a_shoot_without_confirmation() -> None:
    errors = deletion.validate_deletion(objects.local_shoot(), kind="Shoot")

    assert [(e.field, e.reason) for e in errors] == [(CONFIRMATION_PATH, fielderrors.FORBIDDEN)]
    assert "kubectl annotate shoot local confirmation.gardener.cloud/deletion=true" in errors[0].message


def test_accepts_a_confirmed_shoot_or_project_deletion() -> None:
    shoot = objects.local_shoot()
    shoot["metadata"]["annotations"][deletion.CONFIRMATION] = "true"
    project = objects.project()
    project["metadata"]["annotations"] = {deletion.CONFIRMATION: "True"}

    assert deletion.validate_deletion(shoot, kind="Shoot") == []
    assert deletion.validate_deletion(project, kind="Project") == []


def test_rejects_a_confirmation_that_is_not_true() -> None:
    project = objects.project()
    project["metadata"]["annotations"] = {deletion.CONFIRMATION: "yes"}

    assert [e.field for e in deletion.validate_deletion(project, kind="Project")] == [CONFIRMATION_PATH]


def test_other_kinds_need_no_confirmation() -> None:
    assert deletion.validate_deletion(objects.local_seed(), kind="Seed") == []


def test_rejects_deleting_a_shoot_during_migration_or_an_unfinished_restore() -> None:
    shoot = objects.local_shoot()
    shoot["metadata"]["annotations"][deletion.CONFIRMATION] = "true"
    shoot["status"] = {"lastOperation": {"type": "Migrate", "state": "Succeeded"}}

    errors = deletion.validate_deletion(shoot, kind="Shoot")

    assert [(e.field, e.message) for e in errors] == [
        (
            "status.lastOperation",
            "Forbidden: cannot delete the shoot during its Migrate operation that is in state Succeeded",
        )
    ]
    shoot["status"]["lastOperation"] = {"type": "Restore", "state": "Processing"}
    assert len(deletion.validate_deletion(shoot, kind="Shoot")) == 1
    shoot["status"]["lastOperation"] = {"type": "Restore", "state": "Succeeded"}
    assert deletion.validate_deletion(shoot, kind="Shoot") == []


def test_lists_shoots_that_still_use_a_cloudprofile() -> None:
    legacy = objects.example_shoot()
    legacy["metadata"]["name"] = "legacy"
    legacy["spec"].pop("cloudProfile")
    legacy["spec"]["cloudProfileName"] = "local"
    namespaced = objects.local_shoot()
    namespaced["metadata"]["name"] = "namespaced"
    namespaced["spec"]["cloudProfile"] = {"kind": "NamespacedCloudProfile", "name": "local"}
    shoots = [objects.local_shoot(), objects.example_shoot(), legacy, namespaced]

    assert deletion.cloudprofile_in_use("local", shoots) == ["garden-dev/legacy", "garden-local/local"]
    assert deletion.cloudprofile_in_use("gone", shoots) == []


def test_lists_bindings_that_still_bind_a_secret() -> None:
    secret_binding = objects.secret_binding("aws")  # garden-dev/my-provider-account -> same-namespace secret
    other_namespace = objects.credentials_binding(namespace="garden-local")
    other_namespace["credentialsRef"] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "name": "my-provider-account",
        "namespace": "garden-dev",
    }
    workload = objects.credentials_binding()
    workload["credentialsRef"] = {"kind": "WorkloadIdentity", "name": "my-provider-account", "namespace": "garden-dev"}

    users = deletion.secret_in_use("garden-dev", "my-provider-account", [secret_binding], [other_namespace, workload])

    assert users == ["garden-dev/my-provider-account", "garden-local/local"]
    assert deletion.secret_in_use("garden-local", "my-provider-account", [secret_binding], []) == []
