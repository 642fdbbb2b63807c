"""What ``hortus up`` plugs into the console: the broker inspector and the local seed cluster's pods.

Called by ``hortus.up``; the garden itself may not reach the Celery side nor the seed side (layers).
"""

from __future__ import annotations

from typing import Any

from apiserver.server import ApiServer
from garden.console.backends import Pod


class LocalSeedPods:
    """Pods of a control-plane namespace on the embedded local seed cluster, read in-process."""

    def __init__(self, seed_api: ApiServer, seed_name: str) -> None:
        self.seed_api = seed_api
        self.seed_name = seed_name

    def pods(self, seed: str, namespace: str) -> list[Pod] | None:
        if seed != self.seed_name:
            return None
        rt = self.seed_api.registry.get("", "v1", "pods")
        if rt is None:
            return None
        return [_pod(p) for p in self.seed_api.service.list(rt, namespace).items]


def _pod(pod: dict[str, Any]) -> Pod:
    status = pod.get("status") or {}
    containers = status.get("containerStatuses") or []
    wanted = len((pod.get("spec") or {}).get("containers") or [])
    ready = sum(1 for c in containers if c.get("ready"))
    return Pod(name=pod["metadata"]["name"], phase=str(status.get("phase") or "Pending"), ready=f"{ready}/{wanted}",
               restarts=sum(int(c.get("restartCount") or 0) for c in containers),
               node=str((pod.get("spec") or {}).get("nodeName") or ""),
               created=str(pod["metadata"].get("creationTimestamp") or ""))
