"""The DaemonSet controller: one Pod per ready Node the template fits, rolling updates, and status.

One of ``Simulation``'s controllers. Each daemon Pod carries node affinity to its Node (``metadata.name``), as
the real controller sets it, so the simulated scheduler binds it there; Pods on Nodes that no longer qualify,
and extra Pods on one Node, are deleted. A RollingUpdate replaces out-of-date Pods ``maxUnavailable`` at a time.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from apiserver.storage.store import Change
from seed.local.sim import scheduling, world
from seed.local.sim.controller import Controller
from seed.local.sim.deployments import scaled_value, template_hash
from seed.local.sim.replicasets import active, pod_from_template, pod_ready
from seed.local.sim.world import Ref

JSON = dict[str, Any]
COMPONENT = "daemonset-controller"
REVISION_LABEL = "controller-revision-hash"
# The tolerations the real controller adds, so daemons run on Nodes under pressure or cordoned.
TOLERATIONS = [
    {"key": f"node.kubernetes.io/{key}", "operator": "Exists", "effect": effect}
    for key, effect in (("not-ready", "NoExecute"), ("unreachable", "NoExecute"), ("disk-pressure", "NoSchedule"),
                        ("memory-pressure", "NoSchedule"), ("pid-pressure", "NoSchedule"),
                        ("unschedulable", "NoSchedule"))
]


def tolerant(template_spec: JSON) -> JSON:
    spec = copy.deepcopy(template_spec)
    tolerations = list(spec.get("tolerations") or [])
    spec["tolerations"] = tolerations + [t for t in TOLERATIONS if t not in tolerations]
    return spec


def daemon_spec(template_spec: JSON, node_name: str) -> JSON:
    """The template's Pod spec pinned to ``node_name`` by node affinity, with the daemon tolerations."""
    spec = tolerant(template_spec)
    affinity = spec.setdefault("affinity", {}).setdefault("nodeAffinity", {})
    affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [{"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": [node_name]}]}]}
    return spec


def target_node(pod: JSON) -> str | None:
    if pod["spec"].get("nodeName"):
        return str(pod["spec"]["nodeName"])
    required = (((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            if field.get("key") == "metadata.name" and field.get("values"):
                return str(field["values"][0])
    return None


class DaemonSetController(Controller):
    name = "daemonsets"
    primary = (world.DAEMON_SETS,)

    def interested(self, change: Change) -> Iterable[Ref]:
        yield from super().interested(change)
        if change.resource == world.NODES:
            yield from self.world.refs(world.DAEMON_SETS)
        elif change.resource == world.PODS:
            for obj in (change.object, change.prev):
                for owner in (obj or {}).get("metadata", {}).get("ownerReferences") or []:
                    if owner.get("controller") and owner.get("kind") == "DaemonSet":
                        yield world.DAEMON_SETS, change.namespace, str(owner.get("name"))

    def reconcile(self, ref: Ref) -> None:
        ds = self.world.get(*ref)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            return
        wanted = self._nodes(ds)
        revision = template_hash(ds["spec"].get("template") or {})
        by_node: dict[str, list[JSON]] = {}
        for pod in self.world.owned(world.PODS, ref[1], ds):
            if active(pod):
                by_node.setdefault(target_node(pod) or "", []).append(pod)
        for node, pods in by_node.items():
            surplus = pods if node not in wanted else sorted(pods, key=lambda p: str(p["metadata"]["name"]))[1:]
            for pod in surplus:
                self._delete(ds, pod)
        for node in wanted:
            if node not in by_node:
                self._create(ds, node, revision)
        self._roll(ds, {n: p[0] for n, p in by_node.items() if n in wanted}, revision)
        self._status(ds, wanted, revision)

    def _nodes(self, ds: JSON) -> list[str]:
        spec = tolerant((ds["spec"].get("template") or {}).get("spec") or {})
        return sorted(n["metadata"]["name"] for n in self.world.objects(world.NODES) if scheduling.feasible(spec, n))

    def _create(self, ds: JSON, node: str, revision: str) -> None:
        template = copy.deepcopy(ds["spec"].get("template") or {})
        template["spec"] = daemon_spec(template.get("spec") or {}, node)
        body = pod_from_template(ds, "DaemonSet", template)
        body["metadata"]["generateName"] = f"{ds['metadata']['name']}-"
        body["metadata"]["labels"].update({REVISION_LABEL: revision,
                                           "pod-template-generation": str(ds["metadata"].get("generation", 1))})
        pod = self.world.create(world.PODS, ds["metadata"]["namespace"], body)
        if pod is not None:
            self.events.record(ds, reason="SuccessfulCreate", component=COMPONENT,
                               message=f"Created pod: {pod['metadata']['name']}")

    def _delete(self, ds: JSON, pod: JSON) -> None:
        self.world.delete(*world.ref_of(world.PODS, pod))
        self.events.record(ds, reason="SuccessfulDelete", component=COMPONENT,
                           message=f"Deleted pod: {pod['metadata']['name']}")

    def _roll(self, ds: JSON, pods: dict[str, JSON], revision: str) -> None:
        strategy = ds["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        budget = scaled_value((strategy.get("rollingUpdate") or {}).get("maxUnavailable", 1), len(pods),
                              round_up=False) or 1
        budget -= sum(1 for p in pods.values() if not pod_ready(p))
        for pod in sorted(pods.values(), key=lambda p: str(p["metadata"]["name"])):
            if budget <= 0:
                return
            if (pod["metadata"].get("labels") or {}).get(REVISION_LABEL) != revision:
                self._delete(ds, pod)
                budget -= 1

    def _status(self, ds: JSON, wanted: list[str], revision: str) -> None:
        ds = self.world.get(*world.ref_of(world.DAEMON_SETS, ds)) or ds
        pods = [p for p in self.world.owned(world.PODS, ds["metadata"]["namespace"], ds) if active(p)]
        placed = {target_node(p) for p in pods}
        on_wanted = [p for p in pods if target_node(p) in wanted]
        ready = [p for p in on_wanted if pod_ready(p)]
        status = {"currentNumberScheduled": len(placed & set(wanted)),
                  "numberMisscheduled": len(placed - set(wanted)),
                  "desiredNumberScheduled": len(wanted), "numberReady": len(ready),
                  "observedGeneration": ds["metadata"].get("generation", 1),
                  "updatedNumberScheduled": sum(1 for p in on_wanted
                                                if (p["metadata"].get("labels") or {}).get(REVISION_LABEL) == revision),
                  "numberAvailable": len(ready), "numberUnavailable": max(len(wanted) - len(ready), 0)}
        status = {k: v for k, v in status.items() if v or k in ("currentNumberScheduled", "numberMisscheduled",
                                                                "desiredNumberScheduled", "numberReady")}
        if status != (ds.get("status") or {}):
            self.world.update(world.DAEMON_SETS, {**ds, "status": status}, subresource="status")
