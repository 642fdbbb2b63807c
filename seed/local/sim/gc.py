"""The garbage collector: ownerReferences honoured as Kubernetes' garbage collector honours them.

One of ``Simulation``'s controllers. Background: an object all of whose owners are gone is deleted. Foreground:
an owner marked with the ``foregroundDeletion`` finalizer (``propagationPolicy=Foreground``, added by the API
server once ``ResourceService.gc_enabled``) has its dependents deleted and goes once no dependent with
``blockOwnerDeletion`` remains. Orphan: an owner with the ``orphan`` finalizer has its dependents' references
to it removed, then goes.
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
FOREGROUND, ORPHAN = "foregroundDeletion", "orphan"


def finalizers(obj: JSON) -> list[str]:
    return list(obj["metadata"].get("finalizers") or [])


class GarbageCollector(Controller):
    name = "garbage-collector"

    def interested(self, change: Change) -> Iterable[Ref]:
        ref = (change.resource, change.namespace, change.name)
        if change.type == "DELETED":
            # Its dependents may now be orphans, and a foreground owner of it may now be free to go.
            yield from (r for r, _ in self.world.dependents(world.uid(change.object)))
            yield from self._owners(change.object)
            return
        if change.object["metadata"].get("ownerReferences"):
            yield ref
        if {FOREGROUND, ORPHAN} & set(finalizers(change.object)):
            yield ref

    def everything(self) -> Iterable[Ref]:
        for ref in self.world.refs():
            obj = self.world.get(*ref)
            if obj is not None and (obj["metadata"].get("ownerReferences") or
                                    {FOREGROUND, ORPHAN} & set(finalizers(obj))):
                yield ref

    def _owners(self, obj: JSON) -> Iterable[Ref]:
        for owner in obj["metadata"].get("ownerReferences") or []:
            found = self._owner(obj, owner)
            if found is not None:
                yield found[0]

    def _owner(self, dependent: JSON, owner: JSON) -> tuple[Ref, JSON] | None:
        """The owner an ownerReference names, if it exists with that uid (read from the database)."""
        rt = self.world.api.registry.by_kind(str(owner.get("apiVersion", "")), str(owner.get("kind", "")))
        if rt is None:
            return None
        ref = (rt.key, dependent["metadata"].get("namespace") or "" if rt.namespaced else "", str(owner.get("name")))
        found = self.world.get(*ref)
        if found is None or world.uid(found) != owner.get("uid"):
            return None
        return ref, found

    def reconcile(self, ref: Ref) -> None:
        obj = self.world.get(*ref)
        if obj is None:
            return
        if obj["metadata"].get("deletionTimestamp"):
            if ORPHAN in finalizers(obj):
                self._orphan(ref, obj)
            elif FOREGROUND in finalizers(obj):
                self._foreground(ref, obj)
        if obj["metadata"].get("ownerReferences"):
            self._check_owners(ref, obj)

    # --- owners being deleted ----------------------------------------------------------------------------------

    def _orphan(self, ref: Ref, owner: JSON) -> None:
        for dep_ref, dependent in self.world.dependents(world.uid(owner)):
            self._drop_references(dep_ref, dependent, {world.uid(owner)})
        self._remove_finalizer(ref, owner, ORPHAN)

    def _foreground(self, ref: Ref, owner: JSON) -> None:
        blocking = False
        for dep_ref, dependent in self.world.dependents(world.uid(owner)):
            mine = [o for o in dependent["metadata"].get("ownerReferences") or [] if o.get("uid") == world.uid(owner)]
            blocking = blocking or any(o.get("blockOwnerDeletion") for o in mine)
            if not dependent["metadata"].get("deletionTimestamp"):
                policy = "Foreground" if self.world.dependents(world.uid(dependent)) else "Background"
                self.world.delete(*dep_ref, propagationPolicy=policy)
        if not blocking:
            self._remove_finalizer(ref, owner, FOREGROUND)

    def _remove_finalizer(self, ref: Ref, obj: JSON, finalizer: str) -> None:
        body = copy.deepcopy(obj)
        body["metadata"]["finalizers"] = [f for f in finalizers(obj) if f != finalizer]
        self.world.update(ref[0], body)

    # --- dependents --------------------------------------------------------------------------------------------

    def _check_owners(self, ref: Ref, obj: JSON) -> None:
        solid, dangling, waiting = [], set(), set()
        for owner in obj["metadata"].get("ownerReferences") or []:
            found = self._owner(obj, owner)
            if found is None:
                found = self._live_owner(obj, owner)
            if found is None:
                dangling.add(str(owner.get("uid")))
            elif found[1]["metadata"].get("deletionTimestamp") and FOREGROUND in finalizers(found[1]):
                waiting.add(str(owner.get("uid")))
            else:
                solid.append(owner)
        if solid:
            if dangling or waiting:
                self._drop_references(ref, obj, dangling | waiting)
            return
        if obj["metadata"].get("deletionTimestamp"):
            return
        if waiting and self.world.dependents(world.uid(obj)):
            policy = "Foreground"
        else:
            policy = "Orphan" if ORPHAN in finalizers(obj) else "Foreground" if FOREGROUND in finalizers(obj) \
                else "Background"
        self.world.delete(*ref, propagationPolicy=policy, preconditions={"uid": world.uid(obj)})

    def _live_owner(self, obj: JSON, owner: JSON) -> tuple[Ref, JSON] | None:
        """Memory may lag the database: an owner absent from memory is looked up before its dependent goes."""
        rt = self.world.api.registry.by_kind(str(owner.get("apiVersion", "")), str(owner.get("kind", "")))
        if rt is None:
            return (("", "", ""), {"metadata": {}})  # an unknown kind: never collect what we cannot check
        ref = (rt.key, obj["metadata"].get("namespace") or "" if rt.namespaced else "", str(owner.get("name")))
        found = self.world.live(*ref)
        return (ref, found) if found is not None and world.uid(found) == owner.get("uid") else None

    def _drop_references(self, ref: Ref, obj: JSON, uids: set[str]) -> None:
        body = copy.deepcopy(obj)
        body["metadata"]["ownerReferences"] = [o for o in obj["metadata"].get("ownerReferences") or []
                                               if str(o.get("uid")) not in uids]
        if body["metadata"]["ownerReferences"] != obj["metadata"].get("ownerReferences"):
            self.world.update(ref[0], body)
