"""Seed and Shoot wire dicts for the scheduler tests, shaped like Gardener's example manifests.

Used by ``test_filters``, ``test_strategies`` and ``test_placement``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def merged(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in recursively (a None value deletes the key)."""
    out = dict(base)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def make_seed(name: str, *, provider: str = "aws", region: str = "eu-1", **override: Any) -> dict[str, Any]:
    """A ready, visible Seed like ``50-seed.yaml``; keyword arguments merge into the top-level sections."""
    seed = {
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "Seed",
        "metadata": {"name": name, "labels": {}},
        "spec": {
            "provider": {"type": provider, "region": region, "zones": [f"{region}a", f"{region}b", f"{region}c"]},
            "networks": {"nodes": "10.240.0.0/16", "pods": "10.241.128.0/17", "services": "10.241.0.0/17"},
            "settings": {"scheduling": {"visible": True}},
        },
        "status": {"conditions": [{"type": "GardenletReady", "status": "True"}], "allocatable": {"shoots": "250"}},
    }
    return merged(seed, override)


def make_shoot(
    name: str = "crazy-botany", *, provider_type: str = "aws", region: str = "eu-1", **spec: Any
) -> dict[str, Any]:
    """An unscheduled Shoot like ``90-shoot.yaml`` in project ``dev``; keyword arguments merge into ``spec``."""
    shoot = {
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "Shoot",
        "metadata": {"name": name, "namespace": "garden-dev"},
        "spec": {
            "cloudProfile": {"kind": "CloudProfile", "name": "cloudprofile1"},
            "region": region,
            "provider": {"type": provider_type, "workers": [{"name": "cpu-worker", "zones": [f"{region}a"]}]},
            "networking": {
                "type": "calico",
                "pods": "100.96.0.0/11",
                "nodes": "10.250.0.0/16",
                "services": "100.64.0.0/13",
            },
        },
    }
    return merged(shoot, {"spec": spec})
