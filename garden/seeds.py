"""Seed registration: the Seed object ``hortus seed register`` creates, with its capacity for shoots.

Called by ``hortus.seeds`` and tests. The Seed starts not ready; its agent's heartbeat makes it ready.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from apiserver import errors
from apiserver.context import system_context
from apiserver.service import ResourceService

JSON = dict[str, Any]
GROUP = "core.gardener.cloud"


def seed_manifest(
    name: str, *, provider: str, region: str, zones: Sequence[str], pods: str, services: str, nodes: str | None = None,
    labels: Mapping[str, str] | None = None, taints: Sequence[Mapping[str, str]] = (),
) -> JSON:
    networks: JSON = {"pods": pods, "services": services, **({"nodes": nodes} if nodes else {})}
    spec: JSON = {"provider": {"type": provider, "region": region, "zones": list(zones)}, "networks": networks,
                  "settings": {"scheduling": {"visible": True}}}
    if taints:
        spec["taints"] = [dict(t) for t in taints]
    return {"apiVersion": f"{GROUP}/v1beta1", "kind": "Seed",
            "metadata": {"name": name, **({"labels": dict(labels)} if labels else {})}, "spec": spec}


def register(service: ResourceService, manifest: JSON, *, capacity: int) -> JSON:
    """Create (or keep) the Seed, then set ``status.capacity``/``allocatable`` shoots to ``capacity``."""
    rt = service.registry.get(GROUP, "v1beta1", "seeds")
    if rt is None:
        raise LookupError("seeds are not served")
    name = manifest["metadata"]["name"]
    try:
        seed = service.create(rt, "", manifest, system_context())
    except errors.ApiError as exc:
        if exc.code != 409:
            raise
        seed = service.get(rt, "", name)
    body = copy.deepcopy(seed)
    status = body.setdefault("status", {})
    status["capacity"] = {**(status.get("capacity") or {}), "shoots": capacity}
    status["allocatable"] = {**(status.get("allocatable") or {}), "shoots": capacity}
    return service.update(rt, "", name, body, system_context(), subresource="status")
