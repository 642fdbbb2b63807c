"""Impersonation on the machinery's own authorizer (the local seed's): the ``system:masters`` admin may act as
anyone, any other identity gets a 403 — headers are never ignored. Parsing follows what kubectl sends.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apiserver import impersonation, reviews
from apiserver.auth import TokenAuthenticator
from apiserver.context import UserInfo
from apiserver.server import ApiServer, build_app
from tests.conftest import make_registry, make_store
from tests.e2e.kubectl import Kubectl
from tests.support import servers

WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
REVIEW = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}


@pytest.fixture
def seedlike(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[servers.RunningServer, httpx.Client, httpx.Client]]:
    registry = make_registry()
    admin, robot = servers.new_token(), servers.new_token()
    authenticator = TokenAuthenticator.from_tokens({
        admin: UserInfo(name="admin", groups=("system:masters", "system:authenticated")),
        robot: UserInfo(name="system:serviceaccount:default:robot", groups=("system:serviceaccounts",
                                                                             "system:authenticated"))})
    api = ApiServer(registry=registry, store=make_store(sqlite_url, registry), authenticator=authenticator)
    reviews.install(api)
    with servers.serve(build_app(api), tmp_path, token=admin) as server:
        context = ssl.create_default_context(cafile=str(server.ca_file))
        clients = [httpx.Client(base_url=server.url, verify=context, headers={"Authorization": f"Bearer {t}"})
                   for t in (admin, robot)]
        yield server, clients[0], clients[1]
        for client in clients:
            client.close()
    api.store.engine.dispose()


def test_headers_are_parsed_as_kubectl_sends_them() -> None:
    asked = impersonation.requested([("impersonate-user", "bob"), ("impersonate-group", "g1"),
                                     ("impersonate-group", "g 2"), ("impersonate-extra-reason%2fwhy", "ticket 42"),
                                     ("Impersonate-Uid", "u-123"), ("accept", "application/json")])
    assert asked == impersonation.Requested(user="bob", groups=("g1", "g 2"), uid="u-123",
                                            extra={"reason/why": ("ticket 42",)})
    assert impersonation.requested([("impersonate-user", "")]).empty


def test_admin_impersonates_and_a_service_account_gets_its_groups(seedlike: tuple[
        servers.RunningServer, httpx.Client, httpx.Client]) -> None:
    _, admin, _ = seedlike
    review = admin.post(WHOAMI, json=REVIEW, headers={"Impersonate-User": "system:serviceaccount:kube-system:x"})
    assert review.status_code == 201, review.text
    assert review.json()["status"]["userInfo"] == {
        "username": "system:serviceaccount:kube-system:x",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]}
    anonymous = admin.post(WHOAMI, json=REVIEW, headers={"Impersonate-User": "system:anonymous"})
    assert anonymous.json()["status"]["userInfo"]["groups"] == ["system:unauthenticated"]


def test_others_may_not_impersonate(seedlike: tuple[servers.RunningServer, httpx.Client, httpx.Client]) -> None:
    _, _, robot = seedlike
    for path in ("/api/v1/namespaces", "/apis", WHOAMI):
        response = robot.get(path, headers={"Impersonate-User": "admin"})
        assert response.status_code == 403, path
        assert response.json()["message"] == (
            'users "admin" is forbidden: User "system:serviceaccount:default:robot" cannot impersonate resource '
            '"users" in API group "" at the cluster scope: only members of system:masters may impersonate')


def test_kubectl_as_against_the_machinery(seedlike: tuple[servers.RunningServer, httpx.Client, httpx.Client],
                                          tmp_path: Path) -> None:
    server, _, _ = seedlike
    kubectl = Kubectl(server.kubeconfig, tmp_path)
    result = kubectl("auth", "whoami", "--as=anna", "--as-group=devs")
    assert result.returncode == 0, result.stderr
    assert "anna" in result.stdout and "devs" in result.stdout
