"""The simulation's view of one API server: every object in memory, kept current from the change log.

``World`` is built by ``seed.local.sim.simulation.Simulation`` and shared by its controllers, the way
controllers of a real cluster share informers. Reads come from memory; writes go through the API server's
``ResourceService`` (so defaulting, admission and the change log apply) and land in memory at once, so that a
controller never acts twice on what it already did before the change log has caught up.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from apiserver import errors
from apiserver.context import system_context
from apiserver.registry import ResourceType
from apiserver.server import ApiServer
from apiserver.storage.store import Change

log = logging.getLogger(__name__)
JSON = dict[str, Any]
# (storage key, namespace, name): how the simulation names an object.
Ref = tuple[str, str, str]
# Kept out of memory: never an owner in practice, and by far the most numerous kind.
UNCACHED = frozenset({"core/events"})

PODS, NODES, SERVICES, ENDPOINTS = "core/pods", "core/nodes", "core/services", "core/endpoints"
PVCS, PVS, NAMESPACES = "core/persistentvolumeclaims", "core/persistentvolumes", "core/namespaces"
DEPLOYMENTS, REPLICA_SETS = "apps/deployments", "apps/replicasets"
STATEFUL_SETS, DAEMON_SETS = "apps/statefulsets", "apps/daemonsets"


def ref_of(key: str, obj: JSON) -> Ref:
    md = obj["metadata"]
    return key, md.get("namespace") or "", md["name"]


def uid(obj: JSON) -> str:
    return str(obj["metadata"].get("uid", ""))


def controller_uid(obj: JSON) -> str | None:
    """The uid of the object's managing controller (the ownerReference with ``controller: true``)."""
    for owner in obj["metadata"].get("ownerReferences") or []:
        if owner.get("controller"):
            return str(owner.get("uid"))
    return None


def owner_reference(api_version: str, kind: str, owner: JSON) -> JSON:
    return {"apiVersion": api_version, "kind": kind, "name": owner["metadata"]["name"], "uid": uid(owner),
            "controller": True, "blockOwnerDeletion": True}


