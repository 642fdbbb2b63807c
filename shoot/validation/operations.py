"""The operation annotations a user may put on a shoot (§8, §3 rule 39) and their validation.

``gardener.cloud/operation`` runs now, ``maintenance.gardener.cloud/operation`` in the next maintenance window;
several operations may be joined with ``;``. Called by the garden's shoot admission on CREATE and UPDATE, and
by the console and CLI to offer only valid actions (``OPERATIONS``).
"""

from __future__ import annotations

from typing import Any

from shoot import fielderrors
from shoot.api.meta import LastOperation
from shoot.api.shoot import Shoot
from shoot.fielderrors import FieldError
from shoot.validation.cloudprofile_refs import version_key

OPERATION_ANNOTATION = "gardener.cloud/operation"
MAINTENANCE_OPERATION_ANNOTATION = "maintenance.gardener.cloud/operation"

RECONCILE = "reconcile"
RETRY = "retry"
MAINTAIN = "maintain"
FORCE_IN_PLACE_UPDATE = "force-in-place-update"
ROTATE_CREDENTIALS_START = "rotate-credentials-start"
ROTATE_CREDENTIALS_START_WITHOUT_WORKERS_ROLLOUT = "rotate-credentials-start-without-workers-rollout"
ROTATE_CREDENTIALS_COMPLETE = "rotate-credentials-complete"
ROTATE_CA_START = "rotate-ca-start"
ROTATE_CA_START_WITHOUT_WORKERS_ROLLOUT = "rotate-ca-start-without-workers-rollout"
ROTATE_CA_COMPLETE = "rotate-ca-complete"
ROTATE_SA_KEY_START = "rotate-serviceaccount-key-start"
ROTATE_SA_KEY_START_WITHOUT_WORKERS_ROLLOUT = "rotate-serviceaccount-key-start-without-workers-rollout"
ROTATE_SA_KEY_COMPLETE = "rotate-serviceaccount-key-complete"
ROTATE_ETCD_KEY = "rotate-etcd-encryption-key"
ROTATE_ETCD_KEY_START = "rotate-etcd-encryption-key-start"
ROTATE_ETCD_KEY_COMPLETE = "rotate-etcd-encryption-key-complete"
ROTATE_OBSERVABILITY = "rotate-observability-credentials"
ROTATE_SSH_KEYPAIR = "rotate-ssh-keypair"
# Parameterised operations: ``<prefix><pool>[,<pool>]`` (``rollout-workers=*`` means every pool).
ROTATE_ROLLOUT_WORKERS = "rotate-rollout-workers="
ROLLOUT_WORKERS = "rollout-workers="

# What may run in a maintenance window: everything that is not about the moment (retry, maintain now, ...).
MAINTENANCE_OPERATIONS: tuple[str, ...] = (
    RECONCILE,
    ROTATE_CREDENTIALS_START, ROTATE_CREDENTIALS_START_WITHOUT_WORKERS_ROLLOUT, ROTATE_CREDENTIALS_COMPLETE,
    ROTATE_CA_START, ROTATE_CA_START_WITHOUT_WORKERS_ROLLOUT, ROTATE_CA_COMPLETE,
    ROTATE_SA_KEY_START, ROTATE_SA_KEY_START_WITHOUT_WORKERS_ROLLOUT, ROTATE_SA_KEY_COMPLETE,
    ROTATE_ETCD_KEY, ROTATE_ETCD_KEY_START, ROTATE_ETCD_KEY_COMPLETE,
    ROTATE_OBSERVABILITY, ROTATE_SSH_KEYPAIR,
)
OPERATIONS: tuple[str, ...] = (RETRY, MAINTAIN, FORCE_IN_PLACE_UPDATE, *MAINTENANCE_OPERATIONS)
PARAMETERISED_OPERATIONS: tuple[str, ...] = (ROTATE_ROLLOUT_WORKERS, ROLLOUT_WORKERS)

FORBIDDEN_WHEN_HIBERNATED: frozenset[str] = frozenset({
    ROTATE_CREDENTIALS_START, ROTATE_CREDENTIALS_START_WITHOUT_WORKERS_ROLLOUT, ROTATE_CREDENTIALS_COMPLETE,
    ROTATE_SA_KEY_START, ROTATE_SA_KEY_START_WITHOUT_WORKERS_ROLLOUT, ROTATE_SA_KEY_COMPLETE,
    ROTATE_ETCD_KEY, ROTATE_ETCD_KEY_START, ROTATE_ETCD_KEY_COMPLETE,
})

