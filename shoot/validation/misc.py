"""Rules 32-34, 36 and 37 (static parts): purpose and addons, the seed name, seed tolerations, the frozen spec
of a shoot being deleted, and kube-apiserver's in-flight request limits.

Called by ``shoot.validation.validate_shoot``; project whitelists, seed facts and domain uniqueness across
shoots need other objects and are the admission's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import formats, versions
from shoot.validation.formats import dig, is_int, items
from shoot.validation.provider import has_workers, immutable

PURPOSES = ("evaluation", "testing", "development", "production")
INFRASTRUCTURE = "infrastructure"
INFLIGHT_LIMITS = (("maxNonMutatingInflight", 5000), ("maxMutatingInflight", 2500))


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    return (
        _purpose(new)
        + _addons(new)
        + _seed_name(new, old)
        + _tolerations(new)
        + _inflight(new)
        + _frozen_spec(new, old)
        + _names(new, old)
    )


def _purpose(shoot: Mapping[str, Any]) -> list[FieldError]:
    """Rule 32: purposes; ``infrastructure`` is reserved to shoots of the ``garden`` namespace."""
    purpose = dig(shoot, "spec", "purpose")
    if purpose is None or purpose in PURPOSES:
        return []
    if purpose != INFRASTRUCTURE:
        return [fielderrors.not_supported("spec.purpose", purpose, (*PURPOSES, INFRASTRUCTURE))]
    if dig(shoot, "metadata", "namespace") != "garden":
        return [
            fielderrors.forbidden(
                "spec.purpose", 'purpose "infrastructure" is only allowed for shoots in the "garden" namespace'
            )
        ]
    return []


def _addons(shoot: Mapping[str, Any]) -> list[FieldError]:
    """Rule 32: the deprecated addons are for evaluation shoots with workers below Kubernetes 1.35."""
    addons = dig(shoot, "spec", "addons")
    if not addons:
        return []
    if not has_workers(shoot):
        return [fielderrors.forbidden("spec.addons", "addons cannot be enabled for workerless shoots")]
    if versions.at_least(shoot, 1, 35):
        return [fielderrors.forbidden("spec.addons", "addons are no longer supported for Kubernetes >= 1.35")]
    enabled = any(dig(addons, addon, "enabled") is True for addon in ("kubernetesDashboard", "nginxIngress"))
    if enabled and dig(shoot, "spec", "purpose") not in (None, "evaluation"):
        return [fielderrors.forbidden("spec.addons", "addons can only be enabled on shoots with purpose evaluation")]
    mode = dig(addons, "kubernetesDashboard", "authenticationMode")
    if mode is not None and mode != "token":
        return [fielderrors.not_supported("spec.addons.kubernetesDashboard.authenticationMode", mode, ("token",))]
    return []


def _seed_name(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """Rule 33 (static part): the seed is assigned through ``shoots/binding``, never by updating the shoot."""
    seed = dig(new, "spec", "seedName")
    if seed is not None and not seed:
        return [fielderrors.invalid("spec.seedName", seed, "seed name must not be empty")]
    old_seed = dig(old, "spec", "seedName")
    if old_seed and seed != old_seed:
        return [
            fielderrors.forbidden(
                "spec.seedName",
                "field is immutable through updates of the shoot, use the shoots/binding subresource to move the "
                "shoot to another seed (the seed name cannot be unset)",
            )
        ]
    return []


def _tolerations(shoot: Mapping[str, Any]) -> list[FieldError]:
    """Rule 34 (static part): well-formed, unique tolerations of seed taints."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, toleration in enumerate(items(dig(shoot, "spec", "tolerations"))):
        path = f"spec.tolerations[{index}]"
        key, value = dig(toleration, "key"), dig(toleration, "value")
        if not key:
            errors.append(fielderrors.required(f"{path}.key", "a toleration needs the key of the seed taint"))
            continue
        errors += formats.qualified_name(f"{path}.key", key)
        if value is not None:
            errors += formats.label_value(f"{path}.value", value)
        identity = key if value is None else f"{key}={value}"
        if identity in seen:
            errors.append(fielderrors.duplicate(path, identity))
        seen.add(identity)
    return errors


def _inflight(shoot: Mapping[str, Any]) -> list[FieldError]:
    """Rule 37."""
    errors: list[FieldError] = []
    for field, limit in INFLIGHT_LIMITS:
        value = dig(shoot, "spec", "kubernetes", "kubeAPIServer", "requests", field)
        if value is not None and not (is_int(value) and 0 <= value <= limit):
            errors.append(
                fielderrors.invalid(
                    f"spec.kubernetes.kubeAPIServer.requests.{field}", value, f"must be between 0 and {limit}"
                )
            )
    return errors


def _frozen_spec(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """Rule 36: once deletion has begun, the spec being torn down must not change under the flow."""
    if old is None or not dig(old, "metadata", "deletionTimestamp") or dig(new, "spec") == dig(old, "spec"):
        return []
    return [fielderrors.forbidden("spec", "cannot update the shoot spec once its deletion timestamp is set")]


def _names(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """The scheduler that places the shoot is fixed; an exposure class is named like any object."""
    errors: list[FieldError] = []
    scheduler = dig(new, "spec", "schedulerName")
    if scheduler is not None:
        errors += formats.dns_label("spec.schedulerName", scheduler)
        errors += immutable("spec.schedulerName", new=scheduler, old=dig(old, "spec", "schedulerName"))
    exposure_class = dig(new, "spec", "exposureClassName")
    if exposure_class is not None:
        errors += formats.dns_subdomain("spec.exposureClassName", exposure_class)
    return errors
