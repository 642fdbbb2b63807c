"""Impersonation on the real HTTPS garden, through raw HTTP and kubectl ``--as``: operators may act as anyone and
are then authorized as that identity (the audit log names both); members may not, and get Kubernetes' 403.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.kubectl import Kubectl
from tests.support.tenants import Tenants, two_tenants

PROJECTS = "/apis/core.gardener.cloud/v1beta1/projects"
SECRETS_A = "/api/v1/namespaces/garden-a/secrets"
SECRETS_B = "/api/v1/namespaces/garden-b/secrets"
WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture(scope="module")
def tenants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenants]:
    directory = tmp_path_factory.mktemp("impersonation")
    with two_tenants(f"sqlite:///{directory / 'garden.db'}", directory) as running:
        yield running


def as_user(name: str, *groups: str) -> list[tuple[str, str]]:
    return [("Impersonate-User", name), *(("Impersonate-Group", g) for g in groups)]


def names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["metadata"]["name"] for item in response.json()["items"]]


def test_operator_acting_as_a_member_sees_what_the_member_sees(tenants: Tenants) -> None:
    operator = tenants.operator
    assert names(operator.get(PROJECTS)) == ["a", "b", "local"]
    assert names(operator.get(PROJECTS, headers=as_user("anna"))) == ["a"]
    denied = operator.get(SECRETS_B, headers=as_user("anna"))
    assert denied.status_code == 403
    assert 'User "anna" cannot list resource "secrets"' in denied.json()["message"]
    # Groups come from the headers alone: the operator's own group is dropped, the one asked for is used.
    assert names(operator.get(SECRETS_B, headers=as_user("nobody", "hortus:operators"))) == ["creds"]


def test_whoami_names_the_impersonated_identity(tenants: Tenants) -> None:
    headers = [*as_user("anna", "team-x"), ("Impersonate-Uid", "u-1"), ("Impersonate-Extra-Reason%2fwhy", "ticket 42"),
               ("Impersonate-Extra-Scopes", "view"), ("Impersonate-Extra-Scopes", "edit all")]
    review = tenants.operator.post(WHOAMI, json={"apiVersion": "authentication.k8s.io/v1",
                                                 "kind": "SelfSubjectReview"}, headers=headers)
    assert review.status_code == 201, review.text
    assert review.json()["status"]["userInfo"] == {
        "username": "anna", "groups": ["team-x", "system:authenticated"], "uid": "u-1",
        "extra": {"reason/why": ["ticket 42"], "scopes": ["view", "edit all"]}}


def test_impersonated_writes_are_audited_naming_both(tenants: Tenants) -> None:
    patched = tenants.operator.patch(f"{SECRETS_A}/creds", json={"metadata": {"labels": {"by": "operator"}}},
                                     headers=[*as_user("anna"), ("Content-Type", "application/merge-patch+json")])
    assert patched.status_code == 200, patched.text
    events = tenants.operator.get("/audit/v1/events", params={"impersonatedUser": "anna", "verb": "patch"})
    assert events.status_code == 200, events.text
    found = [e for e in events.json()["items"] if e["name"] == "creds" and e["namespace"] == "garden-a"]
    assert found and found[0]["user"] == "hortus:operator" and found[0]["impersonated_user"] == "anna"
    assert found[0]["code"] == 200


def test_a_member_may_not_impersonate(tenants: Tenants) -> None:
    anna = tenants("anna")
    for headers, message, details in [
        (as_user("bob"), 'users "bob" is forbidden: User "anna" cannot impersonate resource "users" in API group "" '
                         "at the cluster scope", {"name": "bob", "kind": "users"}),
        (as_user("system:serviceaccount:garden-a:robot"),
         'serviceaccounts "robot" is forbidden: User "anna" cannot impersonate resource "serviceaccounts" in API '
         'group "" in the namespace "garden-a"', {"name": "robot", "kind": "serviceaccounts"}),
    ]:
        response = anna.get(SECRETS_B, headers=headers)
        assert response.status_code == 403
        body = response.json()
        assert body["reason"] == "Forbidden" and body["message"].startswith(message)
        assert body["details"] == details
    # Impersonating oneself is impersonating too: still refused, never ignored — and nothing is written.
    assert anna.get(SECRETS_A, headers=as_user("anna", "hortus:operators")).status_code == 403
    before = tenants.operator.get(f"{SECRETS_B}/creds").json()["metadata"]
    write = anna.patch(f"{SECRETS_B}/creds", json={"metadata": {"labels": {"owned": "by-anna"}}},
                       headers=[*as_user("bob"), ("Content-Type", "application/merge-patch+json")])
    assert write.status_code == 403
    after = tenants.operator.get(f"{SECRETS_B}/creds").json()["metadata"]
    assert after.get("labels") == before.get("labels") and after["resourceVersion"] == before["resourceVersion"]
    assert names(anna.get(SECRETS_A)) == ["creds"]
    refused = tenants.operator.get(PROJECTS, headers=[("Impersonate-Group", "hortus:operators")])
    assert refused.status_code == 400
    assert "without impersonating a user" in refused.json()["message"]


def test_kubectl_as_for_operators_and_members(tenants: Tenants, tmp_path: Path) -> None:
    operator = Kubectl(tenants.garden.server.kubeconfig, tmp_path / "operator")
    listed = operator("get", "projects", "--as=anna", "-o", "name")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["project.core.gardener.cloud/a"]
    whoami = operator("auth", "whoami", "--as=anna", "--as-group=team-x", "--as-group=team y", "-o", "json")
    assert whoami.returncode == 0, whoami.stderr
    assert json.loads(whoami.stdout)["status"]["userInfo"] == {
        "username": "anna", "groups": ["team-x", "team y", "system:authenticated"]}
    anna = Kubectl(tenants.kubeconfigs["anna"], tmp_path / "anna")
    assert anna("get", "secrets", "-n", "garden-a", "-o", "name").returncode == 0  # a warm discovery cache
    refused = anna("get", "secrets", "-n", "garden-b", "--as=bob")
    assert refused.returncode == 1
    assert "Error from server (Forbidden)" in refused.stderr
    assert 'User "anna" cannot impersonate resource "users"' in refused.stderr
