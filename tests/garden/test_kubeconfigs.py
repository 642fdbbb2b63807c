"""``shoots/adminkubeconfig`` and ``shoots/viewerkubeconfig`` over the real garden API, through kubectl and httpx:
who may ask, what the certificate says, Gardener's expiration bounds, and the shoot's client CA kept from members."""

from __future__ import annotations

import base64
import datetime as dt
import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cryptography import x509

from apiserver.context import system_context
from garden import bootstrap
from shoot.pki import access, certs
from tests.e2e.kubectl import Kubectl
from tests.support import fleet, shoot_pki
from tests.support.garden import Garden, running_garden

JSON = dict[str, Any]
SHOOT = Path(__file__).resolve().parents[1] / "data" / "gardener-examples" / "provider-local" / "shoot.yaml"
SHOOTS = "/apis/core.gardener.cloud/v1beta1/namespaces/garden-local/shoots"
URL = "https://api.local.local.example.com"
pytestmark = pytest.mark.kubectl


@pytest.fixture(scope="module")
def garden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Garden]:
    directory = tmp_path_factory.mktemp("garden")
    with running_garden(f"sqlite:///{directory / 'garden.db'}", directory) as running:
        service = running.api.service
        bootstrap.ensure_local(service)
        bootstrap.ensure(service, bootstrap.SEED)
        projects = service.registry.get("core.gardener.cloud", "v1beta1", "projects")
        assert projects is not None
        project = service.get(projects, "", "local")
        project["spec"]["members"] = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice",
                                       "role": "admin"},
                                      {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "vera",
                                       "role": "viewer"}]
        service.update(projects, "", "local", project, system_context())
        shoots = service.registry.get("core.gardener.cloud", "v1beta1", "shoots")
        assert shoots is not None
        for name in ("local", "young"):
            manifest = yaml.safe_load(SHOOT.read_text())
            manifest["metadata"]["name"] = name
            created = service.create(shoots, "garden-local", manifest, system_context())
        local = service.get(shoots, "garden-local", "local")
        shoot_pki.publish(running.api, local, shoot_pki.make("shoot--local--local"), url=URL)
        shoot_pki.advertise(running.api, created, url="https://api.young.example.com")
        yield running


def _kubectl(garden: Garden, user: str | None, tmp_path: Path) -> Kubectl:
    config = garden.server.kubeconfig if user is None else garden.user_kubeconfig(user)
    return Kubectl(kubeconfig=config, workdir=tmp_path / (user or "operator"))


def _request(tmp_path: Path, seconds: int | None = None, kind: str = "AdminKubeconfigRequest") -> Path:
    body: JSON = {"apiVersion": "authentication.gardener.cloud/v1alpha1", "kind": kind}
    if seconds is not None:
        body["spec"] = {"expirationSeconds": seconds}
    path = tmp_path / f"{kind}-{seconds}.json"
    path.write_text(json.dumps(body))
    return path


def _certificate(response: JSON) -> tuple[JSON, x509.Certificate]:
    config = yaml.safe_load(base64.b64decode(response["status"]["kubeconfig"]))
    user = config["users"][0]["user"]
    return config, x509.load_pem_x509_certificate(base64.b64decode(user["client-certificate-data"]))


def test_a_project_admin_gets_an_admin_kubeconfig_through_kubectl(garden: Garden, tmp_path: Path) -> None:
    kubectl = _kubectl(garden, "alice", tmp_path)
    done = kubectl("create", "--raw", f"{SHOOTS}/local/adminkubeconfig", "-f", str(_request(tmp_path, 900)))
    assert done.returncode == 0, done.stderr
    response = json.loads(done.stdout)
    assert response["kind"] == "AdminKubeconfigRequest" and response["spec"] == {"expirationSeconds": 900}
    config, cert = _certificate(response)
    assert certs.common_name(cert) == "gardener.cloud:admin:alice"
    assert certs.organizations(cert) == ("gardener.cloud:project:admins",)
    expires = dt.datetime.fromisoformat(response["status"]["expirationTimestamp"].replace("Z", "+00:00"))
    assert expires == cert.not_valid_after_utc.replace(microsecond=0)
    assert dt.timedelta(seconds=800) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=900)
    assert config["clusters"][0] == {"name": "garden-local--local-external", "cluster": {
        "server": URL, "certificate-authority-data": config["clusters"][0]["cluster"]["certificate-authority-data"]}}
    secrets = garden.api.registry.get("", "v1", "secrets")
    assert secrets is not None
    client_ca = garden.api.service.get(secrets, "garden-local", "local.ca-client")
    assert certs.signed_by(cert, x509.load_pem_x509_certificate(base64.b64decode(client_ca["data"]["ca.crt"])))


