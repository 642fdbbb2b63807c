"""Rules 1 and 2: a shoot's name, and its length together with the project's name; also the finalizers a
new shoot may not carry (rule 36).

Called by ``shoot.validation.validate_shoot``. The project is read from the namespace (``garden-<project>``,
or ``garden`` for the project ``garden``), so the length budget is checked without the Project object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import formats
from shoot.validation.formats import dig, items

# The technical id shoot--<project>--<shoot> names infrastructure resources; it must stay within 30 characters.
MAX_PROJECT_AND_SHOOT_NAME = 21
# generateName appends 5 random characters.
GENERATED_SUFFIX_LENGTH = 5
# Only Gardener itself may set these finalizers.
PROTECTED_FINALIZERS = ("gardener", "gardener.cloud/reference-protection")


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    name = dig(new, "metadata", "name")
    generate_name = dig(new, "metadata", "generateName")
    if name:
        errors = _name("metadata.name", name)
    elif generate_name and old is None:
        errors = _name("metadata.generateName", str(generate_name).rstrip("-") or generate_name)
    else:
        errors = [fielderrors.required("metadata.name", "name or generateName is required")]
    if old is None:
        errors += _project_budget(new)
        errors += _finalizers_on_create(new)
    return errors


def _name(field: str, name: Any) -> list[FieldError]:
    errors = formats.dns_label(field, name)
    if isinstance(name, str) and "--" in name:
        errors.append(fielderrors.invalid(field, name, "shoot name must not contain two consecutive hyphens"))
    return errors


def project_of(namespace: Any) -> str | None:
    """The project owning a namespace: ``garden-dev`` -> ``dev``, ``garden`` -> ``garden``, else None."""
    if namespace == "garden":
        return "garden"
    if isinstance(namespace, str) and namespace.startswith("garden-") and len(namespace) > len("garden-"):
        return namespace[len("garden-") :]
    return None


def _project_budget(shoot: Mapping[str, Any]) -> list[FieldError]:
    project = project_of(dig(shoot, "metadata", "namespace"))
    name = dig(shoot, "metadata", "name")
    generate_name = dig(shoot, "metadata", "generateName")
    if project is None:
        return []
    if isinstance(name, str) and name and len(project) + len(name) > MAX_PROJECT_AND_SHOOT_NAME:
        return [
            fielderrors.invalid(
                "metadata.name",
                name,
                f"the length of the shoot name and the project name must not exceed "
                f"{MAX_PROJECT_AND_SHOOT_NAME} characters (project: {project}; shoot: {name})",
            )
        ]
    limit = MAX_PROJECT_AND_SHOOT_NAME - GENERATED_SUFFIX_LENGTH
    if not name and isinstance(generate_name, str) and len(project) + len(generate_name) > limit:
        return [
            fielderrors.invalid(
                "metadata.generateName",
                generate_name,
                f"the length of the shoot generateName and the project name must not exceed {limit} "
                f"characters (project: {project}; shoot with generateName: {generate_name})",
            )
        ]
    return []


def _finalizers_on_create(shoot: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for index, finalizer in enumerate(items(dig(shoot, "metadata", "finalizers"))):
        if finalizer in PROTECTED_FINALIZERS:
            errors.append(
                fielderrors.forbidden(
                    f"metadata.finalizers[{index}]", f"finalizer {finalizer!r} cannot be set when creating a shoot"
                )
            )
    return errors
