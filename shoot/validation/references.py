"""Shoot rules checked against the objects a shoot references: its credentials binding, project, seed,
the project's toleration whitelist and the DNS domains of all other shoots (§3 rules 2, 6, 26, 31, 34, 35).

Pure: the garden's admission looks the objects up and passes them in as JSON dicts (None when missing).
The CloudProfile rules live in ``cloudprofile_refs`` and are re-exported here; quotas are in ``quota``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from shoot import fielderrors
from shoot.api.meta import Toleration
from shoot.api.project import Project
from shoot.api.seed import Seed
from shoot.api.shoot import Shoot
from shoot.fielderrors import FieldError
from shoot.validation.cloudprofile_refs import validate_against_cloudprofile

__all__ = [
    "validate_against_cloudprofile",
    "validate_binding",
    "validate_dns_uniqueness",
    "validate_project_membership",
    "validate_seed_reference",
    "validate_tolerations_whitelist",
]

# The technical id ``shoot--<project>--<shoot>`` names infrastructure resources limited to 30 characters.
NAME_LENGTH_LIMIT = 21
GENERATED_SUFFIX_LENGTH = 5
PROTECTED_TOLERATION = Toleration(key="seed.gardener.cloud/protected")
GARDEN_NAMESPACE = "garden"


def validate_binding(
    shoot: dict[str, Any], *, secret_binding: dict[str, Any] | None, credentials_binding: dict[str, Any] | None
) -> list[FieldError]:
    """The binding the shoot names exists (caller passes None if not) and is for the shoot's provider type."""
    spec = Shoot.model_validate(shoot).spec
    namespace = (shoot.get("metadata") or {}).get("namespace")
    if spec.credentials_binding_name:
        return _check_binding(
            "spec.credentialsBindingName", spec.credentials_binding_name, kind="CredentialsBinding",
            binding=credentials_binding, namespace=namespace, provider_type=spec.provider.type,
        )
    if spec.secret_binding_name:
        return _check_binding(
            "spec.secretBindingName", spec.secret_binding_name, kind="SecretBinding",
            binding=secret_binding, namespace=namespace, provider_type=spec.provider.type,
        )
    return []


def _check_binding(
    path: str, name: str, *, kind: str, binding: dict[str, Any] | None, namespace: str | None, provider_type: str
) -> list[FieldError]:
    binding_namespace = (binding.get("metadata") or {}).get("namespace") if binding else None
    if binding is None or (binding_namespace is not None and binding_namespace != namespace):
        return [fielderrors.invalid(path, name, f"{kind} {name!r} not found in namespace {namespace!r}")]
    declared = (binding.get("provider") or {}).get("type") or ""
    # A SecretBinding may be for several providers ("aws,azure"); a CredentialsBinding names exactly one.
    if provider_type not in [t.strip() for t in declared.split(",")]:
        detail = f"provider type in shoot must match provider type of referenced {kind} {name!r}: {declared!r}"
        return [fielderrors.invalid("spec.provider.type", provider_type, detail)]
    return []


def validate_project_membership(
    shoot: dict[str, Any], *, project: dict[str, Any] | None, operation: str
) -> list[FieldError]:
    """Rule 2, on CREATE only: name length budget and no new shoots in a project being deleted."""
    if operation.upper() != "CREATE":
        return []
    meta = Shoot.model_validate(shoot).metadata
    if project is None:
        return [fielderrors.invalid("metadata.namespace", meta.namespace, "namespace does not belong to a project")]
    found = Project.model_validate(project)
    project_name = found.metadata.name or ""
    # For ``garden-<project>`` namespaces the static rules already checked the budget (shoot.validation.naming).
    conventional = meta.namespace in (f"garden-{project_name}", "garden")
    errors = [] if conventional else _validate_name_length(
        name=meta.name, generate_name=meta.generate_name, project_name=project_name)
    if found.metadata.deletion_timestamp is not None or (found.status and found.status.phase == "Terminating"):
        detail = f"cannot create shoot {meta.name!r} in project {project_name!r} that is already marked for deletion"
        errors.append(fielderrors.forbidden("metadata.namespace", detail))
    return errors


