"""What the conformance kit asks of each (kind, type): the extension object the seed agent would write for it, and
the shoot and CloudProfile around it.

Used by ``hortus.kit.conformance``. The spec of each kind is Gardener's (``extensions.gardener.cloud/v1alpha1``):
the fields a plugin can rely on are there, in the shapes the flow writes them. A providerConfig is the first entry
of the schema's ``examples`` (JSON Schema's own keyword) when the schema has one, else none.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from extensions import crds
from extensions.contract import JSON, ExtensionObject, Kind, Registration

REGION = "local"
ZONE = "0"
SECRET = "cloudprovider"
# The pool's user data, as an OperatingSystemConfig's result Secret holds it.
USER_DATA = "osc-result-kit"
POOL = "kit"
IMAGE_VERSION = "1.0.0"
KUBERNETES_VERSION = "1.32.8"
NODES, PODS, SERVICES = "10.0.0.0/16", "10.3.0.0/16", "10.4.0.0/16"
# Something no providerConfig schema of an object accepts: the kit expects it refused with ERR_CONFIGURATION_PROBLEM.
INVALID_CONFIG: Any = ["the conformance kit's providerConfig, which is not an object"]


@dataclasses.dataclass(frozen=True)
class Settings:
    """Where the kit's shoot lives; a cloud provider's plugin is tested with its own region, zone, machine type
    and image (``hortus extension test --region ... --zone ...``)."""

    region: str = REGION
    zones: tuple[str, ...] = (ZONE,)
    machine_type: str = "local"
    machine_image: tuple[str, str] = ("local", IMAGE_VERSION)
    # The CloudProfile's ``spec.providerConfig`` (e.g. provider-aws's machine image to AMI mapping).
    cloud_profile_config: JSON | None = None


@dataclasses.dataclass(frozen=True)
class Scenario:
    registration: Registration
    obj: ExtensionObject
    shoot: JSON
    cloud_profile: JSON
    seed: JSON


def example_config(registration: Registration) -> JSON | None:
    """The providerConfig the kit reconciles with: the schema's first example, or none."""
    schema = registration.provider_config_schema or {}
    examples = schema.get("examples") if isinstance(schema, dict) else None
    if isinstance(examples, list) and examples and isinstance(examples[0], dict):
        return dict(examples[0])
    return None


def scenario(registration: Registration, *, namespace: str, name: str = "kit",
             settings: Settings | None = None) -> Scenario:
    settings = settings or Settings()
    kind, type_ = registration.kind, registration.type
    config = example_config(registration)
    spec: JSON = {"type": type_, **_SPECS.get(kind, _generic)(namespace, type_)}
    if "region" in spec:
        spec["region"] = settings.region
    if kind is Kind.WORKER:
        image, version = settings.machine_image
        spec["pools"][0].update(machineType=settings.machine_type, zones=list(settings.zones),
                                machineImage={"name": image, "version": version})
    if kind is Kind.WORKER:
        if config is not None:
            spec["pools"][0]["providerConfig"] = config
    elif config is not None:
        spec["providerConfig"] = config
    obj = ExtensionObject(kind=kind, name=name, namespace=namespace if crds.NAMES[kind].namespaced else "",
                          spec=spec)
    return Scenario(registration=registration, obj=obj, shoot=shoot_for(registration, namespace, settings),
                    cloud_profile=cloud_profile_for(registration, settings), seed=_SEED)


def shoot_for(registration: Registration, namespace: str, settings: Settings | None = None) -> JSON:
    """The shoot whose extension object the kit drives, using ``registration``'s type where its kind goes."""
    settings = settings or Settings()
    kind, type_ = registration.kind, registration.type
    provider = type_ if kind in (Kind.INFRASTRUCTURE, Kind.CONTROL_PLANE, Kind.WORKER, Kind.BASTION) else "local"
    networking = type_ if kind is Kind.NETWORK else "calico"
    image, version = settings.machine_image
    image = type_ if kind is Kind.OPERATING_SYSTEM_CONFIG else image
    pool: JSON = {"name": POOL, "minimum": 1, "maximum": 1, "maxSurge": 1, "maxUnavailable": 0,
                  "zones": list(settings.zones),
                  "machine": {"type": settings.machine_type, "image": {"name": image, "version": version}}}
    if kind is Kind.CONTAINER_RUNTIME:
        pool["cri"] = {"name": "containerd", "containerRuntimes": [{"type": type_}]}
    spec: JSON = {"region": settings.region, "cloudProfile": {"name": "kit"},
                  "kubernetes": {"version": KUBERNETES_VERSION},
                  "networking": {"type": networking, "nodes": NODES, "pods": PODS, "services": SERVICES},
                  "provider": {"type": provider, "workers": [pool]}}
    if kind is Kind.EXTENSION:
        spec["extensions"] = [{"type": type_}]
    if kind is Kind.DNS_RECORD:
        spec["dns"] = {"domain": f"{_label(namespace)}.kit.local.gardener.cloud",
                       "providers": [{"type": type_, "primary": True}]}
    project, _, name = namespace.removeprefix("shoot--").partition("--")
    return {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
            "metadata": {"name": name or "kit", "namespace": f"garden-{project or 'kit'}", "uid": "kit-" + namespace},
            "spec": spec, "status": {"technicalID": namespace}}