class World:
    """An in-memory copy of every (non-Event) object of one API server, and the writes controllers make."""

    def __init__(self, api: ApiServer) -> None:
        self.api = api
        self.rv = 0
        # key -> namespace -> name -> object.
        self._objects: dict[str, dict[str, dict[str, JSON]]] = collections.defaultdict(
            lambda: collections.defaultdict(dict))
        # owner uid -> refs of the objects whose ownerReferences name it.
        self._dependents: dict[str, set[Ref]] = collections.defaultdict(set)

    # --- keeping current -------------------------------------------------------------------------------------

    def relist(self) -> list[Ref]:
        """Load everything afresh (at start, and when the change log was compacted past us); returns all refs."""
        self._objects.clear()
        self._dependents.clear()
        self.rv = self.api.store.current_rv()
        for rt in self.api.registry.all():
            if rt.key in UNCACHED or rt.key in self._objects:
                continue
            for obj in self.api.store.list(rt.key, None)[0]:
                self._put(rt.key, obj)
        return list(self.refs())

    def refresh(self) -> list[Change]:
        """Apply the change log since the last refresh; the changes, in order."""
        if self.api.store.compacted_rv() > self.rv:
            self.relist()
            return []
        out: list[Change] = []
        while True:
            changes = self.api.store.changes_since(self.rv, limit=5000)
            for change in changes:
                self._apply(change)
            out += changes
            if len(changes) < 5000:
                return out

    def _apply(self, change: Change) -> None:
        self.rv = change.resource_version
        if change.resource in UNCACHED:
            return
        current = self.get(change.resource, change.namespace, change.name)
        if current is not None and _rv(current) > change.resource_version:
            return  # our own later write is already here
        if change.type == "DELETED":
            self._drop(change.resource, change.namespace, change.name)
        else:
            self._put(change.resource, change.object)

    def _put(self, key: str, obj: JSON) -> None:
        md = obj["metadata"]
        namespace, name = md.get("namespace") or "", md["name"]
        self._drop(key, namespace, name)
        self._objects[key][namespace][name] = obj
        for owner in md.get("ownerReferences") or []:
            self._dependents[str(owner.get("uid"))].add((key, namespace, name))

    def _drop(self, key: str, namespace: str, name: str) -> None:
        old = self._objects[key][namespace].pop(name, None)
        if old is None:
            return
        for owner in old["metadata"].get("ownerReferences") or []:
            refs = self._dependents.get(str(owner.get("uid")))
            if refs is not None:
                refs.discard((key, namespace, name))
                if not refs:
                    del self._dependents[str(owner.get("uid"))]

    # --- reads -----------------------------------------------------------------------------------------------

    def get(self, key: str, namespace: str, name: str) -> JSON | None:
        return self._objects[key][namespace].get(name)

    def objects(self, key: str, namespace: str | None = None) -> list[JSON]:
        if namespace is not None:
            return list(self._objects[key][namespace].values())
        return [obj for names in self._objects[key].values() for obj in names.values()]

    def refs(self, key: str | None = None) -> Iterator[Ref]:
        for k in [key] if key else list(self._objects):
            for namespace, names in self._objects[k].items():
                for name in names:
                    yield k, namespace, name

    def refs_in(self, key: str, namespace: str) -> list[Ref]:
        return [(key, namespace, name) for name in self._objects[key][namespace]]

    def dependents(self, owner_uid: str) -> list[tuple[Ref, JSON]]:
        out = []
        for ref in sorted(self._dependents.get(owner_uid, ())):
            obj = self.get(*ref)
            if obj is not None:
                out.append((ref, obj))
        return out

    def owned(self, key: str, namespace: str, owner: JSON) -> list[JSON]:
        """The objects of ``key`` in ``namespace`` whose managing controller is ``owner``."""
        return [obj for (k, ns, _), obj in self.dependents(uid(owner))
                if k == key and ns == namespace and controller_uid(obj) == uid(owner)]

    def kind(self, key: str) -> ResourceType:
        rt = self.api.registry.by_key(key)
        if rt is None:
            raise LookupError(f"{key} is not served")
        return rt

    # --- writes ----------------------------------------------------------------------------------------------

    def create(self, key: str, namespace: str, body: JSON) -> JSON | None:
        """Create; None when refused (the namespace is terminating, the name taken): the next round retries."""
        try:
            created = self.api.service.create(self.kind(key), namespace, body, system_context())
        except errors.ApiError as exc:
            log.debug("create of %s in %s refused: %s", key, namespace, exc)
            return None
        self._put(key, created)
        return created

    def update(self, key: str, obj: JSON, *, subresource: str = "") -> JSON | None:
        """Write ``obj`` (pinned to its resourceVersion); None on a conflict or when it is gone."""
        md = obj["metadata"]
        try:
            stored = self.api.service.update(self.kind(key), md.get("namespace") or "", md["name"], obj,
                                             system_context(), subresource=subresource)
        except errors.ApiError as exc:
            if exc.code not in (404, 409, 422):
                raise
            log.debug("update of %s %s refused: %s", key, md["name"], exc)
            return None
        if stored["metadata"].get("deletionTimestamp"):
            self._settle(key, stored)  # removing the last finalizer deletes the object
        else:
            self._put(key, stored)
        return stored

    def delete(self, key: str, namespace: str, name: str, **options: Any) -> None:
        try:
            gone = self.api.service.delete(self.kind(key), namespace, name, system_context(), options=options)
        except errors.ApiError as exc:
            if exc.code not in (404, 409):
                raise
            return
        self._settle(key, gone)

    def _settle(self, key: str, written: JSON) -> None:
        """Memory after a write that may have deleted the object: what the store now holds."""
        ref = ref_of(key, written)
        if self.api.store.get(*ref) is None:
            self._drop(*ref)
        else:
            self._put(key, written)

    def live(self, key: str, namespace: str, name: str) -> JSON | None:
        """The stored object, read from the database (the garbage collector's check before it deletes)."""
        return self.api.store.get(key, namespace, name)


def _rv(obj: JSON) -> int:
    try:
        return int(obj["metadata"].get("resourceVersion") or 0)
    except ValueError:
        return 0


def names(objs: Iterable[JSON]) -> list[str]:
    return [o["metadata"]["name"] for o in objs]
