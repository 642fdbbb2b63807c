"""A garden with seeds and shoots, and seed clusters, for the scheduler, dispatcher and seed agent tests.

``garden_api`` builds the real garden app (admission, auth) on SQLite; ``seed_cluster`` serves Namespaces and
Leases on the shared API machinery (a stand-in for the local seed cluster); ``shoot_manifest`` is Gardener's
``provider-local/shoot.yaml`` adapted per provider and region.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import ipaddress
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from apiserver import kinds, tls
from apiserver.auth import TokenAuthenticator
from apiserver.context import UserInfo, system_context
from apiserver.registry import Registry, ResourceType
from apiserver.server import ApiServer, build_app
from apiserver.service import ResourceService
from garden import bootstrap
from garden import seeds as garden_seeds
from garden.app import create_app
from garden.auth import identities
from garden.settings import GardenSettings
from shoot import conditions
from tests.conftest import make_store
from tests.support import servers

JSON = dict[str, Any]
EXAMPLES = Path(__file__).parent.parent / "data" / "gardener-examples"
LEASE = ResourceType(group="coordination.k8s.io", version="v1", kind="Lease", plural="leases", namespaced=True)
REGIONS = ("eu-1", "us-1")


def garden_api(state_dir: Path) -> tuple[Any, ApiServer]:
    """The garden app and its ApiServer with the local project, and CloudProfiles ``local`` and ``aws``."""
    app, api = create_app(GardenSettings(state_dir=state_dir, port=0))
    bootstrap.ensure_local(api.service)
    for provider in ("local", "aws"):
        profile = copy.deepcopy(bootstrap.CLOUDPROFILE)
        profile["metadata"]["name"] = provider
        profile["spec"]["type"] = provider
        profile["spec"]["regions"] = [{"name": r, "zones": [{"name": f"{r}a"}, {"name": f"{r}b"}]} for r in REGIONS]
        if provider == "local":
            api.service.update(_rt(api.service, "cloudprofiles"), "", "local",
                               {**api.service.get(_rt(api.service, "cloudprofiles"), "", "local"),
                                "spec": profile["spec"]}, system_context())
        else:
            api.service.create(_rt(api.service, "cloudprofiles"), "", profile, system_context())
    projects = _rt(api.service, "projects")
    project = api.service.get(projects, "", "local")
    project["spec"]["tolerations"] = {"whitelist": [{"key": "dedicated", "value": "ml"}]}
    api.service.update(projects, "", "local", project, system_context())
    for kind in (bootstrap.CREDENTIALS_BINDING,):
        aws = copy.deepcopy(kind)
        aws["metadata"]["name"] = "aws"
        aws["provider"]["type"] = "aws"
        bootstrap.ensure(api.service, aws)
    return app, api


def operator_token(api: ApiServer) -> str:
    known = identities.for_engine(api.store.engine)
    known.create_user("olga", operator=True)
    return known.issue_token("olga").token


def seed_token(api: ApiServer, seed: str) -> str:
    known = identities.for_engine(api.store.engine)
    known.ensure_seed(seed)
    return known.issue_token(identities.seed_user(seed)).token


def _rt(service: ResourceService, plural: str) -> ResourceType:
    rt = service.registry.get("core.gardener.cloud", "v1beta1", plural)
    assert rt is not None
    return rt


def add_seed(service: ResourceService, name: str, *, provider: str, region: str, pods: str, services: str,
             capacity: int = 100, labels: dict[str, str] | None = None, taints: Sequence[dict[str, str]] = (),
             ready: bool = True, now: float = 0.0) -> JSON:
    manifest = garden_seeds.seed_manifest(name, provider=provider, region=region, zones=[f"{region}a", f"{region}b"],
                                          pods=pods, services=services, labels=labels, taints=taints)
    seed = garden_seeds.register(service, manifest, capacity=capacity)
    if ready:
        seed = set_ready(service, name, now=now)
    return seed


def set_ready(service: ResourceService, name: str, *, now: float, status: str = "True") -> JSON:
    rt = _rt(service, "seeds")
    seed = service.get(rt, "", name)
    seed.setdefault("status", {})["conditions"] = conditions.with_condition(
        seed["status"].get("conditions"), kind="GardenletReady", status=status, reason="Test", message="test",
        now=now)
    return service.update(rt, "", name, seed, system_context(), subresource="status")


def shoot_manifest(name: str, *, provider: str = "local", region: str = "eu-1", namespace: str = "garden-local",
                   nodes: str = "10.0.0.0/16", **spec: Any) -> JSON:
    shoot: JSON = yaml.safe_load((EXAMPLES / "provider-local" / "shoot.yaml").read_text())
    shoot["metadata"] = {"name": name, "namespace": namespace}
    shoot["spec"].update(cloudProfile={"name": provider}, region=region, credentialsBindingName=provider)
    shoot["spec"]["provider"]["type"] = provider
    shoot["spec"]["networking"].update(nodes=nodes, pods="100.96.0.0/11", services="100.64.0.0/13")
    if provider == "aws":
        shoot["spec"]["provider"]["infrastructureConfig"] = aws_infrastructure_config(nodes, region)
    shoot["spec"].update(spec)
    return shoot


def aws_infrastructure_config(nodes: str, region: str) -> JSON:
    """Gardener's provider-aws InfrastructureConfig for a VPC of ``nodes``: workers, public and internal subnets in
    the region's two zones, cut from it without overlap."""
    subnets = list(ipaddress.ip_network(nodes).subnets(prefixlen_diff=3))
    zones = [{"name": f"{region}{letter}", "workers": str(subnets[i]), "public": str(subnets[2 + i]),
              "internal": str(subnets[4 + i])} for i, letter in enumerate("ab")]
    return {"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1", "kind": "InfrastructureConfig",
            "networks": {"vpc": {"cidr": nodes}, "zones": zones}}


