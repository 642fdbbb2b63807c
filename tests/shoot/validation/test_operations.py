"""Tests for shoot.validation.operations: the operation annotations of a shoot (rule 39, §8)."""

from __future__ import annotations

import copy
from typing import Any

from shoot import fielderrors
from shoot.validation import operations
from tests.shoot.validation import reference_objects as objects

OPERATION = "metadata.annotations[gardener.cloud/operation]"
MAINTENANCE = "metadata.annotations[maintenance.gardener.cloud/operation]"


def _shoot(
    operation: str | None = None,
    *,
    maintenance: str | None = None,
    phases: dict[str, str] | None = None,
    last: tuple[str, str] = ("Reconcile", "Succeeded"),
) -> dict[str, Any]:
    shoot = objects.local_shoot()
    annotations = shoot["metadata"]["annotations"]
    if operation is not None:
        annotations[operations.OPERATION_ANNOTATION] = operation
    if maintenance is not None:
        annotations[operations.MAINTENANCE_OPERATION_ANNOTATION] = maintenance
    rotation = {key: {"phase": phase} for key, phase in (phases or {}).items()}
    shoot["status"] = {
        "lastOperation": {"type": last[0], "state": last[1], "progress": 100},
        "credentials": {"rotation": rotation},
    }
    return shoot


def test_operations_list_what_section_8_names() -> None:
    for name in (
        "reconcile",
        "retry",
        "maintain",
        "rotate-credentials-start",
        "rotate-credentials-complete",
        "rotate-ca-start",
        "rotate-ca-complete",
        "rotate-serviceaccount-key-start",
        "rotate-serviceaccount-key-complete",
        "rotate-etcd-encryption-key-start",
        "rotate-etcd-encryption-key-complete",
        "rotate-etcd-encryption-key",
        "rotate-observability-credentials",
        "rotate-ssh-keypair",
        "force-in-place-update",
    ):
        assert name in operations.OPERATIONS
    assert "retry" not in operations.MAINTENANCE_OPERATIONS


def test_accepts_known_operations() -> None:
    assert operations.validate_operation_annotation(_shoot("reconcile"), old=None) == []
    assert operations.validate_operation_annotation(_shoot(maintenance="rotate-ssh-keypair"), old=None) == []
    assert operations.validate_operation_annotation(_shoot("rollout-workers=*"), old=None) == []


def test_rejects_an_unknown_operation_listing_the_valid_ones() -> None:
    errors = operations.validate_operation_annotation(_shoot("reconsile"), old=None)

    assert [(e.field, e.reason) for e in errors] == [(OPERATION, fielderrors.NOT_SUPPORTED)]
    assert errors[0].message.startswith('Unsupported value: "reconsile": supported values: "retry", "maintain"')
    assert '"rollout-workers=<pool>[,<pool>]"' in errors[0].message


def test_rejects_an_operation_that_cannot_wait_for_the_maintenance_window() -> None:
    errors = operations.validate_operation_annotation(_shoot(maintenance="retry"), old=None)

    assert [(e.field, e.reason) for e in errors] == [(MAINTENANCE, fielderrors.NOT_SUPPORTED)]


def test_rejects_the_same_operation_in_both_annotations() -> None:
    errors = operations.validate_operation_annotation(_shoot("reconcile", maintenance="reconcile"), old=None)

    assert [(e.field, e.message) for e in errors] == [
        (MAINTENANCE, "Forbidden: operation 'reconcile' is requested more than once")
    ]


def test_rejects_rotating_all_credentials_together_with_a_single_rotation() -> None:
    shoot = _shoot("rotate-credentials-start;rotate-ca-start-without-workers-rollout")

    errors = operations.validate_operation_annotation(shoot, old=None)

    assert [(e.field, e.message) for e in errors] == [
        (
            OPERATION,
            "Forbidden: operations 'rotate-credentials-start' and 'rotate-ca-start-without-workers-rollout' "
            "cannot be requested together",
        )
    ]


