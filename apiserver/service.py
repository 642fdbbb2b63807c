"""Generic Kubernetes REST semantics for every registered kind: create, get, list, update, patch, delete.

Called by ``apiserver.http`` (one call per request) and by in-process controllers. Owns the rules a real API
server applies around storage: system metadata, generation, the status subresource, finalizers and
deletionTimestamp, optimistic concurrency, field validation, admission and dry runs.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import datetime as dt
import json
from typing import Any

from apiserver import errors, meta, patch, schema, selectors
from apiserver.context import RequestContext
from apiserver.errors import Cause
from apiserver.registry import Registry, ResourceType
from apiserver.storage.store import AlreadyStored, StaleResourceVersion, Store

JSON = dict[str, Any]
_RETRIES = 8


@dataclasses.dataclass(frozen=True)
class ListResult:
    items: list[JSON]
    resource_version: int
    continue_token: str | None


class ResourceService:
    """The generic handlers over one registry and one store."""

    def __init__(self, registry: Registry, store: Store) -> None:
        self.registry = registry
        self.store = store
        # Set where a garbage collector runs (the local seed cluster's simulation): deletes then honour
        # propagationPolicy Foreground and Orphan through their finalizers; the garden, with no GC, ignores it.
        self.gc_enabled = False
        # Storage keys of kinds deleted gracefully, as Pods are where a kubelet runs: a Pod bound to a node gets
        # a future deletionTimestamp and the kubelet deletes it with grace period 0 once its containers stopped.
        self.graceful: set[str] = set()

    # --- reads ----------------------------------------------------------------------------------------------

    def get(self, rt: ResourceType, namespace: str, name: str) -> JSON:
        obj = self.store.get(rt.key, namespace, name)
        if obj is None:
            raise errors.not_found(rt.qualified, name)
        return with_type(rt, obj)

    def list(
        self,
        rt: ResourceType,
        namespace: str | None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        limit: int | None = None,
        continue_token: str | None = None,
    ) -> ListResult:
        labels = selectors.parse_label_selector(label_selector)
        fields = selectors.parse_field_selector(field_selector)
        selectors.check_fields(fields, allowed_fields(rt), rt.qualified)
        after, pinned_rv = decode_continue(continue_token) if continue_token else (None, None)
        only_name = _equality(fields, "metadata.name")
        items: list[JSON] = []
        rv = pinned_rv
        batch = max(limit or 500, 100)
        while True:
            page, page_rv = self.store.list(rt.key, namespace, after=after, limit=batch, name=only_name)
            rv = rv or page_rv
            for obj in page:
                after = (obj["metadata"].get("namespace") or "", obj["metadata"]["name"])
                if labels.matches(obj["metadata"].get("labels") or {}) and fields.matches(_getter(rt, obj)):
                    items.append(with_type(rt, obj))
                    if limit and len(items) == limit:
                        more = bool(self.store.list(rt.key, namespace, after=after, limit=1, name=only_name)[0])
                        return ListResult(items, rv, encode_continue(after, rv) if more else None)
            if len(page) < batch:
                return ListResult(items, rv, None)

    # --- writes ---------------------------------------------------------------------------------------------

    def create(self, rt: ResourceType, namespace: str, body: JSON, ctx: RequestContext) -> JSON:
        obj = self._decode_body(rt, body, namespace=namespace, ctx=ctx)
        md = obj["metadata"]
        if not md.get("name") and md.get("generateName"):
            md["name"] = meta.generated_name(md["generateName"])
        self._check_name(rt, md.get("name", ""))
        self._check_namespace(rt, namespace)
        for field in ("resourceVersion", *meta.SYSTEM_FIELDS):
            md.pop(field, None)
        md.update(uid=meta.new_uid(), creationTimestamp=meta.now(), generation=1)
        if rt.has_status:
            obj.pop("status", None)
        obj = self._prepare(rt, obj, old=None, operation="CREATE", subresource="", ctx=ctx)
        if ctx.dry_run:
            return with_type(rt, obj)
        try:
            with self.store.write() as txn:
                stored = txn.create(rt.key, obj)
        except AlreadyStored:
            raise errors.already_exists(rt.qualified, md["name"]) from None
        return self._after(rt, "CREATE", with_type(rt, stored))

    def update(
        self, rt: ResourceType, namespace: str, name: str, body: JSON, ctx: RequestContext, *, subresource: str = ""
    ) -> JSON:
        obj = self._decode_body(rt, body, namespace=namespace, ctx=ctx)
        if obj["metadata"].get("name", name) != name:
            raise errors.bad_request("the name of the object does not match the name on the URL")
        obj["metadata"]["name"] = name
        expect = obj["metadata"].get("resourceVersion") or None
        return self._write(rt, namespace, name, lambda _old: copy.deepcopy(obj), expect, ctx, subresource)

    def patch(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: bytes,
        content_type: str,
        ctx: RequestContext,
        *,
        subresource: str = "",
    ) -> JSON:
        def patched(old: JSON) -> JSON:
            new = patch.apply_patch(old, body, content_type, strategic=rt.strategic_merge)
            if not isinstance(new, dict) or not isinstance(new.get("metadata"), dict):
                raise errors.bad_request("the patch must leave an object with metadata")
            new = self._decode_body(rt, new, namespace=namespace, ctx=ctx)
            if new["metadata"].get("name") != name:
                raise errors.bad_request("metadata.name cannot be changed by a patch")
            return new

        expect = _patch_rv(body, content_type)
        return self._write(rt, namespace, name, patched, expect, ctx, subresource)

    def delete(
        self, rt: ResourceType, namespace: str, name: str, ctx: RequestContext, *, options: JSON | None = None
    ) -> JSON:
        options = options or {}
        for _ in range(_RETRIES):
            old = self.get(rt, namespace, name)
            _check_preconditions(rt, old, options.get("preconditions") or {})
            for admit in rt.admission:
                admit(operation="DELETE", new=old, old=old, subresource="", user=ctx.user)
            new = self._deletion_marked(rt, old, options)
            if ctx.dry_run:
                return new if new is not None else old
            try:
                return self._commit_delete(rt, old, new)
            except StaleResourceVersion:
                continue
        raise errors.conflict(rt.qualified, name)

    # --- internals ------------------------------------------------------------------------------------------

    def _write(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        build: Any,
        expect: str | None,
        ctx: RequestContext,
        subresource: str,
    ) -> JSON:
        for _ in range(_RETRIES):
            old = self.get(rt, namespace, name)
            if expect is not None and old["metadata"].get("resourceVersion") != expect:
                raise errors.conflict(rt.qualified, name)
            new = self._merge_update(rt, old, build(old), subresource)
            if meta.same_ignoring_rv(new, old):
                return old
            new = self._prepare(rt, new, old=old, operation="UPDATE", subresource=subresource, ctx=ctx)
            if ctx.dry_run:
                return with_type(rt, new)
            try:
                if _finalized(rt, new):
                    return self._commit_delete(rt, old, None)
                with self.store.write() as txn:
                    stored = txn.update(rt.key, new, expect_rv=old["metadata"]["resourceVersion"])
                return self._after(rt, "UPDATE", with_type(rt, stored))
            except StaleResourceVersion:
                if expect is not None:
                    raise errors.conflict(rt.qualified, name) from None
        raise errors.conflict(rt.qualified, name)

    def _after(self, rt: ResourceType, operation: str, obj: JSON) -> JSON:
        if rt.after_write is not None:
            rt.after_write(operation, obj)
        return obj

    def _merge_update(self, rt: ResourceType, old: JSON, new: JSON, subresource: str) -> JSON:
        """Keep what a write to this (sub)resource may not change, and bump generation on content changes."""
        if subresource in rt.subresource_fields:
            return _merge_fields(old, new, rt.subresource_fields[subresource])
        if subresource == "finalize":
            merged = copy.deepcopy(old)
            merged.setdefault("spec", {})["finalizers"] = (new.get("spec") or {}).get("finalizers") or []
            return merged
        if subresource == "status":
            merged = copy.deepcopy(old)
            if "status" in new:
                merged["status"] = new["status"]
            else:
                merged.pop("status", None)
            return merged
        new_md, old_md = new["metadata"], old["metadata"]
        for field in meta.SYSTEM_FIELDS:
            if field in old_md:
                new_md[field] = old_md[field]
            else:
                new_md.pop(field, None)
        new_md["namespace"] = old_md.get("namespace")
        if not new_md["namespace"]:
            new_md.pop("namespace")
        if rt.has_status:
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
        if meta.content(new) != meta.content(old):
            new_md["generation"] = int(old_md.get("generation", 1)) + 1
        if old_md.get("deletionTimestamp"):
            added = set(new_md.get("finalizers") or []) - set(old_md.get("finalizers") or [])
            if added:
                raise errors.invalid(rt.kind, old_md["name"], [Cause(
                    field="metadata.finalizers", reason="FieldValueForbidden",
                    message="Forbidden: no new finalizers can be added if the object is being deleted")],
                    group=rt.group)
        return new

    def _prepare(
        self, rt: ResourceType, obj: JSON, *, old: JSON | None, operation: str, subresource: str, ctx: RequestContext
    ) -> JSON:
        if rt.normalize is not None:
            obj = rt.normalize(obj)
        causes = meta.metadata_causes(obj["metadata"])
        if causes:
            raise errors.invalid(rt.kind, obj["metadata"].get("name", ""), causes, group=rt.group)
        if rt.model is not None:
            schema.validate_with_model(obj, rt.model, rt.kind, obj["metadata"].get("name", ""))
        for admit in rt.admission:
            obj = admit(operation=operation, new=obj, old=old, subresource=subresource, user=ctx.user)
        return obj

    def _decode_body(self, rt: ResourceType, body: JSON, *, namespace: str, ctx: RequestContext) -> JSON:
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request must be a JSON object")
        obj = copy.deepcopy(body)
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        if (kind and kind != rt.kind) or (api_version and api_version != rt.api_version):
            raise errors.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version "
                f"({rt.api_version}) or kind {kind} is not {rt.kind}"
            )
        md = obj.get("metadata")
        if md is None:
            md = obj["metadata"] = {}
        if not isinstance(md, dict):
            raise errors.bad_request("metadata must be an object")
        for key in ("labels", "annotations", "finalizers", "ownerReferences"):
            if key in md and not md[key]:
                del md[key]  # Go's omitempty: removing the last label (`kubectl label x k-`) leaves no "labels": {}
        if rt.namespaced:
            if md.get("namespace") and md["namespace"] != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request")
            md["namespace"] = namespace
        else:
            md.pop("namespace", None)
        return self._validate_fields(rt, obj, ctx)

    def _validate_fields(self, rt: ResourceType, obj: JSON, ctx: RequestContext) -> JSON:
        if ctx.field_validation == "Ignore" and rt.schema is None:
            return obj
        pruned, unknown = schema.prune(obj, rt.schema)
        if unknown and ctx.field_validation == "Strict":
            raise errors.bad_request("strict decoding error: " + ", ".join(f'unknown field "{u}"' for u in unknown))
        if unknown and ctx.field_validation == "Warn":
            ctx.warnings.extend(f'unknown field "{u}"' for u in unknown)
        pruned["apiVersion"], pruned["kind"] = rt.api_version, rt.kind
        return pruned

    def _check_name(self, rt: ResourceType, name: str) -> None:
        problems = meta.name_problems(name, label=(rt.group == "" and rt.plural == "namespaces"))
        if problems:
            raise errors.invalid(rt.kind, name, [Cause(field="metadata.name", message=p) for p in problems],
                                 group=rt.group)

    def _check_namespace(self, rt: ResourceType, namespace: str) -> None:
        if not rt.namespaced:
            return
        ns_type = self.registry.get("", "v1", "namespaces")
        if ns_type is None:
            return
        ns = self.store.get(ns_type.key, "", namespace)
        if ns is None:
            raise errors.not_found("namespaces", namespace)
        if ns["metadata"].get("deletionTimestamp"):
            raise errors.forbidden(
                f'{rt.qualified} "" is forbidden: unable to create new content in namespace {namespace} '
                "because it is being terminated")

    def _deletion_marked(self, rt: ResourceType, old: JSON, options: JSON) -> JSON | None:
        """The object marked for deletion when finalizers hold it, or None when it can go now."""
        finalizers = list(old["metadata"].get("finalizers") or [])
        policy = _propagation_finalizer(options) if self.gc_enabled else None
        if policy and not old["metadata"].get("deletionTimestamp") and policy not in finalizers:
            finalizers.append(policy)
        grace = _grace_period(old, options) if rt.key in self.graceful else 0
        if grace and not finalizers:
            return _gracefully_marked(old, grace)
        if _spec_finalizers(rt, old):
            new = copy.deepcopy(old)
            new["metadata"].setdefault("deletionTimestamp", meta.now())
            new["metadata"].setdefault("deletionGracePeriodSeconds", 0)
            return rt.normalize(new) if rt.normalize else new
        if not finalizers:
            return None
        new = copy.deepcopy(old)
        md = new["metadata"]
        md["finalizers"] = finalizers
        md.setdefault("deletionTimestamp", meta.now())
        md.setdefault("deletionGracePeriodSeconds", 0)
        return new

    def _commit_delete(self, rt: ResourceType, old: JSON, marked: JSON | None) -> JSON:
        name, namespace = old["metadata"]["name"], old["metadata"].get("namespace") or ""
        with self.store.write() as txn:
            if marked is None:
                gone = txn.delete(rt.key, namespace, name, expect_rv=old["metadata"]["resourceVersion"])
                return with_type(rt, gone)
            if meta.same_ignoring_rv(marked, old):
                return with_type(rt, old)
            return with_type(rt, txn.update(rt.key, marked, expect_rv=old["metadata"]["resourceVersion"]))


def with_type(rt: ResourceType, obj: JSON) -> JSON:
    if obj.get("kind") == rt.kind and obj.get("apiVersion") == rt.api_version:
        return obj
    return {"apiVersion": rt.api_version, "kind": rt.kind, **{k: v for k, v in obj.items()
                                                              if k not in ("apiVersion", "kind")}}


def allowed_fields(rt: ResourceType) -> set[str]:
    base = {"metadata.name"} | ({"metadata.namespace"} if rt.namespaced else set())
    return base | set(rt.field_selectors)


def _getter(rt: ResourceType, obj: JSON) -> Any:
    def get(field: str) -> str | None:
        path = rt.field_selectors.get(field, field)
        return selectors.field_value(obj, path)

    return get


def _equality(fields: selectors.FieldSelector, field: str) -> str | None:
    for f, op, value in fields.requirements:
        if f == field and op in ("=", "=="):
            return value
    return None


def _merge_fields(old: JSON, new: JSON, paths: tuple[str, ...]) -> JSON:
    """``old`` with only ``paths`` (dotted) taken from ``new``; generation bumps when they change."""
    merged = copy.deepcopy(old)
    for path in paths:
        *parents, leaf = path.split(".")
        src: Any = new
        dst = merged
        for part in parents:
            src = src.get(part) if isinstance(src, dict) else None
            dst = dst.setdefault(part, {})
        if isinstance(src, dict) and leaf in src:
            dst[leaf] = copy.deepcopy(src[leaf])
        else:
            dst.pop(leaf, None)
    if meta.content(merged) != meta.content(old):
        merged["metadata"]["generation"] = int(old["metadata"].get("generation", 1)) + 1
    return merged


def _propagation_finalizer(options: JSON) -> str | None:
    """The finalizer through which the garbage collector carries out a delete's propagationPolicy."""
    policy = options.get("propagationPolicy")
    if policy is None and options.get("orphanDependents") is not None:
        policy = "Orphan" if options["orphanDependents"] else "Background"
    return {"Foreground": "foregroundDeletion", "Orphan": "orphan"}.get(str(policy))


