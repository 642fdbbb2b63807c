"""Admin and viewer kubeconfigs from the garden's ``shoots/adminkubeconfig`` used by real kubectl against the
local seed's per-shoot API: the client certificate is accepted by its own shoot only, while valid, and viewers
only read. The shoot's PKI and kube-apiserver Deployment are set up as the seed agent's flow does it, with the
same pure functions (``shoot.pki``, ``shoot.controlplane``)."""

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

from apiserver.context import system_context
from apiserver.server import ApiServer
from garden import bootstrap
from seed.local.shoots import endpoints
from shoot.controlplane import apiserver
from shoot.controlplane.spec import ControlPlane
from shoot.pki import access, catalog, kubeconfig, plan
from tests.e2e.kubectl import Kubectl
from tests.seed.local.shoots.test_endpoints import eventually, kind
from tests.support import shoot_pki
from tests.support.garden import Garden, running_garden
from tests.support.servers import RunningServer

JSON = dict[str, Any]
Seed = tuple[RunningServer, ApiServer]
NAMESPACE = "shoot--local--local"
SHOOT = Path(__file__).resolve().parents[3] / "data" / "gardener-examples" / "provider-local" / "shoot.yaml"
SHOOTS = "/apis/core.gardener.cloud/v1beta1/namespaces/garden-local/shoots"
pytestmark = pytest.mark.kubectl
# What kubectl says for a 401.
UNAUTHORIZED = "You must be logged in to the server"


def control_plane(api: ApiServer, namespace: str) -> plan.Plan:
    """What the flow's namespace, secrets and kube-apiserver steps leave on the seed."""
    api.service.create(kind(api, "", "namespaces"), "", {"metadata": {"name": namespace}}, system_context())
    made = shoot_pki.make(namespace)
    for secret in made.writes:
        api.service.create(kind(api, "", "secrets"), namespace, plan.manifest(secret, namespace=namespace),
                           system_context())
    cp = ControlPlane(namespace=namespace, version="1.33.4", api_hostname=f"api.{namespace}.local",
                      health_check_token=plan.health_check_token(made.secrets),
                      secret_checksums=plan.checksums(made.secrets))
    deployment = apiserver.deployment(cp)
    deployment["spec"]["replicas"] = 1
    api.service.create(kind(api, "apps", "deployments"), namespace, deployment, system_context())
    return made


@pytest.fixture
def garden(tmp_path: Path) -> Iterator[Garden]:
    with running_garden(f"sqlite:///{tmp_path / 'garden.db'}", tmp_path / "garden") as running:
        service = running.api.service
        bootstrap.ensure_local(service)
        projects = service.registry.get("core.gardener.cloud", "v1beta1", "projects")
        assert projects is not None
        project = service.get(projects, "", "local")
        rbac = "rbac.authorization.k8s.io"
        project["spec"]["members"] = [{"apiGroup": rbac, "kind": "User", "name": "alice", "role": "admin"},
                                      {"apiGroup": rbac, "kind": "User", "name": "vera", "role": "viewer"}]
        service.update(projects, "", "local", project, system_context())
        yield running


def _served(seed: Seed, namespace: str) -> None:
    eventually(lambda: namespace in endpoints.manager_of(seed[1]).served, timeout=60, what=f"the API of {namespace}")


def _publish(garden: Garden, seed: Seed, made: plan.Plan) -> None:
    shoots = garden.api.registry.get("core.gardener.cloud", "v1beta1", "shoots")
    assert shoots is not None
    shoot = garden.api.service.create(shoots, "garden-local", yaml.safe_load(SHOOT.read_text()), system_context())
    url = f"{seed[0].url}{endpoints.endpoint_path(NAMESPACE)}"
    shoot_pki.publish(garden.api, shoot, made, url=url, extra_ca=(seed[0].ca_file.read_bytes(),))


def _kubeconfig(garden: Garden, user: str, subresource: str, tmp_path: Path) -> Kubectl:
    """``kubectl create --raw .../<subresource>`` as ``user``; kubectl bound to the kubeconfig it returns."""
    request = tmp_path / f"{user}-request.json"
    kind = "AdminKubeconfigRequest" if subresource == "adminkubeconfig" else "ViewerKubeconfigRequest"
    request.write_text(json.dumps({"apiVersion": access.API_VERSION, "kind": kind,
                                   "spec": {"expirationSeconds": 600}}))
    garden_kubectl = Kubectl(kubeconfig=garden.user_kubeconfig(user), workdir=tmp_path / f"garden-{user}")
    done = garden_kubectl("create", "--raw", f"{SHOOTS}/local/{subresource}", "-f", str(request))
    assert done.returncode == 0, done.stderr
    path = tmp_path / f"{user}-shoot.kubeconfig"
    path.write_bytes(base64.b64decode(json.loads(done.stdout)["status"]["kubeconfig"]))
    return Kubectl(kubeconfig=path, workdir=tmp_path / f"shoot-{user}")


def test_an_admin_kubeconfig_from_the_garden_works_with_kubectl(seed: Seed, garden: Garden, tmp_path: Path) -> None:
    made = control_plane(seed[1], NAMESPACE)
    _served(seed, NAMESPACE)
    _publish(garden, seed, made)
    admin = _kubeconfig(garden, "alice", "adminkubeconfig", tmp_path)
    listed = admin("get", "ns", "-o", "name")
    assert listed.returncode == 0, listed.stderr
    assert {"namespace/default", "namespace/kube-system"} <= set(listed.stdout.split())
    assert admin("create", "namespace", "team").returncode == 0
    whoami = admin("auth", "whoami", "-o", "json")
    assert whoami.returncode == 0, whoami.stderr
    user = json.loads(whoami.stdout)["status"]["userInfo"]
    assert user["username"] == "gardener.cloud:admin:alice"
    assert "gardener.cloud:project:admins" in user["groups"]