# Each rotation kind: its status key, its name in messages, and its start / complete operations.
_CA = ("certificateAuthorities", "CA rotation")
_SA = ("serviceAccountKey", "service account key rotation")
_ETCD = ("etcdEncryptionKey", "ETCD encryption key rotation")
_STARTS = {
    ROTATE_CA_START: (_CA,), ROTATE_CA_START_WITHOUT_WORKERS_ROLLOUT: (_CA,),
    ROTATE_SA_KEY_START: (_SA,), ROTATE_SA_KEY_START_WITHOUT_WORKERS_ROLLOUT: (_SA,),
    ROTATE_ETCD_KEY_START: (_ETCD,), ROTATE_ETCD_KEY: (_ETCD,),
    ROTATE_CREDENTIALS_START: (_CA, _SA, _ETCD), ROTATE_CREDENTIALS_START_WITHOUT_WORKERS_ROLLOUT: (_CA, _SA, _ETCD),
}
_COMPLETES = {
    ROTATE_CA_COMPLETE: (_CA,), ROTATE_SA_KEY_COMPLETE: (_SA,), ROTATE_ETCD_KEY_COMPLETE: (_ETCD,),
    ROTATE_CREDENTIALS_COMPLETE: (_CA, _SA, _ETCD),
}
# Operations touching the same credentials cannot be combined; "credentials" covers all the others.
_FAMILIES = {
    "ca": (ROTATE_CA_START, ROTATE_CA_START_WITHOUT_WORKERS_ROLLOUT, ROTATE_CA_COMPLETE),
    "serviceaccount-key": (ROTATE_SA_KEY_START, ROTATE_SA_KEY_START_WITHOUT_WORKERS_ROLLOUT, ROTATE_SA_KEY_COMPLETE),
    "etcd-encryption-key": (ROTATE_ETCD_KEY, ROTATE_ETCD_KEY_START, ROTATE_ETCD_KEY_COMPLETE),
    "observability": (ROTATE_OBSERVABILITY,),
    "ssh-keypair": (ROTATE_SSH_KEYPAIR,),
    "credentials": (
        ROTATE_CREDENTIALS_START, ROTATE_CREDENTIALS_START_WITHOUT_WORKERS_ROLLOUT, ROTATE_CREDENTIALS_COMPLETE,
    ),
}
PREPARED = "Prepared"
COMPLETED = "Completed"
WAITING_FOR_WORKERS_ROLLOUT = "WaitingForWorkersRollout"
# Two-step etcd key rotation is gone from Kubernetes 1.34 on: the single-step operation replaces it.
_ETCD_TWO_STEP_UNTIL = (1, 34)


def annotation_path(annotation: str) -> str:
    return f"metadata.annotations[{annotation}]"