def _grace_period(obj: JSON, options: JSON) -> int:
    """Seconds a Pod is given to stop: 0 when no kubelet runs it (unbound or finished), as Kubernetes does."""
    spec, md = obj.get("spec") or {}, obj["metadata"]
    if not spec.get("nodeName") or (obj.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return 0
    wanted = options.get("gracePeriodSeconds")
    grace = wanted if isinstance(wanted, int) else spec.get("terminationGracePeriodSeconds", 30)
    current = md.get("deletionGracePeriodSeconds")
    if md.get("deletionTimestamp") and isinstance(current, int) and current <= grace:
        return -1  # already terminating with a grace period at most as long: nothing changes
    return max(int(grace), 0)


def _gracefully_marked(old: JSON, grace: int) -> JSON:
    if grace < 0:
        return old
    new = copy.deepcopy(old)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=grace)
    new["metadata"]["deletionTimestamp"] = deadline.strftime("%Y-%m-%dT%H:%M:%SZ")
    new["metadata"]["deletionGracePeriodSeconds"] = grace
    return new


def _finalized(rt: ResourceType, new: JSON) -> bool:
    md = new["metadata"]
    return bool(md.get("deletionTimestamp")) and not md.get("finalizers") and not _spec_finalizers(rt, new)


def _spec_finalizers(rt: ResourceType, obj: JSON) -> list[str]:
    """Namespaces are also held by ``spec.finalizers`` (the namespace controller's ``kubernetes``)."""
    if rt.group == "" and rt.plural == "namespaces":
        return list((obj.get("spec") or {}).get("finalizers") or [])
    return []


