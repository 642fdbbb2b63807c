"""Valid shoots with the objects they reference, built from Gardener's example manifests, for the tests of
``shoot.validation.references``, ``quota``, ``operations`` and ``deletion``.

Each builder returns a fresh dict, so a test breaks exactly one rule by editing its own copy.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "gardener-examples"
# A fixed "now": 1.32.13 of the example profile expired on 2025-11-30, gardenlinux 15.4.20220620 in 2023.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
PROVIDER = "aws"
# Placeholders of 30-cloudprofile.yaml filled mechanically: strings by value, objects by path.
PLACEHOLDER_STRINGS = {"<some-provider-name>": PROVIDER}
PLACEHOLDER_OBJECTS = (("spec", "providerConfig"),)


class KubectlLoader(yaml.SafeLoader):
    """YAML as kubectl reads it: unquoted timestamps stay strings."""


KubectlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load(relative: str) -> dict[str, Any]:
    document = yaml.load((EXAMPLES / relative).read_text(), Loader=KubectlLoader)
    assert isinstance(document, dict)
    return document


def _fill(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _fill(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_fill(item) for item in value]
    return PLACEHOLDER_STRINGS.get(value, value) if isinstance(value, str) else value


def example_cloudprofile() -> dict[str, Any]:
    """``30-cloudprofile.yaml`` with its placeholders filled (provider ``aws``)."""
    profile = _load("30-cloudprofile.yaml")
    for path in PLACEHOLDER_OBJECTS:
        parent = profile
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = {}
    filled = _fill(profile)
    assert isinstance(filled, dict)
    return filled


def local_shoot() -> dict[str, Any]:
    """``provider-local/shoot.yaml`` as admission sees it after defaulting (version and image filled in)."""
    shoot = _load("provider-local/shoot.yaml")
    shoot["spec"]["kubernetes"]["version"] = "1.35.0"
    shoot["spec"]["provider"]["workers"][0]["machine"]["image"] = {"name": "local", "version": "1.0.0"}
    return shoot


def example_shoot() -> dict[str, Any]:
    """The local shoot moved onto the example CloudProfile: aws in europe-central-1, zoned, with a volume."""
    shoot = local_shoot()
    spec = shoot["spec"]
    spec["cloudProfile"] = {"kind": "CloudProfile", "name": "cloudprofile1"}
    spec["credentialsBindingName"] = "my-provider-account"
    spec["region"] = "europe-central-1"
    spec["provider"]["type"] = PROVIDER
    spec["kubernetes"]["version"] = "1.34.7"
    worker = spec["provider"]["workers"][0]
    worker["machine"] = {"type": "m5.large", "image": {"name": "gardenlinux", "version": "15.4.20220818"}}
    worker["zones"] = ["europe-central-1a", "europe-central-1b"]
    worker["volume"] = {"type": "gp3", "size": "50Gi"}
    shoot["metadata"]["namespace"] = "garden-dev"
    return shoot


LOCAL_CLOUDPROFILE: dict[str, Any] = {
    "apiVersion": "core.gardener.cloud/v1beta1",
    "kind": "CloudProfile",
    "metadata": {"name": "local"},
    "spec": {
        "type": "local",
        "kubernetes": {
            "versions": [
                {"version": "1.36.0", "classification": "preview"},
                {"version": "1.35.0"},
                {"version": "1.34.3"},
                {"version": "1.33.5", "expirationDate": "2025-12-01T00:00:00Z"},
            ]
        },
        "machineImages": [
            {
                "name": "local",
                "versions": [
                    {"version": "1.0.0", "cri": [{"name": "containerd"}], "architectures": ["amd64", "arm64"]},
                    {"version": "0.9.0", "expirationDate": "2025-06-01T00:00:00Z", "architectures": ["amd64"]},
                ],
            }
        ],
        "machineTypes": [{"name": "local", "cpu": "2", "memory": "4Gi", "usable": True, "architecture": "amd64"}],
        "volumeTypes": [{"name": "default", "class": "standard", "usable": True, "minSize": "10Gi"}],
        "regions": [{"name": "local"}],
    },
}


def local_cloudprofile() -> dict[str, Any]:
    """A CloudProfile matching ``provider-local/shoot.yaml``: one zoneless region, one machine type."""
    return copy.deepcopy(LOCAL_CLOUDPROFILE)


def local_seed() -> dict[str, Any]:
    """A seed for the local shoot; its networks are disjoint from the shoot's nodes 10.0.0.0/16."""
    return {
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "Seed",
        "metadata": {"name": "local"},
        "spec": {
            "provider": {"type": "local", "region": "local", "zones": ["0", "1", "2"]},
            "networks": {
                "nodes": "172.18.0.0/16",
                "pods": "10.1.0.0/16",
                "services": "10.2.0.0/16",
                "shootDefaults": {"pods": "10.3.0.0/16", "services": "10.4.0.0/16"},
            },
        },
    }


def project(name: str = "local", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "Project",
        "metadata": {"name": name},
        "spec": {"namespace": f"garden-{name}", **spec},
    }


def credentials_binding(provider_type: str = "local", namespace: str = "garden-local") -> dict[str, Any]:
    return {
        "apiVersion": "security.gardener.cloud/v1alpha1",
        "kind": "CredentialsBinding",
        "metadata": {"name": "local", "namespace": namespace},
        "provider": {"type": provider_type},
        "credentialsRef": {"apiVersion": "v1", "kind": "Secret", "name": "local"},
    }


def secret_binding(provider_type: str) -> dict[str, Any]:
    binding = _load("80-secretbinding.yaml")
    binding["provider"]["type"] = provider_type
    binding["quotas"] = binding.get("quotas") or []
    return binding


def quota(**metrics: str) -> dict[str, Any]:
    """``60-quota.yaml`` with some metrics replaced (keyword ``storage_standard`` means ``storage.standard``)."""
    document = _load("60-quota.yaml")
    document["spec"]["metrics"].update({key.replace("_", "."): value for key, value in metrics.items()})
    return document