def split_operations(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def validate_operation_annotation(new: dict[str, Any], *, old: dict[str, Any] | None) -> list[FieldError]:
    """Known values, compatible combinations, and rotation phases that allow the requested step.

    An annotation already present unchanged on ``old`` is not re-checked: the operation is under way and
    its phase has moved on, which must not block unrelated updates until the controller removes it.
    """
    shoot = Shoot.model_validate(new)
    annotations = shoot.metadata.annotations or {}
    old_annotations = (Shoot.model_validate(old).metadata.annotations or {}) if old is not None else {}
    errors: list[FieldError] = []
    requested: dict[str, str] = {}
    for annotation, allowed in ((OPERATION_ANNOTATION, OPERATIONS), (MAINTENANCE_OPERATION_ANNOTATION,
                                                                      MAINTENANCE_OPERATIONS)):
        value = annotations.get(annotation)
        if value is None or value == old_annotations.get(annotation):
            continue
        path = annotation_path(annotation)
        for operation in split_operations(value):
            if operation in requested:
                errors.append(fielderrors.forbidden(path, f"operation {operation!r} is requested more than once"))
                continue
            requested[operation] = path
            errors += _validate_one(operation, shoot=shoot, path=path, allowed=allowed)
    return errors + _validate_combinations(requested)


def _validate_one(operation: str, *, shoot: Shoot, path: str, allowed: tuple[str, ...]) -> list[FieldError]:
    prefix = next((p for p in PARAMETERISED_OPERATIONS if operation.startswith(p)), None)
    if prefix is not None and allowed is OPERATIONS:
        return _validate_rollout(operation, prefix=prefix, shoot=shoot, path=path)
    if operation not in allowed:
        shown = [*allowed, *(f"{p}<pool>[,<pool>]" for p in PARAMETERISED_OPERATIONS if allowed is OPERATIONS)]
        return [fielderrors.not_supported(path, operation, shown)]
    if operation in FORBIDDEN_WHEN_HIBERNATED and _hibernated(shoot):
        return [fielderrors.forbidden(path, f"operation {operation!r} is not permitted while the shoot is hibernated")]
    errors = _validate_context(operation, shoot=shoot, path=path)
    last = shoot.status.last_operation if shoot.status else None
    if operation in _STARTS and not _ready_for_rotation_start(last):
        detail = f"cannot run {operation!r} before the shoot was created successfully or while it is not ready"
        errors.append(fielderrors.forbidden(path, detail))
    for kind in _STARTS.get(operation, ()):
        errors += _validate_start(kind, operation=operation, shoot=shoot, path=path)
    for kind in _COMPLETES.get(operation, ()):
        errors += _validate_complete(kind, operation=operation, shoot=shoot, path=path)
    return errors


def _validate_context(operation: str, *, shoot: Shoot, path: str) -> list[FieldError]:
    last = shoot.status.last_operation if shoot.status else None
    if operation == RETRY and (last is None or last.state != "Failed"):
        return [fielderrors.forbidden(path, "retry is only possible when the last operation has failed")]
    version = shoot.spec.kubernetes.version if shoot.spec.kubernetes else None
    two_step = operation in (ROTATE_ETCD_KEY_START, ROTATE_ETCD_KEY_COMPLETE)
    if two_step and version and version_key(version)[:2] >= _ETCD_TWO_STEP_UNTIL:
        detail = f"for Kubernetes {version} use the single-step operation {ROTATE_ETCD_KEY!r}"
        return [fielderrors.forbidden(path, detail)]
    return []


def _validate_start(kind: tuple[str, str], *, operation: str, shoot: Shoot, path: str) -> list[FieldError]:
    key, name = kind
    phase = _phase(shoot, key)
    if not phase or phase == COMPLETED:
        return []
    detail = (
        f"{operation}: cannot start {name} while .status.credentials.rotation.{key}.phase is {phase!r} "
        f"(must be {COMPLETED!r})"
    )
    return [fielderrors.forbidden(path, detail)]


def _validate_complete(kind: tuple[str, str], *, operation: str, shoot: Shoot, path: str) -> list[FieldError]:
    key, name = kind
    phase = _phase(shoot, key)
    if phase == PREPARED:
        return []
    detail = (
        f"{operation}: cannot complete {name} while .status.credentials.rotation.{key}.phase is "
        f"{phase or 'unset'!r} (must be {PREPARED!r})"
    )
    return [fielderrors.forbidden(path, detail)]


def _validate_rollout(operation: str, *, prefix: str, shoot: Shoot, path: str) -> list[FieldError]:
    pools = [pool.strip() for pool in operation[len(prefix):].split(",") if pool.strip()]
    names = {worker.name for worker in shoot.spec.provider.workers or []}
    if not pools:
        return [fielderrors.invalid(path, operation, "name at least one worker pool after '='")]
    errors = [
        fielderrors.invalid(path, operation, f"worker pool {pool!r} does not exist in spec.provider.workers")
        for pool in pools
        if pool not in names and not (prefix == ROLLOUT_WORKERS and pool == "*")
    ]
    waiting = WAITING_FOR_WORKERS_ROLLOUT in (_phase(shoot, _CA[0]), _phase(shoot, _SA[0]))
    if prefix == ROTATE_ROLLOUT_WORKERS and not waiting:
        detail = (
            f"either .status.credentials.rotation.certificateAuthorities.phase or "
            f".status.credentials.rotation.serviceAccountKey.phase must be {WAITING_FOR_WORKERS_ROLLOUT!r} "
            f"to roll out workers"
        )
        errors.append(fielderrors.forbidden(path, detail))
    return errors


def _validate_combinations(requested: dict[str, str]) -> list[FieldError]:
    """At most one operation per credential family; rotating all credentials excludes every single one."""
    families = {op: family for family, members in _FAMILIES.items() for op in members}
    seen: dict[str, str] = {}
    errors = []
    for operation in requested:
        family = families.get(operation)
        if family is None:
            continue
        # Rotating all credentials clashes with every single rotation, and vice versa.
        clashes = [seen[f] for f in seen if f == family or "credentials" in (f, family)]
        if clashes:
            detail = f"operations {clashes[0]!r} and {operation!r} cannot be requested together"
            errors.append(fielderrors.forbidden(requested[operation], detail))
        seen.setdefault(family, operation)
    return errors


def _phase(shoot: Shoot, key: str) -> str | None:
    credentials = (shoot.status.credentials if shoot.status else None) or {}
    rotation = credentials.get("rotation") or {}
    phase = (rotation.get(key) or {}).get("phase")
    return phase if isinstance(phase, str) else None


def _ready_for_rotation_start(last: LastOperation | None) -> bool:
    if last is None:
        return False
    if last.type in ("Create", "Restore"):
        return last.state == "Succeeded"
    return last.type == "Reconcile"


def _hibernated(shoot: Shoot) -> bool:
    return bool(shoot.spec.hibernation and shoot.spec.hibernation.enabled)
