"""Impersonation on the local seed cluster: its admin (``system:masters``) may act as anyone with ``kubectl --as``,
its service accounts may not — and the headers are never ignored."""

from __future__ import annotations

import json
import ssl

import httpx
import pytest

from apiserver.server import ApiServer
from tests.e2e.kubectl import Kubectl
from tests.support.servers import RunningServer


@pytest.mark.still
def test_admin_impersonates_and_a_service_account_is_refused(seed: tuple[RunningServer, ApiServer],
                                                             kubectl: Kubectl) -> None:
    server, _ = seed
    whoami = kubectl("auth", "whoami", "--as=system:serviceaccount:default:default", "-o", "json")
    assert whoami.returncode == 0, whoami.stderr
    assert json.loads(whoami.stdout)["status"]["userInfo"] == {
        "username": "system:serviceaccount:default:default",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"]}
    token = kubectl("create", "token", "default")
    assert token.returncode == 0, token.stderr
    with httpx.Client(base_url=server.url, verify=ssl.create_default_context(cafile=str(server.ca_file)),
                      headers={"Authorization": f"Bearer {token.stdout.strip()}"}) as account:
        assert account.get("/api/v1/namespaces").status_code == 200
        refused = account.get("/api/v1/namespaces", headers={"Impersonate-User": "hortus:seed-admin"})
    assert refused.status_code == 403
    assert refused.json()["message"].startswith(
        'users "hortus:seed-admin" is forbidden: User "system:serviceaccount:default:default" cannot impersonate '
        'resource "users" in API group ""')
