"""The Deployment controller: ReplicaSets per Pod template, rolling updates, and the Deployment's status.

One of ``Simulation``'s controllers, a condensed port of Kubernetes' own: the ReplicaSet of the current template
is named ``<deployment>-<pod-template-hash>``; a RollingUpdate scales it up and the old ones down within
``maxSurge``/``maxUnavailable``; Recreate scales the old ones to 0 first. The status carries the replica counts,
``observedGeneration`` and the ``Available``/``Progressing`` conditions ``kubectl rollout status`` reads.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterable
from typing import Any

from apiserver import meta
from apiserver.storage.store import Change
from seed.local.sim import world
from seed.local.sim.controller import Controller
from seed.local.sim.world import Ref

JSON = dict[str, Any]
COMPONENT = "deployment-controller"
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX = "deployment.kubernetes.io/max-replicas"
# Annotations of the Deployment that its ReplicaSets do not copy.
_NOT_COPIED = (REVISION, DESIRED, MAX, "kubectl.kubernetes.io/last-applied-configuration",
               "deployment.kubernetes.io/revision-history")
_SAFE = "bcdfghjklmnpqrstvwxz2456789"


def template_hash(template: JSON, collisions: int = 0) -> str:
    """Kubernetes' pod-template-hash: FNV-1a 32 of the template, its decimal digits in the safe alphabet."""
    value = 0x811C9DC5
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collisions:
        data += str(collisions).encode()
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "".join(_SAFE[ord(ch) % len(_SAFE)] for ch in str(value))


def _without_hash(template: JSON) -> JSON:
    out = copy.deepcopy(template)
    labels = (out.get("metadata") or {}).get("labels") or {}
    labels.pop(HASH_LABEL, None)
    return out