def _validate_name_length(*, name: str | None, generate_name: str | None, project_name: str) -> list[FieldError]:
    if not name and generate_name:
        limit = NAME_LENGTH_LIMIT - GENERATED_SUFFIX_LENGTH
        if len(project_name) + len(generate_name) <= limit:
            return []
        detail = (
            f"the length of the shoot generateName and the project name must not exceed {limit} characters "
            f"(project: {project_name}; shoot with generateName: {generate_name})"
        )
        return [fielderrors.invalid("metadata.generateName", generate_name, detail)]
    if len(project_name) + len(name or "") <= NAME_LENGTH_LIMIT:
        return []
    detail = (
        f"the length of the shoot name and the project name must not exceed {NAME_LENGTH_LIMIT} characters "
        f"(project: {project_name}; shoot: {name})"
    )
    return [fielderrors.invalid("metadata.name", name, detail)]


def validate_seed_reference(
    shoot: dict[str, Any], *, seed: dict[str, Any] | None, old: dict[str, Any] | None
) -> list[FieldError]:
    """Rules 26 and 31 for the seed named in ``spec.seedName`` (nothing to check while unscheduled)."""
    new_shoot = Shoot.model_validate(shoot)
    seed_name = new_shoot.spec.seed_name
    if not seed_name:
        return []
    if seed is None:
        return [fielderrors.invalid("spec.seedName", seed_name, f"Seed {seed_name!r} not found")]
    found = Seed.model_validate(seed)
    errors = _validate_zone_tolerance(new_shoot, found)
    old_seed_name = Shoot.model_validate(old).spec.seed_name if old is not None else None
    # Seed networks are immutable: families and disjointness only need checking when the shoot lands on a seed.
    if old_seed_name != seed_name:
        errors += _validate_ip_families(new_shoot, found) or _validate_networks(new_shoot, found)
    return errors


def shoot_ip_families(shoot: Shoot) -> list[str]:
    """The shoot's IP families, IPv4 when unset (Gardener's default)."""
    return (shoot.spec.networking.ip_families if shoot.spec.networking else None) or ["IPv4"]


def _validate_ip_families(shoot: Shoot, seed: Seed) -> list[FieldError]:
    """The seed must serve every IP family of the shoot (what the scheduler's IP-family filter checks too)."""
    wanted, served = shoot_ip_families(shoot), seed.spec.networks.ip_families or ["IPv4"]
    if set(wanted) <= set(served):
        return []
    detail = (f"seed {seed.metadata.name!r} does not match the shoot's IP families [{', '.join(wanted)}] "
              f"(seed: [{', '.join(served)}])")
    return [fielderrors.forbidden("spec.seedName", detail)]


def _validate_zone_tolerance(shoot: Shoot, seed: Seed) -> list[FieldError]:
    high_availability = shoot.spec.control_plane.high_availability if shoot.spec.control_plane else None
    zones = len(seed.spec.provider.zones or [])
    if high_availability is None or high_availability.failure_tolerance.type != "zone" or zones >= 3:
        return []
    detail = (
        f"cannot schedule shoot {shoot.metadata.name!r} with failure tolerance of zone on seed "
        f"{seed.metadata.name!r} with only {zones} zones, at least 3 zones are required"
    )
    return [fielderrors.forbidden("spec.controlPlane.highAvailability.failureTolerance.type", detail)]


def _validate_networks(shoot: Shoot, seed: Seed) -> list[FieldError]:
    """Shoot networks must not overlap any seed network: the VPN routes between them."""
    networking = shoot.spec.networking
    errors = _required_networks(shoot, seed)
    if networking is None:
        return errors
    seed_networks = {
        "node": seed.spec.networks.nodes, "pod": seed.spec.networks.pods, "service": seed.spec.networks.services,
    }
    shoot_networks = {
        "nodes": ("node", networking.nodes), "pods": ("pod", networking.pods),
        "services": ("service", networking.services),
    }
    for field, (shoot_kind, shoot_cidr) in shoot_networks.items():
        for seed_kind, seed_cidr in seed_networks.items():
            if shoot_cidr and seed_cidr and _overlap(shoot_cidr, seed_cidr):
                detail = f"shoot {shoot_kind} network intersects with seed {seed_kind} network {seed_cidr}"
                errors.append(fielderrors.invalid(f"spec.networking.{field}", shoot_cidr, detail))
    return errors


