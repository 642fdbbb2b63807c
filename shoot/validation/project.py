"""Static rules of a Project: its name (rule 3), namespace, owner, members and their roles, tolerations.

Called by ``shoot.validation.validate_project`` for the garden's project admission.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import formats
from shoot.validation.formats import dig, items
from shoot.validation.provider import immutable

MAX_NAME_LENGTH = 10
MAX_EXTENSION_ROLE_NAME_LENGTH = 20
ROLES = ("owner", "admin", "viewer", "uam", "serviceaccountmanager")
EXTENSION_ROLE_PREFIX = "extension:"
RBAC_GROUP = "rbac.authorization.k8s.io"
SUBJECT_KINDS = ("User", "Group", "ServiceAccount")


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    spec = dig(new, "spec") or {}
    errors = _name(dig(new, "metadata", "name")) + _namespace(new, old) + _owner(spec)
    for field in ("owner", "createdBy"):
        if dig(spec, field) is not None:
            errors += subject(f"spec.{field}", dig(spec, field))
    return errors + _members(items(dig(spec, "members"))) + _tolerations(spec) + _dual_approval(spec)


def _name(name: Any) -> list[FieldError]:
    """Rule 3: a short DNS subdomain; ``shoot--<project>--<shoot>`` must stay parseable and short."""
    if not name:
        return [fielderrors.required("metadata.name", "name is required")]
    errors = formats.dns_subdomain("metadata.name", name)
    if isinstance(name, str) and len(name) > MAX_NAME_LENGTH:
        errors.append(fielderrors.too_long("metadata.name", name, MAX_NAME_LENGTH))
    if isinstance(name, str) and "--" in name:
        errors.append(fielderrors.invalid("metadata.name", name, "name must not contain two consecutive hyphens"))
    return errors


def _namespace(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    name, namespace = dig(new, "metadata", "name"), dig(new, "spec", "namespace")
    errors = immutable("spec.namespace", new=namespace, old=dig(old, "spec", "namespace"))
    allowed = ("garden",) if name == "garden" else (f"garden-{name}",)
    if namespace is not None and namespace not in allowed:
        errors.append(
            fielderrors.invalid("spec.namespace", namespace, f"must be {allowed[0]!r} (or unset to derive it)")
        )
    return errors


def _owner(spec: Any) -> list[FieldError]:
    """Exactly one owner: ``spec.owner``, whom at most one member (the same subject) mirrors."""
    owner = dig(spec, "owner")
    holders = [index for index, member in enumerate(items(dig(spec, "members"))) if "owner" in roles_of(member)]
    if owner is None and not holders:
        return [fielderrors.required("spec.owner", "a project needs exactly one owner")]
    errors = [
        fielderrors.forbidden(f"spec.members[{index}]", "cannot have more than one member having the owner role")
        for index in holders[1:]
    ]
    if owner is not None and holders and _identity(items(dig(spec, "members"))[holders[0]]) != _identity(owner):
        errors.append(
            fielderrors.forbidden(
                f"spec.members[{holders[0]}]", "only the subject in spec.owner can hold the owner role"
            )
        )
    return errors


def roles_of(member: Any) -> list[Any]:
    role = dig(member, "role")
    return ([role] if role else []) + items(dig(member, "roles"))


def _identity(subject: Any) -> tuple[Any, Any, Any]:
    return dig(subject, "kind"), dig(subject, "name"), dig(subject, "namespace")


def subject(path: str, value: Any) -> list[FieldError]:
    """An rbacv1.Subject: users and groups in the RBAC API group, service accounts with a namespace."""
    kind, name, group = dig(value, "kind"), dig(value, "name"), dig(value, "apiGroup")
    if kind not in SUBJECT_KINDS:
        return [fielderrors.not_supported(f"{path}.kind", kind, SUBJECT_KINDS)]
    errors = [] if name else [fielderrors.required(f"{path}.name", "subject name is required")]
    if kind == "ServiceAccount":
        if group:
            errors.append(fielderrors.not_supported(f"{path}.apiGroup", group, ("",)))
        if not dig(value, "namespace"):
            errors.append(fielderrors.required(f"{path}.namespace", "a service account subject needs its namespace"))
    elif group != RBAC_GROUP:
        errors.append(fielderrors.not_supported(f"{path}.apiGroup", group, (RBAC_GROUP,)))
    return errors


def _members(members: list[Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[tuple[Any, Any, Any]] = set()
    for index, member in enumerate(members):
        path = f"spec.members[{index}]"
        errors += subject(path, member) + _roles(path, member)
        if _identity(member) in seen:
            errors.append(fielderrors.duplicate(path, "/".join(str(part) for part in _identity(member) if part)))
        seen.add(_identity(member))
    return errors


def _roles(path: str, member: Any) -> list[FieldError]:
    role = dig(member, "role")
    fields = ([(f"{path}.role", role)] if role else []) + [
        (f"{path}.roles[{index}]", extra) for index, extra in enumerate(items(dig(member, "roles")))
    ]
    if not fields:
        return [fielderrors.required(f"{path}.role", "a member needs at least one role")]
    errors: list[FieldError] = []
    seen: set[Any] = set()
    for field, value in fields:
        errors += _role(field, value)
        if value in seen:
            errors.append(fielderrors.duplicate(field, value))
        seen.add(value)
    return errors


def _role(field: str, role: Any) -> list[FieldError]:
    if role in ROLES:
        return []
    if isinstance(role, str) and role.startswith(EXTENSION_ROLE_PREFIX):
        name = role[len(EXTENSION_ROLE_PREFIX) :]
        if len(name) > MAX_EXTENSION_ROLE_NAME_LENGTH:
            return [fielderrors.too_long(field, role, MAX_EXTENSION_ROLE_NAME_LENGTH + len(EXTENSION_ROLE_PREFIX))]
        return formats.dns_label(field, name)
    return [fielderrors.not_supported(field, role, (*ROLES, "extension:<name>"))]


def _tolerations(spec: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    for part in ("defaults", "whitelist"):
        seen: set[str] = set()
        for index, toleration in enumerate(items(dig(spec, "tolerations", part))):
            path = f"spec.tolerations.{part}[{index}]"
            key, value = dig(toleration, "key"), dig(toleration, "value")
            if not key:
                errors.append(fielderrors.required(f"{path}.key", "a toleration needs the key of the seed taint"))
                continue
            identity = key if value is None else f"{key}={value}"
            if identity in seen:
                errors.append(fielderrors.duplicate(path, identity))
            seen.add(identity)
    return errors


def _dual_approval(spec: Any) -> list[FieldError]:
    return [
        fielderrors.not_supported(
            f"spec.dualApprovalForDeletion[{index}].resource", dig(entry, "resource"), ("shoots",)
        )
        for index, entry in enumerate(items(dig(spec, "dualApprovalForDeletion")))
        if dig(entry, "resource") != "shoots"
    ]
