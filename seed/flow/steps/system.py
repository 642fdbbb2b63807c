"""What the flow does inside the shoot's own API: system components, and waiting for nodes and health.

Steps of ``seed.flow.reconcile``: CoreDNS and kube-proxy (``shoot.system``) applied into ``kube-system`` of the
shoot; the wait for the worker pools' minimum of Ready Nodes; the last wait, until every Deployment and DaemonSet
in ``kube-system`` (CNI included) is ready, so that Succeeded means a working cluster.
"""

from __future__ import annotations

from extensions.sdk import health
from seed.flow.context import JSON, ShootContext
from seed.flow.steps import apiserver_service, readiness
from shoot import errors
from shoot import system as components

NAMESPACE = components.NAMESPACE


def system_objects(ctx: ShootContext) -> list[JSON]:
    spec = ctx.shoot["spec"]
    kubernetes = spec.get("kubernetes") or {}
    objects = components.coredns()
    proxy = kubernetes.get("kubeProxy") or {}
    if proxy.get("enabled", True) is not False:
        objects += components.kube_proxy(version=str(kubernetes.get("version") or ""),
                                         pod_cidr=(spec.get("networking") or {}).get("pods"),
                                         mode=str(proxy.get("mode") or "IPTables"),
                                         kubeconfig_server=f"https://{apiserver_service.internal_host(ctx)}")
    return objects


def deploy_system_components(ctx: ShootContext) -> None:
    api = ctx.shoot_api()
    for obj in system_objects(ctx):
        api.apply(obj)


def minimum_nodes(ctx: ShootContext) -> int:
    return sum(int(w.minimum) for w in ctx.view.workers)


def wait_for_nodes(ctx: ShootContext) -> None:
    """At least the pools' minimum of Nodes registered in the shoot, and every one of them Ready."""
    nodes = ctx.shoot_api().list("v1", "Node")
    ready = [n for n in nodes if health.node_ready(n)]
    wanted = minimum_nodes(ctx)
    if len(ready) < wanted or len(ready) < len(nodes):
        not_ready = sorted(n["metadata"]["name"] for n in nodes if not health.node_ready(n))
        detail = f"; not ready: {', '.join(not_ready)}" if not_ready else ""
        raise errors.TemporaryError(f"{len(ready)} of {max(wanted, len(nodes))} nodes ready{detail}", delay=0.2)


def system_problems(ctx: ShootContext) -> list[str]:
    """What is not ready among the Deployments and DaemonSets of the shoot's ``kube-system``."""
    api = ctx.shoot_api()
    problems = [p for d in api.list("apps/v1", "Deployment", namespace=NAMESPACE)
                if (p := readiness.deployment_problem(d, d["metadata"]["name"]))]
    problems += [p for d in api.list("apps/v1", "DaemonSet", namespace=NAMESPACE)
                 if (p := readiness.daemonset_problem(d, d["metadata"]["name"]))]
    return problems


def wait_until_healthy(ctx: ShootContext) -> None:
    problems = system_problems(ctx)
    if problems:
        raise errors.TemporaryError("; ".join(problems), delay=0.2)
