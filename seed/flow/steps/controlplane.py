"""The shoot's control plane on the seed: its secrets, etcd main and events, kube-apiserver, kube-controller-manager
and kube-scheduler — rendered by ``Components`` and kept applied, each step waiting until its workloads are ready.

Steps of ``seed.flow.reconcile``. What the objects look like (images, flags, certificates, PDBs, NetworkPolicies) is
the renderer's; what this adds is Gardener's rollout logic: apply, then wait (a ``TemporaryError`` naming the
replicas missing and the containers that crash), and replicas 0 while the shoot is hibernated.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from seed.flow.components import Components
from seed.flow.context import JSON, ShootContext
from seed.flow.steps import readiness
from shoot import errors

WORKLOADS = ("Deployment", "StatefulSet")
APISERVER = "kube-apiserver"


def deploy_secrets(ctx: ShootContext, components: Components) -> None:
    existing = ctx.kube.list("v1", "Secret", namespace=ctx.namespace)
    for secret in components.secrets(ctx, existing):
        ctx.kube.apply(secret)


def rollout(ctx: ShootContext, objects: Iterable[JSON]) -> None:
    """Apply ``objects`` (replicas 0 when hibernated); a ``TemporaryError`` until their workloads are ready."""
    applied = [ctx.kube.apply(_hibernated(obj) if ctx.hibernated else obj) for obj in objects]
    problems, broken = [], []
    for obj in applied:
        if obj["kind"] not in WORKLOADS:
            continue
        live = obj  # apply answers with the stored object, status included
        check = readiness.deployment_problem if obj["kind"] == "Deployment" else readiness.statefulset_problem
        problem = check(live, obj["metadata"]["name"])
        if problem:
            problems.append(problem)
            if live is not None:
                pods = ctx.kube.list("v1", "Pod", namespace=ctx.namespace, label_selector=readiness.selector_of(live))
                broken += readiness.broken_containers(pods)
    if problems:
        detail = "; ".join(problems) + (f"; failing containers: {', '.join(broken)}" if broken else "")
        raise errors.TemporaryError(detail, delay=2.0 if broken else 0.2)


def _hibernated(obj: JSON) -> JSON:
    if obj["kind"] not in WORKLOADS:
        return obj
    out = copy.deepcopy(obj)
    out.setdefault("spec", {})["replicas"] = 0
    return out


def wait_for_api(ctx: ShootContext) -> None:
    """The shoot's own API answers (its kube-apiserver is up and reachable through the seed)."""
    if ctx.hibernated:
        return
    try:
        ctx.shoot_api().get("v1", "Namespace", "kube-system")
    except errors.TemporaryError as exc:
        # The seed starts serving the shoot's API a moment after its kube-apiserver is ready: ask again soon.
        raise errors.TemporaryError(exc.message, delay=0.2) from None
