"""The ReplicaSet controller: as many Pods as ``spec.replicas``, and the counts in ``status``.

One of ``Simulation``'s controllers. Pods are created from the template with an ownerReference to their
ReplicaSet and named ``<replicaset>-<random>``; surplus Pods go in Kubernetes' order (unscheduled, pending, not
ready, then the youngest first). ``status`` counts active Pods (not terminating, not finished).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from apiserver import selectors
from apiserver.storage.store import Change
from seed.local.sim import world
from seed.local.sim.controller import Controller
from seed.local.sim.world import Ref

JSON = dict[str, Any]
COMPONENT = "replicaset-controller"


def active(pod: JSON) -> bool:
    return not pod["metadata"].get("deletionTimestamp") and (pod.get("status") or {}).get("phase") not in (
        "Succeeded", "Failed")


def pod_ready(pod: JSON) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def pod_from_template(owner: JSON, kind: str, template: JSON) -> JSON:
    """A Pod of ``owner`` (a ReplicaSet, DaemonSet or StatefulSet) from its Pod template."""
    tmeta = template.get("metadata") or {}
    md: JSON = {"labels": dict(tmeta.get("labels") or {}),
                "ownerReferences": [world.owner_reference("apps/v1", kind, owner)]}
    if tmeta.get("annotations"):
        md["annotations"] = dict(tmeta["annotations"])
    if tmeta.get("finalizers"):
        md["finalizers"] = list(tmeta["finalizers"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": copy.deepcopy(template.get("spec") or {})}


def owned_pods(w: world.World, owner: JSON) -> list[JSON]:
    return w.owned(world.PODS, owner["metadata"]["namespace"], owner)


def _owner_of_pod(change: Change, kind: str) -> Iterable[str]:
    for obj in (change.object, change.prev):
        for ref in (obj or {}).get("metadata", {}).get("ownerReferences") or []:
            if ref.get("controller") and ref.get("kind") == kind:
                yield str(ref.get("name"))


class ReplicaSetController(Controller):
    name = "replicasets"
    primary = (world.REPLICA_SETS,)

    def interested(self, change: Change) -> Iterable[Ref]:
        yield from super().interested(change)
        if change.resource == world.PODS:
            for owner in set(_owner_of_pod(change, "ReplicaSet")):
                yield world.REPLICA_SETS, change.namespace, owner

    def reconcile(self, ref: Ref) -> None:
        rs = self.world.get(*ref)
        if rs is None or rs["metadata"].get("deletionTimestamp"):
            return
        pods = [p for p in owned_pods(self.world, rs) if active(p)]
        wanted = int(rs["spec"].get("replicas", 1))
        if len(pods) < wanted:
            for _ in range(wanted - len(pods)):
                self._create(rs)
        elif len(pods) > wanted:
            for pod in sorted(pods, key=deletion_rank)[: len(pods) - wanted]:
                self._delete(rs, pod)
        self._status(rs)

    def _create(self, rs: JSON) -> None:
        body = pod_from_template(rs, "ReplicaSet", rs["spec"].get("template") or {})
        body["metadata"]["generateName"] = f"{rs['metadata']['name']}-"
        pod = self.world.create(world.PODS, rs["metadata"]["namespace"], body)
        if pod is not None:
            self.events.record(rs, reason="SuccessfulCreate", message=f"Created pod: {pod['metadata']['name']}",
                               component=COMPONENT)

    def _delete(self, rs: JSON, pod: JSON) -> None:
        self.world.delete(*world.ref_of(world.PODS, pod))
        self.events.record(rs, reason="SuccessfulDelete", message=f"Deleted pod: {pod['metadata']['name']}",
                           component=COMPONENT)

    def _status(self, rs: JSON) -> None:
        pods = [p for p in owned_pods(self.world, rs) if active(p)]
        labels = selectors.label_selector_from_json(((rs["spec"].get("template") or {}).get("metadata") or {})
                                                    .get("labels") or {})
        ready = [p for p in pods if pod_ready(p)]
        status = {"replicas": len(pods),
                  "fullyLabeledReplicas": sum(1 for p in pods if labels.matches(p["metadata"].get("labels") or {})),
                  "readyReplicas": len(ready), "availableReplicas": len(ready),
                  "observedGeneration": rs["metadata"].get("generation", 1)}
        status = {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")}
        if (rs.get("status") or {}).get("conditions"):
            status["conditions"] = rs["status"]["conditions"]
        if status != rs.get("status"):
            self.world.update(world.REPLICA_SETS, {**rs, "status": status}, subresource="status")


def deletion_rank(pod: JSON) -> tuple[int, int, int, str]:
    """Which surplus Pod goes first: unscheduled, then pending, then not ready, then the youngest."""
    status = pod.get("status") or {}
    phase = {"Pending": 0, "Unknown": 1, "Running": 2}.get(str(status.get("phase")), 0)
    created = str(pod["metadata"].get("creationTimestamp") or "")
    # The youngest first: invert the timestamp's characters so that a later time sorts earlier.
    inverted = "".join(chr(0x10FFFF - ord(ch)) for ch in created)
    return (1 if pod["spec"].get("nodeName") else 0, phase, 1 if pod_ready(pod) else 0, inverted)
