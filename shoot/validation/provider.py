"""Rules 5-9: region, provider type, CloudProfile reference, credentials binding and the workerless switch —
the static halves; whether the referenced objects exist and match is checked by the garden's admission
(``shoot.validation.references``).

Called by ``shoot.validation.validate_shoot``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import formats, versions
from shoot.validation.formats import dig, items

CLOUD_PROFILE_KINDS = ("CloudProfile", "NamespacedCloudProfile")
IMMUTABLE = "field is immutable"


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    return (
        _region(new, old)
        + _provider_type(new, old)
        + _cloud_profile(new, old)
        + _bindings(new)
        + _bindings_update(new, old)
        + _workerless_switch(new, old)
    )


def has_workers(shoot: Mapping[str, Any] | None) -> bool:
    return bool(items(dig(shoot, "spec", "provider", "workers")))


def immutable(field: str, *, new: Any, old: Any) -> list[FieldError]:
    """Kubernetes' ValidateImmutableField, for a field that already had a value."""
    if old is None or new == old:
        return []
    return [fielderrors.invalid(field, new, IMMUTABLE)]


def _spec(shoot: Mapping[str, Any] | None, *keys: str) -> Any:
    return dig(shoot, "spec", *keys)


def _region(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """Rule 5 (static part)."""
    region = _spec(new, "region")
    if not region:
        return [fielderrors.required("spec.region", "must specify a region")]
    return immutable("spec.region", new=region, old=_spec(old, "region"))


def _provider_type(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """Rule 6 (static part)."""
    provider_type = _spec(new, "provider", "type")
    if not provider_type:
        return [fielderrors.required("spec.provider.type", "must specify a provider type")]
    errors = formats.dns_label("spec.provider.type", provider_type)
    return errors + immutable("spec.provider.type", new=provider_type, old=_spec(old, "provider", "type"))


def _cloud_profile(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """Rule 7 (static part)."""
    legacy = _spec(new, "cloudProfileName")
    name, kind = _spec(new, "cloudProfile", "name"), _spec(new, "cloudProfile", "kind")
    if not legacy and not name:
        return [fielderrors.required("spec.cloudProfile.name", "must specify a cloud profile")]
    errors: list[FieldError] = []
    if kind is not None and kind not in CLOUD_PROFILE_KINDS:
        errors.append(fielderrors.not_supported("spec.cloudProfile.kind", kind, CLOUD_PROFILE_KINDS))
    if legacy and name and kind in (None, "CloudProfile") and legacy != name:
        errors.append(
            fielderrors.invalid("spec.cloudProfileName", legacy, f"must match spec.cloudProfile.name ({name})")
        )
    if legacy and versions.at_least(new, 1, 34):
        errors.append(
            fielderrors.forbidden(
                "spec.cloudProfileName",
                "is no longer supported for Kubernetes >= 1.34, use spec.cloudProfile.name instead",
            )
        )
    if (
        old is not None
        and kind in (None, "CloudProfile")
        and _spec(old, "cloudProfile", "kind") in (None, "CloudProfile")
    ):
        errors += immutable("spec.cloudProfile.name", new=name, old=_spec(old, "cloudProfile", "name"))
    return errors


def _bindings(new: Mapping[str, Any]) -> list[FieldError]:
    """Rule 8 (static part): which credentials binding a shoot names."""
    secret, credentials = _spec(new, "secretBindingName"), _spec(new, "credentialsBindingName")
    if not has_workers(new):
        return [
            fielderrors.forbidden(f"spec.{field}", "is incompatible with a workerless shoot")
            for field, value in (("secretBindingName", secret), ("credentialsBindingName", credentials))
            if value
        ]
    errors: list[FieldError] = []
    if secret and credentials:
        errors.append(
            fielderrors.forbidden(
                "spec.secretBindingName", "is incompatible with spec.credentialsBindingName, set only one of them"
            )
        )
    elif not secret and not credentials and not _self_hosted(new):
        errors.append(
            fielderrors.required(
                "spec.credentialsBindingName", "a shoot with workers must name its provider credentials binding"
            )
        )
    if secret and versions.at_least(new, 1, 34):
        errors.append(
            fielderrors.forbidden(
                "spec.secretBindingName",
                "is no longer supported for Kubernetes >= 1.34, use spec.credentialsBindingName instead",
            )
        )
    return errors


def _self_hosted(shoot: Mapping[str, Any]) -> bool:
    return any(dig(pool, "controlPlane") is not None for pool in items(_spec(shoot, "provider", "workers")))


def _bindings_update(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """Rule 8 on update: no unsetting the credentials binding; a secret binding may only migrate to one."""
    if old is None:
        return []
    errors: list[FieldError] = []
    old_credentials, credentials = _spec(old, "credentialsBindingName"), _spec(new, "credentialsBindingName")
    if old_credentials and not credentials:
        errors.append(fielderrors.forbidden("spec.credentialsBindingName", "cannot be unset once set"))
    old_secret, secret = _spec(old, "secretBindingName"), _spec(new, "secretBindingName")
    if old_secret and secret:
        errors += immutable("spec.secretBindingName", new=secret, old=old_secret)
    return errors


def _workerless_switch(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """Rule 9."""
    if old is None or has_workers(new) == has_workers(old):
        return []
    detail = (
        "cannot switch from a workerless shoot to a shoot with workers"
        if has_workers(new)
        else "cannot switch from a shoot with workers to a workerless shoot"
    )
    return [fielderrors.forbidden("spec.provider.workers", detail)]
