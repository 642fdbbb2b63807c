"""The StatefulSet controller: ordinal Pods ``<name>-0..n-1``, their PVCs, rolling updates and status.

One of ``Simulation``'s controllers. With ``OrderedReady`` (the default) Pod i is created only when Pods 0..i-1
are Running and Ready, and scale-down removes the highest ordinal first, one at a time; ``Parallel`` does
all at once. Each ``volumeClaimTemplates`` entry gives Pod i the claim ``<template>-<name>-<i>``, created before
the Pod and kept when the set scales down (unless ``persistentVolumeClaimRetentionPolicy`` says Delete).
A template change rolls the Pods from the highest ordinal down (honouring ``partition``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from apiserver.storage.store import Change
from seed.local.sim import world
from seed.local.sim.controller import Controller
from seed.local.sim.deployments import template_hash
from seed.local.sim.replicasets import active, pod_from_template, pod_ready
from seed.local.sim.world import Ref

JSON = dict[str, Any]
COMPONENT = "statefulset-controller"
REVISION_LABEL = "controller-revision-hash"


def ordinal(sts: JSON, pod: JSON) -> int | None:
    prefix, _, number = pod["metadata"]["name"].rpartition("-")
    return int(number) if prefix == sts["metadata"]["name"] and number.isdigit() else None


def update_revision(sts: JSON) -> str:
    return f"{sts['metadata']['name']}-{template_hash(sts['spec'].get('template') or {})}"


def claim_name(template: JSON, sts: JSON, index: int) -> str:
    return f"{template['metadata']['name']}-{sts['metadata']['name']}-{index}"


class StatefulSetController(Controller):
    name = "statefulsets"
    primary = (world.STATEFUL_SETS,)

    def interested(self, change: Change) -> Iterable[Ref]:
        yield from super().interested(change)
        if change.resource == world.PODS:
            for obj in (change.object, change.prev):
                for owner in (obj or {}).get("metadata", {}).get("ownerReferences") or []:
                    if owner.get("controller") and owner.get("kind") == "StatefulSet":
                        yield world.STATEFUL_SETS, change.namespace, str(owner.get("name"))

    def reconcile(self, ref: Ref) -> None:
        sts = self.world.get(*ref)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return
        pods = {i: p for p in self.world.owned(world.PODS, ref[1], sts) if (i := ordinal(sts, p)) is not None}
        self._step(sts, pods)
        self._status(sts)

    def _step(self, sts: JSON, pods: dict[int, JSON]) -> None:
        """One move, as the real controller makes one per sync in OrderedReady mode."""
        replicas = int(sts["spec"].get("replicas", 1))
        ordered = sts["spec"].get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        revision = update_revision(sts)
        for i in range(replicas):
            pod = pods.get(i)
            if pod is None:
                self._create(sts, i, revision)
                if ordered:
                    return
            elif ordered and not (active(pod) and pod_ready(pod)):
                return  # the next ordinal waits for this one
        for i in sorted((i for i in pods if i >= replicas), reverse=True):
            if not pods[i]["metadata"].get("deletionTimestamp"):
                self._delete(sts, pods[i])
                self._release_claims(sts, i)
            if ordered:
                return
        self._roll(sts, pods, revision, replicas=replicas)

    def _roll(self, sts: JSON, pods: dict[int, JSON], revision: str, *, replicas: int) -> None:
        strategy = sts["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        for i in range(replicas - 1, partition - 1, -1):
            pod = pods.get(i)
            if pod is None or pod["metadata"].get("deletionTimestamp"):
                return  # one Pod at a time
            if (pod["metadata"].get("labels") or {}).get(REVISION_LABEL) != revision:
                self._delete(sts, pod)
                return
            if not pod_ready(pod):
                return

    def _create(self, sts: JSON, index: int, revision: str) -> None:
        namespace, name = sts["metadata"]["namespace"], f"{sts['metadata']['name']}-{index}"
        for template in sts["spec"].get("volumeClaimTemplates") or []:
            self._claim(sts, template, index, pod_name=name)
        body = pod_from_template(sts, "StatefulSet", sts["spec"].get("template") or {})
        md, spec = body["metadata"], body["spec"]
        md["name"] = name
        md["labels"].update({REVISION_LABEL: revision, "apps.kubernetes.io/pod-index": str(index),
                             "statefulset.kubernetes.io/pod-name": name})
        spec["hostname"] = name
        if sts["spec"].get("serviceName"):
            spec["subdomain"] = sts["spec"]["serviceName"]
        claims = {t["metadata"]["name"]: claim_name(t, sts, index) for t in sts["spec"].get("volumeClaimTemplates")
                  or []}
        volumes = [v for v in spec.get("volumes") or [] if v.get("name") not in claims]
        volumes += [{"name": v, "persistentVolumeClaim": {"claimName": c}} for v, c in claims.items()]
        if volumes:
            spec["volumes"] = volumes
        if self.world.create(world.PODS, namespace, body) is not None:
            self.events.record(sts, reason="SuccessfulCreate", component=COMPONENT,
                               message=f"create Pod {name} in StatefulSet {sts['metadata']['name']} successful")

    def _claim(self, sts: JSON, template: JSON, index: int, *, pod_name: str) -> None:
        namespace, name = sts["metadata"]["namespace"], claim_name(template, sts, index)
        if self.world.get(world.PVCS, namespace, name) is not None:
            return
        labels = {**((template.get("metadata") or {}).get("labels") or {}),
                  **((sts["spec"].get("selector") or {}).get("matchLabels") or {})}
        md: JSON = {"name": name, "labels": labels}
        policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
        if policy.get("whenDeleted") == "Delete":
            md["ownerReferences"] = [world.owner_reference("apps/v1", "StatefulSet", sts)]
        body = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": md,
                "spec": copy.deepcopy(template.get("spec") or {})}
        if self.world.create(world.PVCS, namespace, body) is not None:
            self.events.record(sts, reason="SuccessfulCreate", component=COMPONENT,
                               message=f"create Claim {name} Pod {pod_name} in StatefulSet "
                                       f"{sts['metadata']['name']} success")

    def _release_claims(self, sts: JSON, index: int) -> None:
        """``whenScaled: Delete``: the claims of a removed ordinal go with it."""
        policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
        if policy.get("whenScaled") != "Delete":
            return
        for template in sts["spec"].get("volumeClaimTemplates") or []:
            self.world.delete(world.PVCS, sts["metadata"]["namespace"], claim_name(template, sts, index))

    def _delete(self, sts: JSON, pod: JSON) -> None:
        self.world.delete(*world.ref_of(world.PODS, pod))
        self.events.record(sts, reason="SuccessfulDelete", component=COMPONENT,
                           message=f"delete Pod {pod['metadata']['name']} in StatefulSet "
                                   f"{sts['metadata']['name']} successful")

    def _status(self, sts: JSON) -> None:
        sts = self.world.get(*world.ref_of(world.STATEFUL_SETS, sts)) or sts
        pods = [p for p in self.world.owned(world.PODS, sts["metadata"]["namespace"], sts)
                if ordinal(sts, p) is not None]
        revision = update_revision(sts)
        previous = sts.get("status") or {}
        current_revision = previous.get("currentRevision") or revision
        counted = [p for p in pods if active(p)]
        updated = [p for p in counted if (p["metadata"].get("labels") or {}).get(REVISION_LABEL) == revision]
        ready = [p for p in counted if pod_ready(p)]
        replicas = int(sts["spec"].get("replicas", 1))
        if len(updated) == replicas == len([p for p in updated if pod_ready(p)]):
            current_revision = revision  # the rollout is complete: the update revision is current
        current = [p for p in counted if (p["metadata"].get("labels") or {}).get(REVISION_LABEL) == current_revision]
        status = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": len(counted),
                  "readyReplicas": len(ready), "currentReplicas": len(current), "updatedReplicas": len(updated),
                  "availableReplicas": len(ready), "currentRevision": current_revision, "updateRevision": revision,
                  "collisionCount": int(previous.get("collisionCount") or 0)}
        status = {k: v for k, v in status.items() if v or k in ("replicas", "availableReplicas", "observedGeneration",
                                                                "collisionCount")}
        if status != previous:
            self.world.update(world.STATEFUL_SETS, {**sts, "status": status}, subresource="status")