def _required_networks(shoot: Shoot, seed: Seed) -> list[FieldError]:
    """Pods (with workers) and services must be known once scheduled, unless the seed has defaults for them."""
    networking = shoot.spec.networking
    if "IPv4" not in shoot_ip_families(shoot):
        return []  # IPv6 ranges come from the infrastructure (Gardener requires them only for IPv4)
    defaults = seed.spec.networks.shoot_defaults
    needed = {"services": defaults.services if defaults else None}
    if shoot.spec.provider.workers:
        needed["pods"] = defaults.pods if defaults else None
    return [
        fielderrors.required(f"spec.networking.{field}", f"{field} is required once a seed is assigned")
        for field, default in needed.items()
        if getattr(networking, field, None) is None and default is None
    ]


def _overlap(first: str, second: str) -> bool:
    try:
        a, b = ipaddress.ip_network(first, strict=False), ipaddress.ip_network(second, strict=False)
    except ValueError:
        return False  # malformed CIDRs are the static validation's to report
    return a.version == b.version and a.overlaps(b)


def validate_tolerations_whitelist(
    shoot: dict[str, Any], *, project: dict[str, Any] | None, old: dict[str, Any] | None = None
) -> list[FieldError]:
    """Rule 34: tolerations must be allowed by the project's ``tolerations.whitelist`` (or ``defaults``).

    On UPDATE only tolerations the shoot did not have before are checked, so narrowing a whitelist never
    blocks unrelated changes. Shoots in the ``garden`` namespace may tolerate ``seed.gardener.cloud/protected``.
    """
    new_shoot = Shoot.model_validate(shoot)
    previous = (Shoot.model_validate(old).spec.tolerations or []) if old is not None else []
    allowed = _allowed_tolerations(project, namespace=new_shoot.metadata.namespace)
    errors = []
    for index, toleration in enumerate(new_shoot.spec.tolerations or []):
        if toleration in previous or _tolerated(toleration, allowed):
            continue
        shown = ", ".join(_show_toleration(t) for t in allowed) or "none"
        detail = f"toleration {_show_toleration(toleration)} is not allowed by the project; allowed: {shown}"
        errors.append(fielderrors.forbidden(f"spec.tolerations[{index}]", detail))
    return errors


def _allowed_tolerations(project: dict[str, Any] | None, *, namespace: str | None) -> list[Toleration]:
    tolerations = Project.model_validate(project).spec.tolerations if project is not None else None
    allowed = [*(tolerations.whitelist or []), *(tolerations.defaults or [])] if tolerations else []
    if namespace == GARDEN_NAMESPACE:
        allowed.append(PROTECTED_TOLERATION)
    return allowed


def _tolerated(toleration: Toleration, allowed: Iterable[Toleration]) -> bool:
    # A whitelisted key without a value allows every value of that key.
    return any(a.key == toleration.key and (a.value is None or a.value == toleration.value) for a in allowed)


def _show_toleration(toleration: Toleration) -> str:
    return toleration.key if toleration.value is None else f"{toleration.key}={toleration.value}"


def validate_dns_uniqueness(shoot: dict[str, Any], *, other_shoots: Iterable[dict[str, Any]]) -> list[FieldError]:
    """Rule 35: ``spec.dns.domain`` is globally unique and neither a sub- nor a super-domain of another's."""
    domain = _domain(shoot)
    if not domain:
        return []
    me = _identity(shoot)
    for other in other_shoots:
        other_domain = _domain(other)
        if not other_domain or _identity(other) == me:
            continue
        who = "/".join(_identity(other))
        if other_domain == domain:
            duplicate = fielderrors.duplicate("spec.dns.domain", domain)
            detail = f"the domain is already used by shoot {who}"
            return [FieldError(duplicate.field, duplicate.reason, f"{duplicate.message}: {detail}")]
        if _nested(domain, other_domain):
            detail = f"the domain {domain!r} intersects with the domain {other_domain!r} of shoot {who}"
            return [fielderrors.forbidden("spec.dns.domain", detail)]
    return []


def _domain(shoot: dict[str, Any]) -> str | None:
    domain = ((shoot.get("spec") or {}).get("dns") or {}).get("domain")
    return domain if isinstance(domain, str) else None


def _identity(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (meta.get("namespace") or "", meta.get("name") or "")


def _nested(first: str, second: str) -> bool:
    short, long = sorted((first.rstrip("."), second.rstrip(".")), key=len)
    return long.endswith("." + short)
