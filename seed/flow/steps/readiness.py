"""Whether rolled-out workloads are ready, with a message naming what is not: Deployments, StatefulSets, Pods.

Used by the flow's wait steps (a ``TemporaryError`` with the message while not ready) and by the care task
(``seed.care``), which reports the same messages in ``ControlPlaneHealthy``. Pure functions of the objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

JSON = dict[str, Any]
# Waiting reasons of a container that mean it will not come up by itself.
BROKEN = frozenset({"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
                    "CreateContainerError", "InvalidImageName", "RunContainerError"})


def _wanted(obj: JSON) -> int:
    replicas = (obj.get("spec") or {}).get("replicas")
    return 1 if replicas is None else int(replicas)


def deployment_problem(obj: JSON | None, name: str) -> str | None:
    """None when the Deployment has rolled out and all its replicas are available, else what is missing."""
    if obj is None:
        return f"deployment {name} is missing"
    status, wanted = obj.get("status") or {}, _wanted(obj)
    if int(status.get("observedGeneration") or 0) < int(obj["metadata"].get("generation") or 1):
        return f"deployment {name} has not observed its latest generation yet"
    updated, available = int(status.get("updatedReplicas") or 0), int(status.get("availableReplicas") or 0)
    ready = int(status.get("readyReplicas") or 0)
    if updated < wanted or available < wanted or ready < wanted:
        return f"deployment {name} has {min(ready, available)} of {wanted} replicas ready ({updated} updated)"
    total = int(status.get("replicas") or 0)
    if total > wanted:
        return f"deployment {name} is rolling out: {total - wanted} old replicas are still running"
    return None


def statefulset_problem(obj: JSON | None, name: str) -> str | None:
    if obj is None:
        return f"statefulset {name} is missing"
    status, wanted = obj.get("status") or {}, _wanted(obj)
    if int(status.get("observedGeneration") or 0) < int(obj["metadata"].get("generation") or 1):
        return f"statefulset {name} has not observed its latest generation yet"
    ready, updated = int(status.get("readyReplicas") or 0), int(status.get("updatedReplicas") or 0)
    if ready < wanted or updated < wanted:
        return f"statefulset {name} has {ready} of {wanted} replicas ready ({updated} updated)"
    return None


def daemonset_problem(obj: JSON | None, name: str) -> str | None:
    if obj is None:
        return f"daemonset {name} is missing"
    status = obj.get("status") or {}
    if int(status.get("observedGeneration") or 0) < int(obj["metadata"].get("generation") or 1):
        return f"daemonset {name} has not observed its latest generation yet"
    wanted, ready = int(status.get("desiredNumberScheduled") or 0), int(status.get("numberReady") or 0)
    updated = int(status.get("updatedNumberScheduled") or 0)
    if ready < wanted or updated < wanted:
        return f"daemonset {name} is ready on {ready} of {wanted} nodes"
    return None


def broken_containers(pods: Iterable[JSON]) -> list[str]:
    """``pod/container (Reason)`` for every container of ``pods`` stuck in a state it will not leave by itself."""
    out = []
    for pod in pods:
        status = pod.get("status") or {}
        for container in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
            reason = ((container.get("state") or {}).get("waiting") or {}).get("reason")
            if reason in BROKEN:
                out.append(f"{pod['metadata']['name']}/{container.get('name')} ({reason})")
    return sorted(out)


def selector_of(obj: JSON) -> str:
    """A workload's ``spec.selector.matchLabels`` as a label selector."""
    labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
