"""The objects of Gardener's local setup: CloudProfile ``local``, project ``local`` and credentials ``local``.

``hortus up`` creates them (idempotently) so that Gardener's ``provider-local/shoot.yaml`` applies as it is;
tests use the same manifests.
"""

from __future__ import annotations

from typing import Any

from apiserver import errors
from apiserver.context import system_context
from apiserver.service import ResourceService

JSON = dict[str, Any]

KUBERNETES_VERSIONS = ("1.33.4", "1.32.8", "1.31.12")

CLOUDPROFILE: JSON = {
    "apiVersion": "core.gardener.cloud/v1beta1",
    "kind": "CloudProfile",
    "metadata": {"name": "local"},
    "spec": {
        "type": "local",
        "kubernetes": {"versions": [{"version": v, "classification": "supported"} for v in KUBERNETES_VERSIONS]},
        "machineImages": [{"name": "local", "updateStrategy": "major", "versions": [
            {"version": "1.0.0", "classification": "supported", "cri": [{"name": "containerd"}],
             "architectures": ["amd64", "arm64"]}]}],
        "machineTypes": [{"name": "local", "cpu": "1", "gpu": "0", "memory": "1Gi", "usable": True,
                          "architecture": "amd64"}],
        "volumeTypes": [{"name": "default", "class": "standard", "usable": True}],
        "regions": [{"name": "local", "zones": [{"name": "0"}, {"name": "1"}, {"name": "2"}]}],
    },
}

PROJECT: JSON = {
    "apiVersion": "core.gardener.cloud/v1beta1",
    "kind": "Project",
    "metadata": {"name": "local"},
    "spec": {"namespace": "garden-local", "description": "Shoots on the local seed cluster",
             "owner": {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "hortus:operator"}},
}

SECRET: JSON = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "local", "namespace": "garden-local"},
    "type": "Opaque",
    "stringData": {"provider": "local"},
}

CREDENTIALS_BINDING: JSON = {
    "apiVersion": "security.gardener.cloud/v1alpha1",
    "kind": "CredentialsBinding",
    "metadata": {"name": "local", "namespace": "garden-local"},
    "provider": {"type": "local"},
    "credentialsRef": {"apiVersion": "v1", "kind": "Secret", "name": "local", "namespace": "garden-local"},
}

SECRET_BINDING: JSON = {
    "apiVersion": "core.gardener.cloud/v1beta1",
    "kind": "SecretBinding",
    "metadata": {"name": "local", "namespace": "garden-local"},
    "provider": {"type": "local"},
    "secretRef": {"name": "local", "namespace": "garden-local"},
}


SEED: JSON = {
    "apiVersion": "core.gardener.cloud/v1beta1",
    "kind": "Seed",
    "metadata": {"name": "local", "labels": {"seed.gardener.cloud/local": "true"}},
    "spec": {
        "provider": {"type": "local", "region": "local", "zones": ["0", "1", "2"]},
        "networks": {
            "nodes": "172.18.0.0/16", "pods": "10.1.0.0/16", "services": "10.2.0.0/16",
            "shootDefaults": {"pods": "10.3.0.0/16", "services": "10.4.0.0/16"},
        },
        "ingress": {"domain": "ingress.local.seed.local.gardener.cloud", "controller": {"kind": "nginx"}},
        "settings": {"scheduling": {"visible": True}},
    },
}


def ensure(service: ResourceService, obj: JSON) -> JSON:
    """Create ``obj`` unless an object of that name exists; return what is stored."""
    rt = service.registry.by_kind(obj["apiVersion"], obj["kind"])
    if rt is None:
        raise LookupError(f"{obj['apiVersion']}/{obj['kind']} is not served")
    ns = obj["metadata"].get("namespace", "")
    try:
        return service.get(rt, ns, obj["metadata"]["name"])
    except errors.ApiError as exc:
        if exc.code != 404:
            raise
    return service.create(rt, ns, obj, system_context())


def ensure_local(service: ResourceService) -> None:
    """The CloudProfile, project (with its namespace) and credentials of Gardener's local setup."""
    ensure(service, CLOUDPROFILE)
    ensure(service, PROJECT)
    ensure_namespace(service, "garden-local", project="local")
    for obj in (SECRET, CREDENTIALS_BINDING, SECRET_BINDING):
        ensure(service, obj)


def ensure_namespace(service: ResourceService, name: str, *, project: str) -> None:
    """The project's namespace now, rather than when the project controller next runs."""
    ensure(service, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {
        "gardener.cloud/role": "project", "project.gardener.cloud/name": project}}})