def _check_preconditions(rt: ResourceType, old: JSON, pre: JSON) -> None:
    md = old["metadata"]
    if pre.get("uid") and pre["uid"] != md.get("uid"):
        raise errors.conflict(rt.qualified, md["name"], f"Precondition failed: UID in precondition: {pre['uid']}, "
                              f"UID in object meta: {md.get('uid')}")
    if pre.get("resourceVersion") and pre["resourceVersion"] != md.get("resourceVersion"):
        raise errors.conflict(rt.qualified, md["name"], "Precondition failed: ResourceVersion in precondition: "
                              f"{pre['resourceVersion']}, ResourceVersion in meta: {md.get('resourceVersion')}")


def _patch_rv(body: bytes, content_type: str) -> str | None:
    """A resourceVersion the patch itself pins (``kubectl diff`` and clients doing optimistic patches)."""
    if "merge-patch" not in content_type:
        return None
    try:
        doc = json.loads(body or b"{}")
    except ValueError:
        return None
    md = doc.get("metadata") if isinstance(doc, dict) else None
    rv = md.get("resourceVersion") if isinstance(md, dict) else None
    return rv if isinstance(rv, str) and rv else None


def encode_continue(after: tuple[str, str], rv: int) -> str:
    raw = json.dumps({"rv": rv, "ns": after[0], "name": after[1]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_continue(token: str) -> tuple[tuple[str, str], int]:
    try:
        doc = json.loads(base64.urlsafe_b64decode(token.encode()))
        return (str(doc["ns"]), str(doc["name"])), int(doc["rv"])
    except (ValueError, KeyError, TypeError):
        raise errors.bad_request("continue key is not valid: the format is invalid") from None
