"""CustomResourceDefinitions: each stored CRD's served versions become kinds of the local seed cluster.

``CrdController`` is built by ``seed.local.server``. Its ``admit`` hook defaults and validates CRDs and gives
them their ``NamesAccepted``/``Established`` conditions; after every committed CRD write (a store listener) and
periodically (``run_forever``) it syncs the registry with the stored CRDs, registering versions and their
``scale`` handlers, and empties and releases deleted CRDs (the ``customresourcecleanup`` finalizer).
"""

from __future__ import annotations

import copy
import logging
import threading
from typing import Any

from apiserver import errors, meta, rounds
from apiserver.context import system_context
from apiserver.errors import Cause
from apiserver.registry import DuplicateResourceError, PrinterColumn, ResourceType
from apiserver.server import ApiServer
from seed.local.scale import ScaleHandler, ScalePaths

log = logging.getLogger(__name__)
JSON = dict[str, Any]
GROUP, VERSION, PLURAL = "apiextensions.k8s.io", "v1", "customresourcedefinitions"
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"


def crd_types(crd: JSON) -> list[ResourceType]:
    """The kinds one CRD defines: one per served version."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    return [_version_type(spec, names, v) for v in spec.get("versions") or [] if v.get("served", True)]


def _version_type(spec: JSON, names: JSON, version: JSON) -> ResourceType:
    subresources = version.get("subresources") or {}
    schema = (version.get("schema") or {}).get("openAPIV3Schema")
    return ResourceType(
        group=spec["group"], version=version["name"], kind=names["kind"], plural=names["plural"],
        namespaced=spec.get("scope", "Namespaced") == "Namespaced", singular=names.get("singular", ""),
        short_names=tuple(names.get("shortNames") or ()), categories=tuple(names.get("categories") or ()),
        subresources=tuple(s for s in ("status", "scale") if s in subresources),
        printer_columns=tuple(_column(c) for c in version.get("additionalPrinterColumns") or []),
        field_selectors={f["jsonPath"].lstrip("."): f["jsonPath"].lstrip(".")
                         for f in version.get("selectableFields") or [] if f.get("jsonPath")},
        schema=copy.deepcopy(schema) if isinstance(schema, dict) else None, strategic_merge=False,
        # As the custom resource strategy has it: a PUT must name the resourceVersion it replaces.
        unconditional_update=False,
    )


def _column(c: JSON) -> PrinterColumn:
    return PrinterColumn(name=c["name"], path=c["jsonPath"], type=c.get("type", "string"),
                         format=c.get("format", ""), description=c.get("description", ""),
                         priority=int(c.get("priority", 0)))


def scale_handler(crd: JSON, version: JSON) -> ScaleHandler | None:
    scale = (version.get("subresources") or {}).get("scale")
    if not isinstance(scale, dict):
        return None
    return ScaleHandler(ScalePaths(spec_replicas=scale.get("specReplicasPath", ".spec.replicas"),
                                   status_replicas=scale.get("statusReplicasPath", ".status.replicas"),
                                   label_selector=scale.get("labelSelectorPath") or ""))


# --- defaulting and validation ---------------------------------------------------------------------------------


def defaulted(crd: JSON) -> JSON:
    out = copy.deepcopy(crd)
    spec = out.setdefault("spec", {})
    names = spec.setdefault("names", {})
    if names.get("kind"):
        names.setdefault("singular", str(names["kind"]).lower())
        names.setdefault("listKind", f"{names['kind']}List")
    spec.setdefault("scope", "Namespaced")
    spec.setdefault("conversion", {"strategy": "None"})
    for version in spec.get("versions") or []:
        if isinstance(version, dict):
            version.setdefault("served", True)
            version.setdefault("storage", False)
    return out


def causes(crd: JSON) -> list[Cause]:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    found = [Cause(field=f"spec.{f}", message="Required value", reason="FieldValueRequired")
             for f, v in (("group", spec.get("group")), ("names.plural", names.get("plural")),
                          ("names.kind", names.get("kind")), ("versions", spec.get("versions"))) if not v]
    if found:
        return found
    name, expected = crd["metadata"].get("name", ""), f"{names['plural']}.{spec['group']}"
    if name != expected:
        found.append(Cause(field="metadata.name", message=f'Invalid value: "{name}": must be '
                           'spec.names.plural+"."+spec.group'))
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        found.append(Cause(field="spec.scope", reason="FieldValueNotSupported",
                           message=f'Unsupported value: "{spec.get("scope")}": supported values: "Cluster", '
                           '"Namespaced"'))
    if sum(1 for v in spec["versions"] if v.get("storage")) != 1:
        found.append(Cause(field="spec.versions", message=f"Invalid value: {_version_names(spec)}: must have "
                           "exactly one version marked as storage version"))
    return found


def _version_names(spec: JSON) -> str:
    return "[]string{" + ", ".join(f'"{v.get("name")}"' for v in spec.get("versions") or []) + "}"


def established_status(crd: JSON, old: JSON | None) -> JSON:
    spec = crd.get("spec") or {}
    stamp = meta.now()
    previous = {c.get("type"): c for c in ((old or {}).get("status") or {}).get("conditions") or []}

    def condition(kind: str, reason: str, message: str) -> JSON:
        since = previous.get(kind, {}).get("lastTransitionTime", stamp)
        return {"type": kind, "status": "True", "reason": reason, "message": message, "lastTransitionTime": since}

    stored = list(((old or {}).get("status") or {}).get("storedVersions") or [])
    for version in spec.get("versions") or []:
        if version.get("storage") and version.get("name") not in stored:
            stored.append(version["name"])
    return {
        "conditions": [condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                       condition("Established", "InitialNamesAccepted", "the initial names have been accepted")],
        "acceptedNames": copy.deepcopy(spec.get("names") or {}),
        "storedVersions": stored,
    }


# --- the controller --------------------------------------------------------------------------------------------


class CrdController:
    """Keeps the registry in step with the stored CRDs of one ``ApiServer``."""

    def __init__(self, api: ApiServer, *, interval: float = 1.0) -> None:
        self.api = api
        self.interval = interval
        # CRD name -> the kinds registered for it.
        self.served: dict[str, list[ResourceType]] = {}
        # Reentrant: a sync that cleans up a deleted CRD's objects commits, which calls ``on_commit`` again.
        self._lock = threading.RLock()
        self._dirty = True
        # The threads whose CRD write was admitted and has not synced yet: another thread's sync (the periodic
        # one, or one after an unrelated commit) may run between a write's admission and its commit.
        self._writers: set[int] = set()

    @property
    def crd_type(self) -> ResourceType:
        rt = self.api.registry.get(GROUP, VERSION, PLURAL)
        assert rt is not None, "the CustomResourceDefinition kind must be registered first"
        return rt

    def admit(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        """Admission of CRDs: defaults, validation, the cleanup finalizer and the Established status."""
        self._dirty = True
        self._writers.add(threading.get_ident())
        if operation == "DELETE" or subresource == "status":
            return new
        out = defaulted(new)
        found = causes(out)
        if found:
            raise errors.invalid("CustomResourceDefinition", out["metadata"].get("name", ""), found,
                                 group=GROUP)
        md = out["metadata"]
        if operation == "CREATE":
            md["finalizers"] = [*(md.get("finalizers") or []), CLEANUP_FINALIZER]
        if not md.get("deletionTimestamp"):
            out["status"] = established_status(out, old)
        return out

    def on_commit(self) -> None:
        """A store listener: sync after a CRD write, so the new kinds are served when the response is sent."""
        mine = threading.get_ident() in self._writers
        if self._dirty or mine:
            self._writers.discard(threading.get_ident())
            self._dirty = True
            # Waits for a sync running in another thread (the periodic one): returning before it registered the
            # new kinds would answer the CRD write while they are not served yet.
            self.sync(wait=True)

    async def run_forever(self) -> None:
        await rounds.run_forever(self.sync, interval=self.interval, name="CRD controller")

    def sync(self, *, wait: bool = False) -> None:
        if not self._lock.acquire(blocking=wait):
            return  # another thread syncs; it loops while the dirty flag is set
        try:
            self._dirty = True
            while self._dirty:
                self._dirty = False
                self._sync_once()
        finally:
            self._lock.release()

    def _sync_once(self) -> None:
        # A terminating CRD keeps serving its objects (their finalizers may still need removing) until it goes.
        crds = {c["metadata"]["name"]: c for c in self.api.service.list(self.crd_type, None).items}
        for name in [n for n in self.served if n not in crds]:
            self._unregister(name)
        for name, crd in crds.items():
            self._register(name, crd)
            if crd["metadata"].get("deletionTimestamp"):
                self._clean_up(crd)

    def _register(self, name: str, crd: JSON) -> None:
        wanted = crd_types(crd)
        if self.served.get(name) == wanted:
            return
        self._unregister(name)
        registered = []
        for rt in wanted:
            try:
                registered.append(self.api.registry.register(rt))
            except DuplicateResourceError:
                log.warning("CRD %s: %s/%s %s is served already; not registered", name, rt.group, rt.version,
                            rt.plural)
        self.served[name] = registered
        versions = {v["name"]: v for v in (crd.get("spec") or {}).get("versions") or []}
        for rt in registered:
            handler = scale_handler(crd, versions.get(rt.version, {}))
            if handler is not None:
                self.api.subresources[(rt.key, "scale")] = handler

    def _unregister(self, name: str) -> None:
        for rt in self.served.pop(name, []):
            self.api.registry.unregister(rt.group, rt.version, rt.plural)
            self.api.subresources.pop((rt.key, "scale"), None)

    def _clean_up(self, crd: JSON) -> None:
        """Delete every object of a deleted CRD, then drop its cleanup finalizer so that it goes too."""
        name = crd["metadata"]["name"]
        for rt in self.served.get(name, [])[:1]:  # every version shares the storage key
            for item in self._stored(rt.key):
                md = item["metadata"]
                if not md.get("deletionTimestamp"):
                    self._delete(rt, md)
            if self._stored(rt.key):
                return  # objects held by their finalizers: the next round looks again
        if CLEANUP_FINALIZER not in (crd["metadata"].get("finalizers") or []):
            return
        new = copy.deepcopy(crd)
        new["metadata"]["finalizers"] = [f for f in new["metadata"]["finalizers"] if f != CLEANUP_FINALIZER]
        try:
            self.api.service.update(self.crd_type, "", name, new, system_context())
        except errors.ApiError as exc:
            if exc.code not in (404, 409):
                raise

    def _delete(self, rt: ResourceType, md: JSON) -> None:
        try:
            self.api.service.delete(rt, md.get("namespace") or "", md["name"], system_context())
        except errors.ApiError as exc:
            if exc.code != 404:
                raise

    def _stored(self, key: str) -> list[JSON]:
        items, after = [], None
        while True:
            page, _rv = self.api.store.list(key, None, after=after, limit=500)
            items += page
            if len(page) < 500:
                return items
            last = page[-1]["metadata"]
            after = (last.get("namespace") or "", last["name"])