def test_viewers_get_only_viewer_kubeconfigs(garden: Garden, tmp_path: Path) -> None:
    kubectl = _kubectl(garden, "vera", tmp_path)
    refused = kubectl("create", "--raw", f"{SHOOTS}/local/adminkubeconfig", "-f", str(_request(tmp_path)))
    assert refused.returncode != 0 and "Forbidden" in refused.stderr
    request = _request(tmp_path, kind="ViewerKubeconfigRequest")
    done = kubectl("create", "--raw", f"{SHOOTS}/local/viewerkubeconfig", "-f", str(request))
    assert done.returncode == 0, done.stderr
    _, cert = _certificate(json.loads(done.stdout))
    assert (certs.common_name(cert), certs.organizations(cert)) == ("gardener.cloud:viewer:vera",
                                                                    ("gardener.cloud:project:viewers",))
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(seconds=3600 + 60)


def test_non_members_are_refused_whether_or_not_the_shoot_exists(garden: Garden, tmp_path: Path) -> None:
    kubectl = _kubectl(garden, "mallory", tmp_path)
    for shoot in ("local", "no-such-shoot"):
        for sub, kind in (("adminkubeconfig", "AdminKubeconfigRequest"),
                          ("viewerkubeconfig", "ViewerKubeconfigRequest")):
            done = kubectl("create", "--raw", f"{SHOOTS}/{shoot}/{sub}", "-f", str(_request(tmp_path, kind=kind)))
            assert done.returncode != 0 and "Forbidden" in done.stderr and "not a member" in done.stderr


