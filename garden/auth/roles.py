"""Gardener's project roles: who is a member of a Project, and what each role allows.

Pure functions on Projects as plain dicts, used by ``garden.auth.authorizer`` (and by project admission for
``may_change_member``). Roles as in Gardener: owner (= admin + uam + serviceaccountmanager), admin (all
project resources, service accounts read-only), viewer (read all but secrets), uam (manage members),
serviceaccountmanager (manage service accounts), ``extension:<name>`` (membership only).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from apiserver.context import UserInfo
from garden.auth import identities

JSON = Mapping[str, Any]
OWNER, ADMIN, VIEWER, UAM, SERVICE_ACCOUNT_MANAGER = "owner", "admin", "viewer", "uam", "serviceaccountmanager"
READ = frozenset({"get", "list", "watch"})
WRITE = frozenset({"create", "update", "patch", "delete", "deletecollection"})
ALL = READ | WRITE

SHOOTS = "core.gardener.cloud/shoots"
SECRETS = "core/secrets"
SERVICE_ACCOUNTS = "core/serviceaccounts"
# What project admins fully manage in their namespace (Gardener's project-member ClusterRole).
_ADMIN_MANAGED = frozenset({
    SHOOTS, SECRETS, "core/configmaps", "core.gardener.cloud/secretbindings",
    "security.gardener.cloud/credentialsbindings", "core.gardener.cloud/quotas",
    "security.gardener.cloud/workloadidentities",
})
ANY = "*"


@dataclasses.dataclass(frozen=True)
class Rule:
    """``verbs`` on ``resources`` (keys like ``core/secrets``; ``*`` any but ``excluded``) and ``subresources``."""

    verbs: frozenset[str]
    resources: frozenset[str]
    subresources: frozenset[str] = frozenset({""})
    excluded: frozenset[str] = frozenset()

    def allows(self, verb: str, resource: str, subresource: str) -> bool:
        in_resources = resource in self.resources or (ANY in self.resources and resource not in self.excluded)
        return verb in self.verbs and in_resources and subresource in self.subresources


_ADMIN = (
    Rule(ALL, _ADMIN_MANAGED),
    Rule(frozenset({"create"}), frozenset({SHOOTS}), frozenset({"adminkubeconfig", "viewerkubeconfig"})),
    Rule(READ, frozenset({ANY}), frozenset({"", "status"})),
)
_VIEWER = (
    Rule(READ, frozenset({ANY}), frozenset({"", "status"}), excluded=frozenset({SECRETS})),
    Rule(frozenset({"create"}), frozenset({SHOOTS}), frozenset({"viewerkubeconfig"})),
)
_SERVICE_ACCOUNT_MANAGER = (
    Rule(ALL, frozenset({SERVICE_ACCOUNTS})),
    Rule(frozenset({"create"}), frozenset({SERVICE_ACCOUNTS}), frozenset({"token"})),
)
NAMESPACE_RULES: Mapping[str, tuple[Rule, ...]] = {
    OWNER: _ADMIN + _SERVICE_ACCOUNT_MANAGER,
    ADMIN: _ADMIN,
    VIEWER: _VIEWER,
    UAM: (),
    SERVICE_ACCOUNT_MANAGER: _SERVICE_ACCOUNT_MANAGER,
}
# Verbs on the Project object itself; any other role (extension:<name>) may only read it.
PROJECT_VERBS: Mapping[str, frozenset[str]] = {
    OWNER: frozenset({"get", "update", "patch", "delete"}),
    ADMIN: frozenset({"get", "update", "patch", "delete"}),
    UAM: frozenset({"get", "update", "patch"}),
}


def namespace_of(project: JSON) -> str:
    return str((project.get("spec") or {}).get("namespace") or f"garden-{project['metadata']['name']}")


def subject_matches(subject: JSON, user: UserInfo, *, project_namespace: str) -> bool:
    """Whether an RBAC subject (``kind`` User, Group or ServiceAccount) names ``user``."""
    kind, name = subject.get("kind", "User"), subject.get("name", "")
    if kind == "User":
        return bool(name) and name == user.name
    if kind == "Group":
        return bool(name) and name in user.groups
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or project_namespace
        return user.name == identities.service_account_user(namespace, name)
    return False


def member_roles(project: JSON, user: UserInfo) -> frozenset[str]:
    """The roles ``user`` holds in ``project`` (empty for a non-member); ``spec.owner`` is an owner."""
    spec = project.get("spec") or {}
    namespace = namespace_of(project)
    roles: set[str] = set()
    owner = spec.get("owner")
    if isinstance(owner, Mapping) and subject_matches(owner, user, project_namespace=namespace):
        roles.add(OWNER)
    for member in spec.get("members") or ():
        if isinstance(member, Mapping) and subject_matches(member, user, project_namespace=namespace):
            roles.update(r for r in [member.get("role"), *(member.get("roles") or ())] if r)
    return frozenset(roles)


def allows(roles: Iterable[str], *, verb: str, resource: str, subresource: str = "") -> bool:
    """Whether any of ``roles`` allows ``verb`` on ``resource``/``subresource`` in the project's namespace."""
    return any(rule.allows(verb, resource, subresource) for role in roles for rule in NAMESPACE_RULES.get(role, ()))


def project_allows(roles: Iterable[str], *, verb: str) -> bool:
    """Whether any of ``roles`` allows ``verb`` on the Project itself (every member may read it)."""
    held = set(roles)
    if not held:
        return False
    return verb == "get" or any(verb in PROJECT_VERBS.get(role, frozenset()) for role in held)


def may_change_member(roles: Iterable[str], *, member_kind: str) -> bool:
    """Whether a member holding ``roles`` may add or remove a member of ``member_kind`` (Gardener's
    ``manage-members``: owner and uam manage everyone, admins only service accounts). For admission."""
    held = set(roles)
    return bool(held & {OWNER, UAM}) or (ADMIN in held and member_kind == "ServiceAccount")
