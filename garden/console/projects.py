"""Projects as the console shows them: members and roles, and each quota's limits against what is charged.

Called by ``garden.console.pages``. Quota use is Gardener's (and the garden admission's) accounting: the shoots whose
binding references the quota, at their maximum size (``shoot.validation.quota.shoot_usage``).
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from apiserver import errors
from apiserver.context import UserInfo
from garden.auth import roles
from garden.console.gateway import Gateway
from shoot.api.cloudprofile import CloudProfile
from shoot.api.shoot import Shoot
from shoot.quantity import parse_quantity
from shoot.validation import quota as quotas

JSON = dict[str, Any]
_GI = Decimal(2**30)


def namespace_of(project: JSON) -> str:
    return roles.namespace_of(project)


@dataclasses.dataclass(frozen=True)
class ProjectCard:
    name: str
    namespace: str
    owner: str
    purpose: str
    members: int
    shoots: int
    issues: int
    phase: str
    created: str


def card(project: JSON, shoots: Mapping[str, int], issues: Mapping[str, int]) -> ProjectCard:
    spec = project.get("spec") or {}
    namespace = namespace_of(project)
    return ProjectCard(
        name=project["metadata"]["name"], namespace=namespace, owner=str((spec.get("owner") or {}).get("name") or ""),
        purpose=str(spec.get("purpose") or ""), members=len(spec.get("members") or ()),
        shoots=shoots.get(namespace, 0), issues=issues.get(namespace, 0),
        phase=str((project.get("status") or {}).get("phase") or ""),
        created=str(project["metadata"].get("creationTimestamp") or ""))


@dataclasses.dataclass(frozen=True)
class Member:
    kind: str
    name: str
    roles: tuple[str, ...]


def members(project: JSON) -> list[Member]:
    spec = project.get("spec") or {}
    out: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    owner = spec.get("owner")
    if isinstance(owner, Mapping) and owner.get("name"):
        out[(str(owner.get("kind") or "User"), str(owner["name"]))].add(roles.OWNER)
    for member in spec.get("members") or ():
        if not isinstance(member, Mapping):
            continue
        name = str(member.get("name") or "")
        if member.get("kind") == "ServiceAccount" and member.get("namespace"):
            name = f"{member['namespace']}/{name}"
        out[(str(member.get("kind") or "User"), name)].update(
            r for r in [member.get("role"), *(member.get("roles") or ())] if r)
    return [Member(kind=k, name=n, roles=tuple(sorted(r))) for (k, n), r in sorted(out.items())]


@dataclasses.dataclass(frozen=True)
class QuotaLine:
    metric: str
    limit: str
    used: str
    share: float  # 0..1 of the limit


@dataclasses.dataclass(frozen=True)
class QuotaView:
    namespace: str
    name: str
    lines: list[QuotaLine]
    lifetime_days: int | None


async def quota_use(gateway: Gateway, user: UserInfo, namespace: str) -> list[QuotaView] | None:
    """The quotas the project's bindings reference, with use; None when the viewer may not read bindings."""
    try:
        bindings = [*await gateway.list(user, gateway.kind("credentialsbindings", "security.gardener.cloud",
                                                              "v1alpha1"), namespace)]
    except errors.ApiError as exc:
        if exc.code not in (403, 404):
            raise
        bindings = []
    try:
        bindings += await gateway.list(user, gateway.kind("secretbindings"), namespace)
        shoots = await gateway.list(user, gateway.kind("shoots"), namespace)
    except errors.ApiError as exc:
        if exc.code == 403:
            return None
        raise
    refs = {(str(r.get("namespace") or namespace), str(r.get("name") or "")): b for b in bindings
            for r in b.get("quotas") or () if isinstance(r, Mapping)}
    views = []
    profiles: dict[str, Any] = {}
    for (ns, name), _binding in sorted(refs.items()):
        try:
            found = await gateway.get(user, gateway.kind("quotas"), ns, name)
        except errors.ApiError as exc:
            if exc.code in (403, 404):
                continue
            raise
        charged = [s for s in shoots if _binding_name(s) in _bindings_with(bindings, ns, name)]
        total = await _usage(gateway, user, charged, profiles)
        lines = []
        for metric, limit in sorted(((found.get("spec") or {}).get("metrics") or {}).items()):
            try:
                cap = parse_quantity(limit)
            except (ValueError, ArithmeticError):
                continue
            used = total.get(metric, Decimal(0))
            lines.append(QuotaLine(metric=metric, limit=str(limit), used=_show(metric, used),
                                   share=float(min(Decimal(1), used / cap)) if cap else 1.0))
        views.append(QuotaView(namespace=ns, name=name, lines=lines,
                               lifetime_days=(found.get("spec") or {}).get("clusterLifetimeDays")))
    return views


def _binding_name(shoot: JSON) -> str:
    spec = shoot.get("spec") or {}
    return str(spec.get("credentialsBindingName") or spec.get("secretBindingName") or "")


def _bindings_with(bindings: list[JSON], namespace: str, name: str) -> set[str]:
    return {b["metadata"]["name"] for b in bindings for r in b.get("quotas") or ()
            if isinstance(r, Mapping) and r.get("name") == name
            and (r.get("namespace") or b["metadata"].get("namespace")) == namespace}


async def _usage(gateway: Gateway, user: UserInfo, shoots: list[JSON], profiles: dict[str, Any]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = collections.defaultdict(Decimal)
    for shoot in shoots:
        spec = shoot.get("spec") or {}
        profile_name = str((spec.get("cloudProfile") or {}).get("name") or spec.get("cloudProfileName") or "")
        if profile_name not in profiles:
            try:
                raw = await gateway.get(user, gateway.kind("cloudprofiles"), "", profile_name)
                profiles[profile_name] = CloudProfile.model_validate(raw).spec
            except (errors.ApiError, ValidationError):
                profiles[profile_name] = None
        profile = profiles[profile_name]
        if profile is None:
            continue
        try:
            usage = quotas.shoot_usage(Shoot.model_validate(shoot), profile)
        except ValidationError:
            continue
        for metric, amount in usage.items():
            total[metric] += amount
    return total


def _show(metric: str, amount: Decimal) -> str:
    if metric == "memory" or metric.startswith("storage."):
        return f"{(amount / _GI).normalize():f}Gi"
    return f"{amount.normalize():f}"
