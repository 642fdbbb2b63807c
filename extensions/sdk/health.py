"""Health checks an actuator reports as conditions: Deployments and Pods it runs on the seed, Nodes of the shoot.

Used by the built-in actuators' ``health``; the care task merges conditions of the Shoot's types
(``ControlPlaneHealthy``, ``EveryNodeReady``, ``SystemComponentsHealthy``) into the Shoot, as Gardener does.
"""

from __future__ import annotations

from collections.abc import Iterable

from extensions import status
from extensions.contract import JSON, Api


def deployment_condition(api: Api, namespace: str, name: str, *, kind: str = "ControlPlaneHealthy",
                         old: Iterable[JSON] = ()) -> JSON:
    """``True`` while the Deployment has all its replicas updated and ready."""
    deployment = api.get("apps/v1", "Deployment", name, namespace=namespace)
    if deployment is None:
        return status.condition(kind, "False", reason="DeploymentMissing",
                                message=f"Deployment {name} is missing", old=old)
    wanted = int((deployment.get("spec") or {}).get("replicas", 1))
    got = deployment.get("status") or {}
    ready, updated = int(got.get("readyReplicas") or 0), int(got.get("updatedReplicas") or 0)
    if ready >= wanted and updated >= wanted:
        return status.condition(kind, "True", reason="DeploymentHealthy",
                                message=f"Deployment {name} has {ready} of {wanted} replicas ready", old=old)
    return status.condition(kind, "False", reason="DeploymentUnhealthy",
                            message=f"Deployment {name} has {ready} of {wanted} replicas ready ({updated} updated)",
                            old=old)


def daemonset_condition(api: Api, namespace: str, name: str, *, kind: str = "SystemComponentsHealthy",
                        old: Iterable[JSON] = ()) -> JSON:
    """``True`` while every Pod the DaemonSet should run is scheduled, updated and ready."""
    daemonset = api.get("apps/v1", "DaemonSet", name, namespace=namespace)
    if daemonset is None:
        return status.condition(kind, "False", reason="DaemonSetMissing", message=f"DaemonSet {name} is missing",
                                old=old)
    got = daemonset.get("status") or {}
    wanted, ready = int(got.get("desiredNumberScheduled") or 0), int(got.get("numberReady") or 0)
    updated = int(got.get("updatedNumberScheduled") or 0)
    if ready >= wanted and updated >= wanted:
        return status.condition(kind, "True", reason="DaemonSetHealthy",
                                message=f"DaemonSet {name} is ready on all {wanted} nodes", old=old)
    return status.condition(kind, "False", reason="DaemonSetUnhealthy",
                            message=f"DaemonSet {name} is ready on {ready} of {wanted} nodes", old=old)


def combined(kind: str, conditions: Iterable[JSON], *, old: Iterable[JSON] = ()) -> JSON:
    """One condition of ``kind`` from several checks: False naming the failing ones, else True."""
    checks = list(conditions)
    failing = [c for c in checks if c.get("status") != "True"]
    if failing:
        return status.condition(kind, "False", reason=str(failing[0].get("reason", "Unhealthy")),
                                message="; ".join(str(c.get("message", "")) for c in failing), old=old)
    return status.condition(kind, "True", reason="ComponentsHealthy",
                            message="; ".join(str(c.get("message", "")) for c in checks), old=old)


def pod_ready(pod: JSON) -> bool:
    got = pod.get("status") or {}
    return (got.get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp")
            and any(c.get("type") == "Ready" and c.get("status") == "True" for c in got.get("conditions") or []))


def pods_condition(api: Api, namespace: str, *, selector: str, minimum: int, kind: str,
                   what: str = "pods", old: Iterable[JSON] = ()) -> JSON:
    """``True`` while at least ``minimum`` Pods matching ``selector`` are Running and Ready."""
    pods = api.list("v1", "Pod", namespace=namespace, label_selector=selector)
    ready = sorted(p["metadata"]["name"] for p in pods if pod_ready(p))
    waiting = sorted(p["metadata"]["name"] for p in pods if not pod_ready(p))
    if len(ready) >= minimum and not waiting:
        return status.condition(kind, "True", reason="PodsReady", message=f"all {len(ready)} {what} are ready",
                                old=old)
    detail = f"{len(ready)} of {max(minimum, len(pods))} {what} ready"
    if waiting:
        detail += f"; not ready: {', '.join(waiting[:5])}" + (" ..." if len(waiting) > 5 else "")
    return status.condition(kind, "False", reason="PodsNotReady", message=detail, old=old)


def node_ready(node: JSON) -> bool:
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def nodes_condition(api: Api, *, minimum: int, selector: str = "", old: Iterable[JSON] = ()) -> JSON:
    """Gardener's ``EveryNodeReady`` on the shoot's own API: every Node Ready, and at least ``minimum`` of them."""
    nodes = api.list("v1", "Node", label_selector=selector)
    not_ready = sorted(n["metadata"]["name"] for n in nodes if not node_ready(n))
    if not_ready:
        return status.condition("EveryNodeReady", "False", reason="NodesNotReady",
                                message=f"nodes not ready: {', '.join(not_ready)}", old=old)
    if len(nodes) < minimum:
        return status.condition("EveryNodeReady", "False", reason="MissingNodes",
                                message=f"{len(nodes)} of at least {minimum} nodes registered", old=old)
    return status.condition("EveryNodeReady", "True", reason="EveryNodeReady",
                            message=f"all {len(nodes)} nodes are ready", old=old)