def cloud_profile_for(registration: Registration, settings: Settings | None = None) -> JSON:
    settings = settings or Settings()
    provider = registration.type if registration.kind in (Kind.INFRASTRUCTURE, Kind.CONTROL_PLANE,
                                                          Kind.WORKER) else "local"
    image, version = settings.machine_image
    spec: JSON = {"type": provider,
                  "regions": [{"name": settings.region, "zones": [{"name": z} for z in settings.zones]}],
                  "machineTypes": [{"name": settings.machine_type, "cpu": "2", "gpu": "0", "memory": "4Gi",
                                    "usable": True}],
                  "machineImages": [{"name": image, "versions": [{"version": version}]}],
                  "kubernetes": {"versions": [{"version": KUBERNETES_VERSION}]}}
    if settings.cloud_profile_config is not None:
        spec["providerConfig"] = settings.cloud_profile_config
    return {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "CloudProfile", "metadata": {"name": "kit"},
            "spec": spec}


_SEED: JSON = {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Seed", "metadata": {"name": "kit"},
               "spec": {"provider": {"type": "local", "region": REGION},
                        "networks": {"nodes": "172.18.0.0/16", "pods": "10.1.0.0/16", "services": "10.2.0.0/16"}}}


def _secret_ref(namespace: str) -> JSON:
    return {"name": SECRET, "namespace": namespace}


def _infrastructure(namespace: str, _type: str) -> JSON:
    return {"region": REGION, "secretRef": _secret_ref(namespace)}


def _worker(namespace: str, _type: str) -> JSON:
    return {"region": REGION, "secretRef": _secret_ref(namespace), "pools": [{
        "name": POOL, "machineType": "local", "machineImage": {"name": "local", "version": IMAGE_VERSION},
        "minimum": 1, "maximum": 1, "maxSurge": 1, "maxUnavailable": 0, "zones": [ZONE],
        "kubernetesVersion": KUBERNETES_VERSION, "userDataSecretRef": {"name": USER_DATA, "key": "cloud_config"}}]}


def _osc(_namespace: str, _type: str) -> JSON:
    return {"purpose": "provision",
            "units": [{"name": "kit.service", "enable": True,
                       "content": "[Unit]\nDescription=conformance kit\n[Service]\nExecStart=/bin/true\n"}],
            "files": [{"path": "/etc/kit/hello.txt", "permissions": 0o644,
                       "content": {"inline": {"data": "hello from the conformance kit\n"}}}]}


def _network(_namespace: str, _type: str) -> JSON:
    return {"podCIDR": PODS, "serviceCIDR": SERVICES, "ipFamilies": ["IPv4"]}


def _dns(namespace: str, _type: str) -> JSON:
    return {"region": REGION, "secretRef": _secret_ref(namespace),
            "name": f"api.{_label(namespace)}.kit.local.gardener.cloud", "recordType": "A", "values": ["10.0.0.1"]}


def _container_runtime(_namespace: str, _type: str) -> JSON:
    return {"binaryPath": "/var/bin/containerruntimes",
            "workerPool": {"name": POOL, "selector": {"matchLabels": {"worker.gardener.cloud/pool": POOL}}}}


def _backup_bucket(namespace: str, _type: str) -> JSON:
    return {"region": REGION, "secretRef": _secret_ref(namespace)}


def _backup_entry(namespace: str, _type: str) -> JSON:
    return {"region": REGION, "secretRef": _secret_ref(namespace), "bucketName": "kit-bucket"}


def _bastion(_namespace: str, _type: str) -> JSON:
    user_data = base64.b64encode(b"#!/bin/bash\necho conformance kit\n").decode()
    return {"userData": user_data, "ingress": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}


def _generic(_namespace: str, _type: str) -> JSON:
    return {}


_SPECS = {
    Kind.INFRASTRUCTURE: _infrastructure,
    Kind.CONTROL_PLANE: _infrastructure,
    Kind.WORKER: _worker,
    Kind.OPERATING_SYSTEM_CONFIG: _osc,
    Kind.NETWORK: _network,
    Kind.DNS_RECORD: _dns,
    Kind.CONTAINER_RUNTIME: _container_runtime,
    Kind.BACKUP_BUCKET: _backup_bucket,
    Kind.BACKUP_ENTRY: _backup_entry,
    Kind.BASTION: _bastion,
    Kind.EXTENSION: _generic,
}


def _label(namespace: str) -> str:
    return namespace.removeprefix("shoot--").replace("--", "-")
