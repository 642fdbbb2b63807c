"""Deletion rules (§3 rule 36, Gardener's DeletionConfirmation plugin) and reference protection.

``validate_deletion`` is called by the garden's admission on DELETE of any kind; the ``*_in_use`` helpers tell
it which objects still reference a CloudProfile or a Secret, so that those cannot be deleted from under them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError

CONFIRMATION = "confirmation.gardener.cloud/deletion"
CONFIRMATION_PATH = f"metadata.annotations[{CONFIRMATION}]"
# Kinds whose deletion loses data and must be confirmed explicitly.
CONFIRMED_KINDS = ("Shoot", "Project")
# strconv.ParseBool's spellings of true, which Gardener accepts for the confirmation.
_TRUE = ("1", "t", "T", "TRUE", "true", "True")


def validate_deletion(obj: dict[str, Any], *, kind: str) -> list[FieldError]:
    """A Shoot or Project needs ``confirmation.gardener.cloud/deletion=true``; a shoot in migration waits."""
    if kind not in CONFIRMED_KINDS:
        return []
    meta = obj.get("metadata") or {}
    errors = []
    if (meta.get("annotations") or {}).get(CONFIRMATION) not in _TRUE:
        detail = (
            f"{kind} {meta.get('name')!r} must be annotated with {CONFIRMATION}=true before it can be deleted "
            f"(kubectl annotate {kind.lower()} {meta.get('name')} {CONFIRMATION}=true)"
        )
        errors.append(fielderrors.forbidden(CONFIRMATION_PATH, detail))
    if kind == "Shoot":
        errors += _validate_not_migrating(obj)
    return errors


def _validate_not_migrating(shoot: dict[str, Any]) -> list[FieldError]:
    last = (shoot.get("status") or {}).get("lastOperation") or {}
    migrating = last.get("type") == "Migrate"
    restoring = last.get("type") == "Restore" and last.get("state") != "Succeeded"
    if not (migrating or restoring):
        return []
    detail = f"cannot delete the shoot during its {last['type']} operation that is in state {last.get('state')}"
    return [fielderrors.forbidden("status.lastOperation", detail)]


def cloudprofile_in_use(name: str, shoots: Iterable[dict[str, Any]]) -> list[str]:
    """``namespace/name`` of the shoots that still reference CloudProfile ``name``, sorted."""
    return sorted(_key(shoot) for shoot in shoots if _references_cloudprofile(shoot, name))


def _references_cloudprofile(shoot: dict[str, Any], name: str) -> bool:
    spec = shoot.get("spec") or {}
    reference = spec.get("cloudProfile") or {}
    by_reference = reference.get("name") == name and reference.get("kind", "CloudProfile") == "CloudProfile"
    return by_reference or spec.get("cloudProfileName") == name


def secret_in_use(
    namespace: str,
    name: str,
    secret_bindings: Iterable[dict[str, Any]],
    credentials_bindings: Iterable[dict[str, Any]],
) -> list[str]:
    """``namespace/name`` of the bindings that still bind Secret ``namespace/name``, sorted.

    A reference without a namespace points into the binding's own namespace.
    """
    users = [
        binding for binding in secret_bindings
        if _points_at(binding.get("secretRef") or {}, binding=binding, namespace=namespace, name=name)
    ]
    users += [
        binding for binding in credentials_bindings
        if (binding.get("credentialsRef") or {}).get("kind") == "Secret"
        and _points_at(binding["credentialsRef"], binding=binding, namespace=namespace, name=name)
    ]
    return sorted(_key(binding) for binding in users)


def _points_at(reference: dict[str, Any], *, binding: dict[str, Any], namespace: str, name: str) -> bool:
    own_namespace = (binding.get("metadata") or {}).get("namespace")
    return reference.get("name") == name and (reference.get("namespace") or own_namespace) == namespace


def _key(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"
