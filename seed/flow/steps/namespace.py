"""The shoot's control-plane namespace on the seed and the cloud-provider Secret in it.

Steps of ``seed.flow.reconcile`` (deploy) and ``seed.flow.delete`` (the namespace goes last: deleting it removes
whatever is left in it, and the step waits until it is gone). Labels and annotations are Gardener's.
"""

from __future__ import annotations

import base64

from seed.flow.context import JSON, ShootContext
from shoot import errors

CLOUDPROVIDER = "cloudprovider"


def namespace_object(ctx: ShootContext) -> JSON:
    view = ctx.view
    spec = ctx.shoot.get("spec") or {}
    labels = {
        "gardener.cloud/role": "shoot",
        "seed.gardener.cloud/provider": str(((ctx.seed.get("spec") or {}).get("provider") or {}).get("type", "")),
        "shoot.gardener.cloud/provider": view.provider_type,
        "networking.shoot.gardener.cloud/provider": str((spec.get("networking") or {}).get("type") or ""),
        "pod-security.kubernetes.io/enforce": "privileged",
        "high-availability-config.resources.gardener.cloud/consider": "true",
        "shoot.gardener.cloud/name": ctx.name,
        "project.gardener.cloud/name": ctx.project,
    }
    for extension in spec.get("extensions") or []:
        if not extension.get("disabled") and extension.get("type"):
            labels[f"extensions.gardener.cloud/{extension['type']}"] = "true"
    tolerance = ((((spec.get("controlPlane") or {}).get("highAvailability") or {}).get("failureTolerance") or {})
                 .get("type") or "")
    annotations = {"shoot.gardener.cloud/uid": str(ctx.shoot["metadata"].get("uid", "")),
                   "high-availability-config.resources.gardener.cloud/failure-tolerance-type": str(tolerance),
                   "high-availability-config.resources.gardener.cloud/zones": _zone(ctx)}
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ctx.namespace, "labels": {k: v for k, v in labels.items() if v},
                         "annotations": annotations}}


def _zone(ctx: ShootContext) -> str:
    zones = ((ctx.seed.get("spec") or {}).get("provider") or {}).get("zones") or []
    return str(zones[0]) if zones else ""


def deploy_namespace(ctx: ShootContext) -> None:
    live = ctx.kube.get("v1", "Namespace", ctx.namespace)
    if live is not None and live["metadata"].get("deletionTimestamp"):
        raise errors.TemporaryError(f"namespace {ctx.namespace} is still terminating", delay=1.0)
    ctx.kube.apply(namespace_object(ctx))
    for policy in ctx.components.policies(ctx):
        ctx.kube.apply(policy)


def deploy_cloudprovider_secret(ctx: ShootContext) -> None:
    """Secret ``cloudprovider``: the data of the Secret the shoot's binding references (empty where none is)."""
    data = {k: base64.b64encode(v.encode()).decode() for k, v in sorted(ctx.credentials.items())}
    ctx.kube.apply({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": {"name": CLOUDPROVIDER, "namespace": ctx.namespace,
                                 "labels": {"gardener.cloud/purpose": "cloudprovider"}},
                    "data": data})


def delete_namespace(ctx: ShootContext) -> None:
    """Delete the namespace and wait until it is gone (with everything still in it)."""
    live = ctx.kube.get("v1", "Namespace", ctx.namespace)
    if live is None:
        return
    if not live["metadata"].get("deletionTimestamp"):
        ctx.kube.delete("v1", "Namespace", ctx.namespace)
    if ctx.kube.get("v1", "Namespace", ctx.namespace) is not None:
        raise errors.TemporaryError(f"namespace {ctx.namespace} is terminating", delay=0.5)
