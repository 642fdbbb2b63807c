"""Gardener's project roles on plain Project dicts: membership by User, Group and ServiceAccount subjects, and
what owner, admin, viewer, uam and serviceaccountmanager allow."""

from __future__ import annotations

from typing import Any

import pytest

from apiserver.context import UserInfo
from garden.auth import roles

SHOOTS, SECRETS, SAS = "core.gardener.cloud/shoots", "core/secrets", "core/serviceaccounts"
QUOTAS, EVENTS = "core.gardener.cloud/quotas", "core/events"


def _project(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "dev"}, "spec": {"namespace": "garden-dev", **spec}}


def test_members_are_matched_by_user_group_and_service_account() -> None:
    project = _project(owner={"kind": "User", "name": "olivia"}, members=[
        {"kind": "User", "name": "vera", "role": "viewer"},
        {"kind": "Group", "name": "team", "role": "admin", "roles": ["uam"]},
        {"kind": "ServiceAccount", "name": "robot", "role": "serviceaccountmanager"},
        {"kind": "ServiceAccount", "name": "ci", "namespace": "garden-ops", "role": "admin"},
    ])
    assert roles.member_roles(project, UserInfo("olivia")) == {"owner"}
    assert roles.member_roles(project, UserInfo("vera")) == {"viewer"}
    assert roles.member_roles(project, UserInfo("x", groups=("team",))) == {"admin", "uam"}
    assert roles.member_roles(project, UserInfo("system:serviceaccount:garden-dev:robot")) == {"serviceaccountmanager"}
    assert roles.member_roles(project, UserInfo("system:serviceaccount:garden-ops:ci")) == {"admin"}
    assert roles.member_roles(project, UserInfo("system:serviceaccount:garden-dev:ci")) == frozenset()
    assert roles.member_roles(project, UserInfo("team")) == frozenset()  # a user named like a group is not in it


@pytest.mark.parametrize(("held", "verb", "resource", "sub", "allowed"), [
    ({"admin"}, "create", SHOOTS, "", True),
    ({"admin"}, "delete", SECRETS, "", True),
    ({"admin"}, "update", QUOTAS, "", True),
    ({"admin"}, "create", SHOOTS, "adminkubeconfig", True),
    ({"admin"}, "update", SHOOTS, "status", False),
    ({"admin"}, "get", SHOOTS, "status", True),
    ({"admin"}, "create", SAS, "", False),
    ({"admin"}, "list", SAS, "", True),
    ({"admin"}, "create", EVENTS, "", False),
    ({"viewer"}, "get", SHOOTS, "", True),
    ({"viewer"}, "list", EVENTS, "", True),
    ({"viewer"}, "get", SECRETS, "", False),
    ({"viewer"}, "list", SECRETS, "", False),
    ({"viewer"}, "patch", SHOOTS, "", False),
    ({"viewer"}, "create", SHOOTS, "adminkubeconfig", False),
    ({"viewer"}, "create", SHOOTS, "viewerkubeconfig", True),
    ({"serviceaccountmanager"}, "create", SAS, "", True),
    ({"serviceaccountmanager"}, "create", SAS, "token", True),
    ({"serviceaccountmanager"}, "get", SHOOTS, "", False),
    ({"uam"}, "get", SHOOTS, "", False),
    ({"owner"}, "create", SAS, "", True),
    ({"owner"}, "delete", SHOOTS, "", True),
    ({"extension:foo"}, "get", SHOOTS, "", False),
])
def test_namespace_permissions_of_each_role(held: set[str], verb: str, resource: str, sub: str, allowed: bool) -> None:
    assert roles.allows(held, verb=verb, resource=resource, subresource=sub) is allowed


@pytest.mark.parametrize(("held", "verb", "allowed"), [
    ({"viewer"}, "get", True), ({"viewer"}, "patch", False), ({"viewer"}, "delete", False),
    ({"uam"}, "update", True), ({"uam"}, "delete", False),
    ({"admin"}, "update", True), ({"admin"}, "delete", True),
    ({"owner"}, "delete", True),
    ({"extension:foo"}, "get", True), ({"extension:foo"}, "update", False),
    (set(), "get", False),
])
def test_project_permissions_of_each_role(held: set[str], verb: str, allowed: bool) -> None:
    assert roles.project_allows(held, verb=verb) is allowed


def test_admins_manage_only_service_account_members_and_uam_manages_everyone() -> None:
    assert roles.may_change_member({"admin"}, member_kind="ServiceAccount")
    assert not roles.may_change_member({"admin"}, member_kind="User")
    assert roles.may_change_member({"uam"}, member_kind="Group")
    assert roles.may_change_member({"owner"}, member_kind="User")
    assert not roles.may_change_member({"viewer"}, member_kind="ServiceAccount")


def test_the_namespace_defaults_to_garden_dash_name() -> None:
    assert roles.namespace_of({"metadata": {"name": "dev"}, "spec": {}}) == "garden-dev"
    assert roles.namespace_of(_project()) == "garden-dev"
