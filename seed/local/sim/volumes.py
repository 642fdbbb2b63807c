"""Volume binding: a pending PersistentVolumeClaim gets a provisioned PersistentVolume and turns Bound.

One of ``Simulation``'s controllers, standing in for a dynamic provisioner (kind's local-path) and the PV
controller. After the binding delay a claim gets ``pvc-<claim uid>`` with the requested size and access modes;
both turn Bound. A volume whose claim is gone is deleted (reclaim policy Delete) or Released (Retain).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from apiserver.storage.store import Change
from seed.local.sim import world
from seed.local.sim.controller import Controller
from seed.local.sim.world import Ref

JSON = dict[str, Any]
PROVISIONER = "rancher.io/local-path"
STORAGE_CLASS = "standard"
COMPONENT = "persistentvolume-controller"


def volume_for(claim: JSON) -> JSON:
    md, spec = claim["metadata"], claim.get("spec") or {}
    size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
    name = f"pvc-{md['uid']}"
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
            "spec": {"capacity": {"storage": size},
                     "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
                     "persistentVolumeReclaimPolicy": "Delete",
                     "storageClassName": spec.get("storageClassName") or STORAGE_CLASS,
                     "volumeMode": spec.get("volumeMode", "Filesystem"),
                     "hostPath": {"path": f"/var/local-path-provisioner/{name}_{md['namespace']}_{md['name']}",
                                  "type": "DirectoryOrCreate"},
                     "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": md["namespace"],
                                  "name": md["name"], "uid": md["uid"]}}}


class VolumeBinder(Controller):
    name = "volumes"
    primary = (world.PVCS, world.PVS)

    def __init__(self, sim: Any) -> None:
        super().__init__(sim)
        self._first_seen: dict[str, float] = {}

    def interested(self, change: Change) -> Iterable[Ref]:
        yield from super().interested(change)
        if change.resource == world.PVCS and change.type == "DELETED":
            self._first_seen.pop(world.uid(change.object), None)
            volume = (change.object.get("spec") or {}).get("volumeName")
            if volume:
                yield world.PVS, "", str(volume)

    def reconcile(self, ref: Ref) -> None:
        obj = self.world.get(*ref)
        if obj is None:
            return
        if ref[0] == world.PVS:
            self._reclaim(obj)
        elif not obj["metadata"].get("deletionTimestamp"):
            self._bind(ref, obj)

    def _bind(self, ref: Ref, claim: JSON) -> None:
        if (claim.get("status") or {}).get("phase") == "Bound":
            return
        uid = world.uid(claim)
        self._first_seen.setdefault(uid, self.sim.clock())
        wait = self._first_seen[uid] + self.sim.delays.pvc_binding - self.sim.clock()
        if wait > 0:
            self.sim.after(wait, self, ref)
            return
        name = claim["spec"].get("volumeName") or f"pvc-{uid}"
        volume = self.world.get(world.PVS, "", name) or self.world.create(world.PVS, "", volume_for(claim))
        if volume is None:
            return
        if (volume.get("status") or {}).get("phase") != "Bound":
            self.world.update(world.PVS, {**volume, "status": {"phase": "Bound"}}, subresource="status")
        self._bind_claim(claim, volume)

    def _bind_claim(self, claim: JSON, volume: JSON) -> None:
        body = copy.deepcopy(claim)
        body["spec"]["volumeName"] = volume["metadata"]["name"]
        body["spec"].setdefault("storageClassName", volume["spec"].get("storageClassName"))
        body["metadata"].setdefault("annotations", {}).update({
            "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
            "volume.beta.kubernetes.io/storage-provisioner": PROVISIONER,
            "volume.kubernetes.io/storage-provisioner": PROVISIONER})
        stored = self.world.update(world.PVCS, body)
        if stored is None:
            return
        status = {"phase": "Bound", "accessModes": list(volume["spec"].get("accessModes") or []),
                  "capacity": dict(volume["spec"].get("capacity") or {})}
        if self.world.update(world.PVCS, {**stored, "status": status}, subresource="status") is not None:
            self.events.record(stored, reason="ProvisioningSucceeded", component=PROVISIONER,
                               message=f"Successfully provisioned volume {volume['metadata']['name']}")

    def _reclaim(self, volume: JSON) -> None:
        ref = (volume.get("spec") or {}).get("claimRef") or {}
        if not ref.get("name"):
            return
        claim = self.world.get(world.PVCS, str(ref.get("namespace") or ""), str(ref["name"]))
        if claim is not None and world.uid(claim) == ref.get("uid"):
            return
        if volume["spec"].get("persistentVolumeReclaimPolicy") == "Delete":
            self.world.delete(*world.ref_of(world.PVS, volume))
        elif (volume.get("status") or {}).get("phase") != "Released":
            self.world.update(world.PVS, {**volume, "status": {"phase": "Released"}}, subresource="status")