def scaled_value(value: Any, total: int, *, round_up: bool) -> int:
    """An IntOrString (``3`` or ``"25%"``) against ``total``."""
    if isinstance(value, int):
        return value
    text = str(value or "0")
    if text.endswith("%"):
        exact = int(text[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(text)


def fenceposts(deployment: JSON) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) in Pods; both 0 would deadlock, so unavailable becomes 1."""
    spec = deployment["spec"]
    if (spec.get("strategy") or {}).get("type") == "Recreate":
        return 0, 0
    rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
    replicas = int(spec.get("replicas", 1))
    surge = scaled_value(rolling.get("maxSurge", "25%"), replicas, round_up=True)
    unavailable = scaled_value(rolling.get("maxUnavailable", "25%"), replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, min(unavailable, replicas)


def replicas_of(rs: JSON) -> int:
    return int((rs.get("spec") or {}).get("replicas", 0))


def _status_count(rs: JSON, field: str) -> int:
    return int((rs.get("status") or {}).get(field) or 0)


def revision(rs: JSON) -> int:
    value = (rs["metadata"].get("annotations") or {}).get(REVISION, "0")
    return int(value) if str(value).isdigit() else 0


class DeploymentController(Controller):
    name = "deployments"
    primary = (world.DEPLOYMENTS,)

    def interested(self, change: Change) -> Iterable[Ref]:
        yield from super().interested(change)
        if change.resource == world.REPLICA_SETS:
            for obj in (change.object, change.prev):
                for owner in (obj or {}).get("metadata", {}).get("ownerReferences") or []:
                    if owner.get("controller") and owner.get("kind") == "Deployment":
                        yield world.DEPLOYMENTS, change.namespace, str(owner.get("name"))
        elif change.resource == world.PODS and change.type == "DELETED":
            # Recreate waits for the last old Pod to go, which changes no ReplicaSet.
            yield from self._deployment_of_pod(change)

    def _deployment_of_pod(self, change: Change) -> Iterable[Ref]:
        for owner in change.object["metadata"].get("ownerReferences") or []:
            rs = self.world.get(world.REPLICA_SETS, change.namespace, str(owner.get("name")))
            for grand in (rs or {}).get("metadata", {}).get("ownerReferences") or []:
                if grand.get("kind") == "Deployment":
                    yield world.DEPLOYMENTS, change.namespace, str(grand.get("name"))

    def reconcile(self, ref: Ref) -> None:
        deployment = self.world.get(*ref)
        if deployment is None or deployment["metadata"].get("deletionTimestamp"):
            return
        sets = self.world.owned(world.REPLICA_SETS, ref[1], deployment)
        new = next((rs for rs in sets if _without_hash(rs["spec"].get("template") or {})
                    == _without_hash(deployment["spec"].get("template") or {})), None)
        old = sorted((rs for rs in sets if rs is not new), key=lambda rs: str(rs["metadata"]["creationTimestamp"]))
        created = False
        if not deployment["spec"].get("paused"):
            strategy = (deployment["spec"].get("strategy") or {}).get("type", "RollingUpdate")
            rollout = self._recreate if strategy == "Recreate" else self._rolling
            new, created = rollout(deployment, new, old)
            self._clean_up(deployment, new, old)
        elif new is not None and replicas_of(new) != deployment["spec"].get("replicas", 1) and not any(
                replicas_of(rs) for rs in old):
            new = self._scale(deployment, new, int(deployment["spec"].get("replicas", 1)))
        self._status(deployment, new, old, created=created)

    # --- rollouts ----------------------------------------------------------------------------------------------

    def _rolling(self, d: JSON, new: JSON | None, old: list[JSON]) -> tuple[JSON | None, bool]:
        replicas = int(d["spec"].get("replicas", 1))
        _, max_unavailable = fenceposts(d)
        created = new is None
        if new is None:
            new = self._create(d, old, replicas=self._new_replicas(d, old, None))
        elif replicas_of(new) > replicas:
            new = self._scale(d, new, replicas)
        elif replicas_of(new) < replicas:
            new = self._scale(d, new, self._new_replicas(d, old, new))
        if new is None:
            return None, False
        self._scale_down_old(d, new, old, max_unavailable=max_unavailable)
        return new, created

    def _new_replicas(self, d: JSON, old: list[JSON], new: JSON | None) -> int:
        """How far the new ReplicaSet may grow now: up to replicas + maxSurge Pods in all."""
        replicas = int(d["spec"].get("replicas", 1))
        surge, _ = fenceposts(d)
        current = sum(replicas_of(rs) for rs in old) + (replicas_of(new) if new else 0)
        if current >= replicas + surge:
            return replicas_of(new) if new else 0
        return (replicas_of(new) if new else 0) + min(replicas + surge - current,
                                                      replicas - (replicas_of(new) if new else 0))

    def _scale_down_old(self, d: JSON, new: JSON, old: list[JSON], *, max_unavailable: int) -> None:
        """Kubernetes' reconcileOldReplicaSets: unhealthy old Pods first, then available ones down to the floor."""
        if not sum(replicas_of(rs) for rs in old):
            return
        everything = [new, *old]
        min_available = int(d["spec"].get("replicas", 1)) - max_unavailable
        new_unavailable = replicas_of(new) - _status_count(new, "availableReplicas")
        budget = sum(replicas_of(rs) for rs in everything) - min_available - new_unavailable
        if budget <= 0:
            return
        for i, rs in enumerate(old):  # unhealthy replicas can go without hurting availability
            unhealthy = replicas_of(rs) - _status_count(rs, "availableReplicas")
            cut = min(budget, max(unhealthy, 0))
            if cut:
                old[i] = self._scale(d, rs, replicas_of(rs) - cut) or rs
                budget -= cut
        available = sum(_status_count(rs, "availableReplicas") for rs in [new, *old])
        total_cut = min(available - min_available, budget)
        for i, rs in enumerate(old):
            if total_cut <= 0:
                break
            cut = min(replicas_of(rs), total_cut)
            if cut:
                old[i] = self._scale(d, rs, replicas_of(rs) - cut) or rs
                total_cut -= cut

    def _recreate(self, d: JSON, new: JSON | None, old: list[JSON]) -> tuple[JSON | None, bool]:
        for rs in old:
            if replicas_of(rs):
                self._scale(d, rs, 0)
        running = [p for rs in old for p in self.world.owned(world.PODS, d["metadata"]["namespace"], rs)
                   if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        if any(replicas_of(rs) or _status_count(rs, "replicas") for rs in old) or running:
            return new, False  # the new Pods start once every old one is gone
        replicas = int(d["spec"].get("replicas", 1))
        if new is None:
            return self._create(d, old, replicas=replicas), True
        if replicas_of(new) != replicas:
            new = self._scale(d, new, replicas)
        return new, False

    # --- ReplicaSets -------------------------------------------------------------------------------------------

    def _create(self, d: JSON, old: list[JSON], *, replicas: int) -> JSON | None:
        template = copy.deepcopy(d["spec"].get("template") or {})
        collisions = int((d.get("status") or {}).get("collisionCount") or 0)
        hashed = template_hash(template, collisions)
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = hashed
        selector = copy.deepcopy(d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[HASH_LABEL] = hashed
        name = f"{d['metadata']['name']}-{hashed}"
        next_revision = max((revision(rs) for rs in old), default=0) + 1
        annotations = {k: v for k, v in (d["metadata"].get("annotations") or {}).items() if k not in _NOT_COPIED}
        annotations.update(self._replica_annotations(d), **{REVISION: str(next_revision)})
        body = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": name, "labels": dict(template["metadata"]["labels"]),
                             "annotations": annotations,
                             "ownerReferences": [world.owner_reference("apps/v1", "Deployment", d)]},
                "spec": {"replicas": replicas, "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                         "selector": selector, "template": template}}
        rs = self.world.create(world.REPLICA_SETS, d["metadata"]["namespace"], body)
        if rs is None:
            return None
        self._event_scaled(d, rs, 0, replicas)
        self._set_revision(d, next_revision)
        return rs

    def _replica_annotations(self, d: JSON) -> dict[str, str]:
        replicas = int(d["spec"].get("replicas", 1))
        return {DESIRED: str(replicas), MAX: str(replicas + fenceposts(d)[0])}

    def _scale(self, d: JSON, rs: JSON, replicas: int) -> JSON | None:
        if replicas == replicas_of(rs):
            return rs
        body = copy.deepcopy(rs)
        body["spec"]["replicas"] = replicas
        body["metadata"].setdefault("annotations", {}).update(self._replica_annotations(d))
        stored = self.world.update(world.REPLICA_SETS, body)
        if stored is not None:
            self._event_scaled(d, stored, replicas_of(rs), replicas)
        return stored

    def _event_scaled(self, d: JSON, rs: JSON, before: int, after: int) -> None:
        if before == after:
            return
        way = "up" if after > before else "down"
        self.events.record(d, reason="ScalingReplicaSet", component=COMPONENT,
                           message=f"Scaled {way} replica set {rs['metadata']['name']} from {before} to {after}")

    def _set_revision(self, d: JSON, number: int) -> None:
        if (d["metadata"].get("annotations") or {}).get(REVISION) == str(number):
            return
        body = copy.deepcopy(self.world.get(*world.ref_of(world.DEPLOYMENTS, d)) or d)
        body["metadata"].setdefault("annotations", {})[REVISION] = str(number)
        self.world.update(world.DEPLOYMENTS, body)

    def _clean_up(self, d: JSON, new: JSON | None, old: list[JSON]) -> None:
        """Old ReplicaSets beyond ``revisionHistoryLimit`` go once they are empty."""
        limit = int(d["spec"].get("revisionHistoryLimit", 10))
        empty = sorted((rs for rs in old if not replicas_of(rs) and not _status_count(rs, "replicas")
                        and not rs["metadata"].get("deletionTimestamp")), key=revision)
        for rs in empty[: max(len(empty) - limit, 0)]:
            self.world.delete(*world.ref_of(world.REPLICA_SETS, rs))
        if new is not None and old and revision(new) <= max(revision(rs) for rs in old):
            # A rollback to an older template: its ReplicaSet becomes the newest revision again.
            number = max(revision(rs) for rs in old) + 1
            body = copy.deepcopy(new)
            body["metadata"].setdefault("annotations", {})[REVISION] = str(number)
            if self.world.update(world.REPLICA_SETS, body) is not None:
                self._set_revision(d, number)

    # --- status ------------------------------------------------------------------------------------------------

    def _status(self, d: JSON, new: JSON | None, old: list[JSON], *, created: bool) -> None:
        d = self.world.get(*world.ref_of(world.DEPLOYMENTS, d)) or d
        everything = [rs for rs in [new, *old] if rs is not None]
        replicas = int(d["spec"].get("replicas", 1))
        previous = d.get("status") or {}
        status: JSON = {
            "observedGeneration": d["metadata"].get("generation", 1),
            "replicas": sum(_status_count(rs, "replicas") for rs in everything),
            "updatedReplicas": _status_count(new, "replicas") if new else 0,
            "readyReplicas": sum(_status_count(rs, "readyReplicas") for rs in everything),
            "availableReplicas": sum(_status_count(rs, "availableReplicas") for rs in everything),
        }
        status["unavailableReplicas"] = max(replicas - status["availableReplicas"], 0)
        status = {k: v for k, v in status.items() if v or k == "observedGeneration"}
        if previous.get("collisionCount"):
            status["collisionCount"] = previous["collisionCount"]
        available = status.get("availableReplicas", 0) >= replicas - fenceposts(d)[1]
        conditions = [_available(previous, available), _progressing(d, previous, status, new, created=created)]
        status["conditions"] = [c for c in conditions if c is not None]
        if status != previous:
            self.world.update(world.DEPLOYMENTS, {**d, "status": status}, subresource="status")


def _condition(previous: JSON, kind: str, state: str, reason: str, message: str) -> JSON:
    old: JSON = _find(previous, kind) or {}
    if old.get("status") == state and old.get("reason") == reason and old.get("message") == message:
        return dict(old)
    now = meta.now()
    return {"type": kind, "status": state, "lastUpdateTime": now, "reason": reason, "message": message,
            "lastTransitionTime": old.get("lastTransitionTime") if old.get("status") == state else now}


def _find(status: JSON, kind: str) -> JSON | None:
    found = next((c for c in status.get("conditions") or [] if c.get("type") == kind), None)
    return dict(found) if isinstance(found, dict) else None


def _available(previous: JSON, available: bool) -> JSON:
    if available:
        return _condition(previous, "Available", "True", "MinimumReplicasAvailable",
                          "Deployment has minimum availability.")
    return _condition(previous, "Available", "False", "MinimumReplicasUnavailable",
                      "Deployment does not have minimum availability.")


def _progressing(d: JSON, previous: JSON, status: JSON, new: JSON | None, *, created: bool) -> JSON | None:
    old = _find(previous, "Progressing")
    if new is None:
        return old
    name = new["metadata"]["name"]
    replicas = int(d["spec"].get("replicas", 1))
    complete = (status.get("updatedReplicas", 0) == replicas and status.get("replicas", 0) == replicas
                and status.get("availableReplicas", 0) == replicas)
    if complete:
        return _condition(previous, "Progressing", "True", "NewReplicaSetAvailable",
                          f'ReplicaSet "{name}" has successfully progressed.')
    if created:
        return _condition(previous, "Progressing", "True", "NewReplicaSetCreated", f'Created new replica set "{name}"')
    moved = any(status.get(k, 0) != previous.get(k, 0) for k in ("updatedReplicas", "readyReplicas",
                                                                  "availableReplicas", "replicas"))
    if moved or old is None or old.get("reason") == "NewReplicaSetAvailable":
        return _condition(previous, "Progressing", "True", "ReplicaSetUpdated", f'ReplicaSet "{name}" is progressing.')
    return old