def create_shoot(service: ResourceService, manifest: JSON) -> JSON:
    rt = _rt(service, "shoots")
    return service.create(rt, manifest["metadata"]["namespace"], manifest, system_context())


def shoots(service: ResourceService) -> list[JSON]:
    return service.list(_rt(service, "shoots"), None).items


@contextlib.contextmanager
def seed_cluster(directory: Path, *, name: str = "seed") -> Iterator[tuple[servers.RunningServer, ApiServer]]:
    """A Kubernetes-style API server with Namespaces and Leases over HTTPS, and a kubeconfig for it."""
    directory.mkdir(parents=True, exist_ok=True)
    registry = Registry([kinds.NAMESPACE, LEASE])
    token = servers.new_token()
    api = ApiServer(registry=registry, store=make_store(f"sqlite:///{directory / 'seed.db'}", registry),
                    authenticator=TokenAuthenticator.from_tokens(
                        {token: UserInfo(name="agent", groups=("system:masters", "system:authenticated"))}),
                    poll_interval=0.05)
    with servers.serve(build_app(api), directory, token=token, name=name) as server:
        yield server, api
    api.store.engine.dispose()


@contextlib.contextmanager
def running_garden(directory: Path) -> Iterator[tuple[servers.RunningServer, ApiServer]]:
    """The garden API over HTTPS (operator kubeconfig), before any controller is added to it."""
    directory.mkdir(parents=True, exist_ok=True)
    app, api = garden_api(directory)
    with servers.serve(app, directory, token=operator_token(api), name="garden") as server:
        yield server, api
    api.store.engine.dispose()


def seed_kubeconfig(server: servers.RunningServer, api: ApiServer, seed: str, path: Path) -> Path:
    """A garden kubeconfig with ``seed``'s own identity (what ``hortus seed register`` hands the agent)."""
    config = tls.kubeconfig(server=server.url, ca_pem=_ca_of(server.kubeconfig), token=seed_token(api, seed),
                            cluster="garden", user=identities.seed_user(seed))
    tls.write_kubeconfig(path, config)
    return path


def _ca_of(kubeconfig: Path) -> bytes:
    config = yaml.safe_load(kubeconfig.read_text())
    return base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"])