def test_viewers_read_everything_but_secrets(seed: Seed, garden: Garden, tmp_path: Path) -> None:
    made = control_plane(seed[1], NAMESPACE)
    _served(seed, NAMESPACE)
    _publish(garden, seed, made)
    viewer = _kubeconfig(garden, "vera", "viewerkubeconfig", tmp_path)
    assert viewer("get", "ns").returncode == 0
    assert viewer("get", "configmaps", "-A").returncode == 0
    secrets = viewer("get", "secrets", "-A")
    assert secrets.returncode != 0 and "Forbidden" in secrets.stderr
    created = viewer("create", "namespace", "nope")
    assert created.returncode != 0 and "Forbidden" in created.stderr


def _own_kubeconfig(seed: Seed, made: plan.Plan, tmp_path: Path, *, namespace: str = NAMESPACE,
                    now: dt.datetime | None = None, name: str = "own") -> Kubectl:
    """A kubeconfig signed by ``made``'s client CA for the shoot API of ``namespace`` (as the garden issues it)."""
    ca_bundle = seed[0].ca_file.read_bytes()
    endpoint = kubeconfig.Endpoint(name="shoot", server=f"{seed[0].url}{endpoints.endpoint_path(namespace)}",
                                   ca_pem=ca_bundle)
    issued = access.issue(plan.ca_pair(made.secrets["ca-client"]), access="admin", user="eve", operator=False,
                          endpoints=[endpoint], seconds=600, now=now or dt.datetime.now(dt.UTC))
    path = tmp_path / f"{name}.kubeconfig"
    path.write_bytes(issued.kubeconfig)
    return Kubectl(kubeconfig=path, workdir=tmp_path / f"kubectl-{name}")


def test_expired_certificates_are_unauthorized(seed: Seed, tmp_path: Path) -> None:
    made = control_plane(seed[1], NAMESPACE)
    _served(seed, NAMESPACE)
    assert _own_kubeconfig(seed, made, tmp_path)("get", "ns").returncode == 0
    expired = _own_kubeconfig(seed, made, tmp_path, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                              name="expired")("get", "ns")
    assert expired.returncode != 0 and UNAUTHORIZED in expired.stderr


def test_a_certificate_of_another_shoots_ca_is_unauthorized(seed: Seed, tmp_path: Path) -> None:
    made = control_plane(seed[1], NAMESPACE)
    other = control_plane(seed[1], "shoot--local--other")
    _served(seed, NAMESPACE)
    _served(seed, "shoot--local--other")
    assert _own_kubeconfig(seed, other, tmp_path, namespace="shoot--local--other", name="other")("get", "ns") \
        .returncode == 0
    foreign = _own_kubeconfig(seed, other, tmp_path, name="foreign")("get", "ns")
    assert foreign.returncode != 0 and UNAUTHORIZED in foreign.stderr
    assert _own_kubeconfig(seed, made, tmp_path)("get", "ns").returncode == 0


def test_a_certificate_of_an_unknown_ca_fails_the_handshake_and_tokens_still_work(seed: Seed,
                                                                                 tmp_path: Path) -> None:
    control_plane(seed[1], NAMESPACE)
    _served(seed, NAMESPACE)
    stranger = shoot_pki.make("shoot--elsewhere--x").secrets["etcd-client"]  # a client cert of a CA never served
    (tmp_path / "stranger.crt").write_bytes(stranger["tls.crt"])
    (tmp_path / "stranger.key").write_bytes(stranger["tls.key"])
    context = ssl.create_default_context(cafile=str(seed[0].ca_file))
    context.load_cert_chain(tmp_path / "stranger.crt", tmp_path / "stranger.key")
    with httpx.Client(verify=context) as client, pytest.raises(httpx.TransportError):
        client.get(f"{seed[0].url}{endpoints.endpoint_path(NAMESPACE)}/api/v1/namespaces")
    token = tmp_path / "token.kubeconfig"
    token.write_text(yaml.safe_dump(endpoints.shoot_kubeconfig(seed[1], NAMESPACE, seed_url=seed[0].url,
                                                               ca_pem=seed[0].ca_file.read_bytes())))
    assert Kubectl(kubeconfig=token, workdir=tmp_path / "kubectl-token")("get", "ns").returncode == 0


def test_a_renewed_client_ca_is_trusted_and_the_old_one_no_longer(seed: Seed, tmp_path: Path) -> None:
    made = control_plane(seed[1], NAMESPACE)
    _served(seed, NAMESPACE)
    old = _own_kubeconfig(seed, made, tmp_path, name="old")
    assert old("get", "ns").returncode == 0
    renewed = plan.plan(catalog.Cluster(namespace=NAMESPACE, service_cidrs=("10.4.0.0/16",)),
                        {k: v for k, v in made.secrets.items() if k != "ca-client"}, now=dt.datetime.now(dt.UTC))
    secrets = kind(seed[1], "", "secrets")
    for secret in renewed.writes:  # what the flow's secrets step writes after the CA's renewal
        manifest = plan.manifest(secret, namespace=NAMESPACE)
        current = seed[1].service.get(secrets, NAMESPACE, secret.name)
        manifest["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        seed[1].service.update(secrets, NAMESPACE, secret.name, manifest, system_context())
    new = _own_kubeconfig(seed, renewed, tmp_path, name="new")
    eventually(lambda: new("get", "ns").returncode == 0, timeout=30, what="the renewed CA's certificate accepted")
    eventually(lambda: UNAUTHORIZED in old("get", "ns").stderr, timeout=30, what="the old CA's certificate refused")