def test_rejects_start_and_complete_of_the_same_rotation_together() -> None:
    shoot = _shoot("rotate-ca-start", maintenance="rotate-ca-complete", phases={"certificateAuthorities": "Prepared"})

    errors = operations.validate_operation_annotation(shoot, old=None)

    assert any(e.field == MAINTENANCE and "cannot be requested together" in e.message for e in errors)


def test_rejects_a_rotation_start_while_one_is_under_way() -> None:
    shoot = _shoot("rotate-ca-start", phases={"certificateAuthorities": "Prepared"})

    errors = operations.validate_operation_annotation(shoot, old=None)

    assert [(e.field, e.message) for e in errors] == [
        (
            OPERATION,
            "Forbidden: rotate-ca-start: cannot start CA rotation while "
            ".status.credentials.rotation.certificateAuthorities.phase is 'Prepared' (must be 'Completed')",
        )
    ]
    completed = _shoot("rotate-ca-start", phases={"certificateAuthorities": "Completed"})
    assert operations.validate_operation_annotation(completed, old=None) == []


def test_rejects_a_rotation_start_before_the_shoot_was_created() -> None:
    errors = operations.validate_operation_annotation(
        _shoot("rotate-ssh-keypair;rotate-ca-start", last=("Create", "Processing")), old=None
    )

    assert [e.field for e in errors] == [OPERATION]
    assert "'rotate-ca-start' before the shoot was created successfully" in errors[0].message


def test_rejects_completing_a_rotation_that_is_not_prepared() -> None:
    shoot = _shoot(
        "rotate-credentials-complete",
        phases={
            "certificateAuthorities": "Prepared",
            "serviceAccountKey": "Preparing",
            "etcdEncryptionKey": "Prepared",
        },
    )

    errors = operations.validate_operation_annotation(shoot, old=None)

    assert [e.message for e in errors] == [
        "Forbidden: rotate-credentials-complete: cannot complete service account key rotation while "
        ".status.credentials.rotation.serviceAccountKey.phase is 'Preparing' (must be 'Prepared')"
    ]


def test_rejects_credential_rotation_while_hibernated() -> None:
    shoot = _shoot("rotate-serviceaccount-key-start")
    shoot["spec"]["hibernation"] = {"enabled": True}

    errors = operations.validate_operation_annotation(shoot, old=None)

    assert [e.message for e in errors] == [
        "Forbidden: operation 'rotate-serviceaccount-key-start' is not permitted while the shoot is hibernated"
    ]


def test_rejects_two_step_etcd_key_rotation_from_kubernetes_1_34() -> None:
    errors = operations.validate_operation_annotation(_shoot("rotate-etcd-encryption-key-start"), old=None)

    assert [e.field for e in errors] == [OPERATION]
    assert "use the single-step operation 'rotate-etcd-encryption-key'" in errors[0].message


def test_rejects_retry_unless_the_last_operation_failed() -> None:
    assert operations.validate_operation_annotation(_shoot("retry", last=("Reconcile", "Failed")), old=None) == []

    errors = operations.validate_operation_annotation(_shoot("retry"), old=None)

    assert [e.message for e in errors] == ["Forbidden: retry is only possible when the last operation has failed"]


def test_rejects_worker_rollout_for_unknown_pools_or_outside_the_rollout_phase() -> None:
    waiting = _shoot("rotate-rollout-workers=local", phases={"certificateAuthorities": "WaitingForWorkersRollout"})
    assert operations.validate_operation_annotation(waiting, old=None) == []

    errors = operations.validate_operation_annotation(_shoot("rotate-rollout-workers=local,gpu"), old=None)

    assert [e.reason for e in errors] == [fielderrors.INVALID, fielderrors.FORBIDDEN]
    assert "worker pool 'gpu' does not exist in spec.provider.workers" in errors[0].message
    assert "must be 'WaitingForWorkersRollout' to roll out workers" in errors[1].message


def test_does_not_recheck_an_operation_already_present_on_the_old_shoot() -> None:
    old = _shoot("rotate-ca-start")
    new = copy.deepcopy(old)
    new["status"]["credentials"]["rotation"] = {"certificateAuthorities": {"phase": "Preparing"}}

    assert operations.validate_operation_annotation(new, old=old) == []
    assert operations.validate_operation_annotation(new, old=None) != []
