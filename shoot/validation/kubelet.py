"""Rule 22 (static part): kubelet settings of the shoot and of each worker pool — PID limit, image garbage
collection thresholds, log rotation and the image pull credential policy of Kubernetes 1.35.

Called by ``shoot.validation.validate_shoot``; ``kubeReserved`` against machine capacity is the admission's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import versions
from shoot.validation.formats import dig, is_int, items

MIN_POD_PIDS_LIMIT = 100
MIN_CONTAINER_LOG_MAX_FILES = 2
PULL_POLICIES = ("AlwaysVerify", "NeverVerify", "NeverVerifyPreloadedImages", "NeverVerifyAllowlistedImages")


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    control_plane = versions.shoot_version(new)
    errors = _kubelet("spec.kubernetes.kubelet", dig(new, "spec", "kubernetes", "kubelet"), version=control_plane)
    for index, pool in enumerate(items(dig(new, "spec", "provider", "workers"))):
        version = versions.parse(dig(pool, "kubernetes", "version")) or control_plane
        path = f"spec.provider.workers[{index}].kubernetes.kubelet"
        errors += _kubelet(path, dig(pool, "kubernetes", "kubelet"), version=version)
    return errors


def _kubelet(path: str, kubelet: Any, *, version: tuple[int, int, int] | None) -> list[FieldError]:
    if not isinstance(kubelet, Mapping):
        return []
    return (
        _pids(path, kubelet)
        + _image_gc(path, kubelet)
        + _log_files(path, kubelet)
        + _pull_policy(path, kubelet, version=version)
    )


def _pids(path: str, kubelet: Mapping[str, Any]) -> list[FieldError]:
    limit = kubelet.get("podPidsLimit")
    if limit is None or (is_int(limit) and limit >= MIN_POD_PIDS_LIMIT):
        return []
    return [fielderrors.invalid(f"{path}.podPidsLimit", limit, f"podPidsLimit must be {MIN_POD_PIDS_LIMIT} or higher")]


def _image_gc(path: str, kubelet: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    high, low = kubelet.get("imageGCHighThresholdPercent"), kubelet.get("imageGCLowThresholdPercent")
    for field, value in (("imageGCHighThresholdPercent", high), ("imageGCLowThresholdPercent", low)):
        if value is not None and not (is_int(value) and 0 <= value <= 100):
            errors.append(fielderrors.invalid(f"{path}.{field}", value, "must be a percentage between 0 and 100"))
    if not errors and is_int(high) and is_int(low) and low >= high:
        errors.append(
            fielderrors.invalid(
                f"{path}.imageGCLowThresholdPercent",
                low,
                f"imageGCLowThresholdPercent must be less than imageGCHighThresholdPercent ({high})",
            )
        )
    return errors


def _log_files(path: str, kubelet: Mapping[str, Any]) -> list[FieldError]:
    files = kubelet.get("containerLogMaxFiles")
    if files is None or (is_int(files) and files >= MIN_CONTAINER_LOG_MAX_FILES):
        return []
    return [
        fielderrors.invalid(
            f"{path}.containerLogMaxFiles",
            files,
            f"must be at least {MIN_CONTAINER_LOG_MAX_FILES} (kubelet rotates logs)",
        )
    ]


def _pull_policy(path: str, kubelet: Mapping[str, Any], *, version: tuple[int, int, int] | None) -> list[FieldError]:
    policy, allowlist = (
        kubelet.get("imagePullCredentialsVerificationPolicy"),
        kubelet.get("preloadedImagesVerificationAllowlist"),
    )
    errors: list[FieldError] = []
    too_old = version is not None and version[:2] < (1, 35)
    for field, value in (
        ("imagePullCredentialsVerificationPolicy", policy),
        ("preloadedImagesVerificationAllowlist", allowlist),
    ):
        if value is not None and too_old:
            errors.append(fielderrors.forbidden(f"{path}.{field}", "is only supported for Kubernetes >= 1.35"))
    if policy is not None and policy not in PULL_POLICIES:
        errors.append(
            fielderrors.not_supported(f"{path}.imagePullCredentialsVerificationPolicy", policy, PULL_POLICIES)
        )
    if allowlist is not None and policy != "NeverVerifyAllowlistedImages":
        errors.append(
            fielderrors.forbidden(
                f"{path}.preloadedImagesVerificationAllowlist",
                "requires imagePullCredentialsVerificationPolicy NeverVerifyAllowlistedImages",
            )
        )
    return errors