def test_operators_get_the_system_admins_group(garden: Garden, tmp_path: Path) -> None:
    done = _kubectl(garden, None, tmp_path)("create", "--raw", f"{SHOOTS}/local/adminkubeconfig", "-f",
                                            str(_request(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert certs.organizations(_certificate(json.loads(done.stdout))[1]) == ("gardener.cloud:system:admins",)


def _client(garden: Garden, token: str) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(garden.directory / "test-ca.crt"))
    return httpx.Client(base_url=garden.server.url, verify=context,
                        headers={"Authorization": f"Bearer {token}"})


def _token(garden: Garden, user: str) -> str:
    return str(yaml.safe_load(garden.user_kubeconfig(user).read_text())["users"][0]["user"]["token"])


@pytest.mark.parametrize(("spec", "message"), [({"expirationSeconds": 599}, "less than 10 minutes"),
                                               ({"expirationSeconds": 2**32}, "larger than 2^32 seconds"),
                                               ({"expirationSeconds": "1h"}, "must be an integer")])
def test_expirations_outside_gardeners_bounds_are_invalid(garden: Garden, spec: JSON, message: str) -> None:
    with _client(garden, _token(garden, "alice")) as client:
        response = client.post(f"{SHOOTS}/local/adminkubeconfig", json={"spec": spec})
    assert response.status_code == 422, response.text
    status = response.json()
    assert status["kind"] == "Status" and status["reason"] == "Invalid"
    assert status["details"]["causes"][0]["field"] == "spec.expirationSeconds"
    assert message in status["details"]["causes"][0]["message"]


def test_longer_expirations_are_capped_at_a_day(garden: Garden) -> None:
    with _client(garden, _token(garden, "alice")) as client:
        response = client.post(f"{SHOOTS}/local/adminkubeconfig", json={"spec": {"expirationSeconds": 10**6}})
    assert response.status_code == 201 and response.json()["spec"]["expirationSeconds"] == 86400


def test_a_shoot_without_a_client_ca_yet_gets_a_clear_bad_request(garden: Garden) -> None:
    with _client(garden, _token(garden, "alice")) as client:
        response = client.post(f"{SHOOTS}/young/adminkubeconfig", json={})
        wrong = client.post(f"{SHOOTS}/local/adminkubeconfig", json={"kind": "Shoot", "apiVersion": "v1"})
        assert client.get(f"{SHOOTS}/local/adminkubeconfig").status_code == 403  # create only, as in Gardener
    with _client(garden, garden.server.token) as operator:
        read = operator.get(f"{SHOOTS}/local/adminkubeconfig")
    assert response.status_code == 400 and "has no client CA yet" in response.json()["message"]
    assert wrong.status_code == 400 and "AdminKubeconfigRequest" in wrong.json()["message"]
    assert read.status_code == 405, read.text


def test_the_client_ca_is_kept_from_project_members(garden: Garden) -> None:
    secrets = "/api/v1/namespaces/garden-local/secrets"
    with _client(garden, _token(garden, "alice")) as client:
        assert client.get(f"{secrets}/local.ca-client").status_code == 403
        names = [s["metadata"]["name"] for s in client.get(secrets).json()["items"]]
        assert "local.ca-client" not in names and "local" in names
        forged = {"metadata": {"name": "young.ca-client"}, "data": {"ca.crt": "eA==", "ca.key": "eA=="}}
        assert client.post(secrets, json=forged).status_code == 403
        assert client.delete(f"{secrets}/local.ca-client").status_code == 403


def test_only_the_shoots_seed_may_publish_its_client_ca(garden: Garden) -> None:
    secrets = "/api/v1/namespaces/garden-local/secrets"
    shoots = garden.api.registry.get("core.gardener.cloud", "v1beta1", "shoots")
    assert shoots is not None
    young = garden.api.service.get(shoots, "garden-local", "young")
    garden.api.service.patch(shoots, "garden-local", "young", json.dumps({"spec": {"seedName": "local"}}).encode(),
                             "application/merge-patch+json", system_context(), subresource="binding")
    body = access.client_ca_secret(young, shoot_pki.make("shoot--local--young").secrets)
    with _client(garden, fleet.seed_token(garden.api, "other")) as other:
        assert other.post(secrets, json=body).status_code == 403
    with _client(garden, fleet.seed_token(garden.api, "local")) as seed:
        created = seed.post(secrets, json=body)
        assert created.status_code == 201, created.text
        assert seed.get(f"{secrets}/young.ca-client").status_code == 200
        assert seed.get(secrets).status_code == 403  # the seed's usual rules hold for everything else
        sneaky = seed.post(secrets, json={"metadata": {"name": "sneaky"}, "stringData": {"a": "b"}})
        assert sneaky.status_code == 403 and "client CA" in sneaky.json()["message"]
        assert seed.delete(f"{secrets}/young.ca-client").status_code == 200


def test_discovery_names_the_request_kinds_of_the_subresources(garden: Garden, tmp_path: Path) -> None:
    with _client(garden, garden.server.token) as operator:
        resources = operator.get("/apis/core.gardener.cloud/v1beta1").json()["resources"]
    found = {r["name"]: r for r in resources if r["name"].endswith("kubeconfig")}
    assert found["shoots/adminkubeconfig"] | {"namespaced": True} == {
        "name": "shoots/adminkubeconfig", "singularName": "", "namespaced": True,
        "group": "authentication.gardener.cloud", "version": "v1alpha1", "kind": "AdminKubeconfigRequest",
        "verbs": ["create"]}
    assert found["shoots/viewerkubeconfig"]["kind"] == "ViewerKubeconfigRequest"
    listed = _kubectl(garden, None, tmp_path)("get", "shoots", "-n", "garden-local", "-o", "name")
    assert listed.returncode == 0 and "shoot.core.gardener.cloud/local" in listed.stdout, listed.stderr
