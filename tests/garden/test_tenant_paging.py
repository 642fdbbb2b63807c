"""Paging across tenants on the real HTTPS garden: a member paging a list across all namespaces with ``limit=1``
sees only their project's objects, and the continue tokens name nothing of another tenant — through raw HTTP,
kubectl ``--chunk-size`` and the Python client, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import kubernetes
import pytest

from tests.e2e.kubectl import Kubectl
from tests.support import databases
from tests.support.tenants import Tenants, secret, two_tenants

SECRETS = "/api/v1/secrets"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tenants(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenants]:
    directory = tmp_path_factory.mktemp("paging")
    with databases.database(request.param, directory) as url, two_tenants(url, directory) as running:
        for i in range(3):
            running.ensure(secret("garden-a", f"anna-{i}"))
            running.ensure(secret("garden-b", f"bobs-private-{i}"))
        yield running


def test_raw_paging_shows_own_objects_and_tokens_reveal_nothing(tenants: Tenants) -> None:
    anna = tenants("anna")
    names, token = [], None
    while True:
        page = anna.get(SECRETS, params={"limit": "1", **({"continue": token} if token else {})})
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) == 1
        names += [f'{i["metadata"]["namespace"]}/{i["metadata"]["name"]}' for i in page.json()["items"]]
        token = page.json()["metadata"].get("continue")
        if token is None:
            break
        decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        for hidden in (b"garden-b", b"bobs-private", b"garden-local"):
            assert hidden not in decoded and hidden.decode() not in token
    assert names == ["garden-a/anna-0", "garden-a/anna-1", "garden-a/anna-2", "garden-a/creds"]


def test_bobs_token_is_refused_to_anna(tenants: Tenants) -> None:
    token = tenants("bob").get(SECRETS, params={"limit": "1"}).json()["metadata"]["continue"]
    response = tenants("anna").get(SECRETS, params={"limit": "1", "continue": token})
    assert response.status_code == 400
    assert response.json()["reason"] == "BadRequest"
    assert "invalid continue token" in response.json()["message"]


def test_kubectl_chunked_list_shows_every_own_object_once(tenants: Tenants, tmp_path: Path) -> None:
    kubectl = Kubectl(tenants.kubeconfigs["anna"], tmp_path)
    result = kubectl("get", "secrets", "-A", "--chunk-size=1", "-o", "name")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["secret/anna-0", "secret/anna-1", "secret/anna-2", "secret/creds"]
    table = kubectl("get", "secrets", "-A", "--chunk-size=1", "--no-headers")  # server-side Tables, page by page
    assert table.returncode == 0, table.stderr
    assert [line.split()[:2] for line in table.stdout.splitlines()] == [
        ["garden-a", "anna-0"], ["garden-a", "anna-1"], ["garden-a", "anna-2"], ["garden-a", "creds"]]


def test_python_client_pages_with_continue(tenants: Tenants) -> None:
    config = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(config_file=str(tenants.kubeconfigs["bob"]), client_configuration=config)
    with kubernetes.client.ApiClient(config) as client:
        core = kubernetes.client.CoreV1Api(client)
        names, token = [], None
        while True:
            page = core.list_secret_for_all_namespaces(limit=2, _continue=token)
            names += [s.metadata.name for s in page.items]
            token = page.metadata._continue
            if not token:
                break
    assert names == ["bobs-private-0", "bobs-private-1", "bobs-private-2", "creds"]
