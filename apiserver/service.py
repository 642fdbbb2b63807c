"""Generic Kubernetes REST semantics for every registered kind: create, get, list, update, patch, delete.

Called by ``apiserver.routes`` (one call per request) and by in-process controllers. Owns the rules a real API
server applies around storage: system metadata, optimistic concurrency, validation, admission and dry runs.
Lists are ``apiserver.listing``'s, body decoding and update merging ``apiserver.objects``', deletion marking
(finalizers, graceful Pods) ``apiserver.deletion``'s.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from apiserver import deletion, errors, listing, meta, objects, patch, schema
from apiserver.context import RequestContext
from apiserver.errors import Cause
from apiserver.listing import ListResult, allowed_fields, decode_continue, encode_continue
from apiserver.objects import with_type
from apiserver.registry import Registry, ResourceType
from apiserver.storage.store import AlreadyStored, StaleResourceVersion, Store, Vanished

# The moved names stay importable from here, where callers found them first.
__all__ = ["ListResult", "ResourceService", "allowed_fields", "decode_continue", "encode_continue", "with_type"]

JSON = dict[str, Any]
_RETRIES = 8


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
        exact_rv: int | None = None,
    ) -> ListResult:
        """The objects now, or with ``exact_rv`` as they were at that resourceVersion (410 when compacted)."""
        if exact_rv is not None:
            return listing.list_exact(self.store, rt, namespace, exact_rv, label_selector=label_selector,
                                      field_selector=field_selector, limit=limit)
        return listing.list_objects(self.store, rt, namespace, label_selector=label_selector,
                                    field_selector=field_selector, limit=limit, continue_token=continue_token)

    # --- writes ---------------------------------------------------------------------------------------------

    def create(self, rt: ResourceType, namespace: str, body: JSON, ctx: RequestContext) -> JSON:
        obj = objects.decode(rt, body, namespace=namespace, ctx=ctx)
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
        obj = objects.decode(rt, body, namespace=namespace, ctx=ctx)
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
            new = objects.decode(rt, new, namespace=namespace, ctx=ctx)
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
            deletion.check_preconditions(rt, old, options.get("preconditions") or {})
            for admit in rt.admission:
                admit(operation="DELETE", new=old, old=old, subresource="", user=ctx.user)
            new = deletion.marked(rt, old, options, gc_enabled=self.gc_enabled, graceful=rt.key in self.graceful)
            if ctx.dry_run:
                return new if new is not None else old
            try:
                return self._commit_delete(rt, old, new)
            except StaleResourceVersion:
                continue
            except Vanished:
                raise errors.not_found(rt.qualified, name) from None
        raise errors.conflict(rt.qualified, name)

    # --- internals ------------------------------------------------------------------------------------------

    def _write(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        build: Callable[[JSON], JSON],
        expect: str | None,
        ctx: RequestContext,
        subresource: str,
    ) -> JSON:
        for _ in range(_RETRIES):
            old = self.get(rt, namespace, name)
            if expect is not None and old["metadata"].get("resourceVersion") != expect:
                raise errors.conflict(rt.qualified, name)
            new = objects.merge_update(rt, old, build(old), subresource)
            if meta.same_ignoring_rv(new, old):
                return old
            new = self._prepare(rt, new, old=old, operation="UPDATE", subresource=subresource, ctx=ctx)
            if ctx.dry_run:
                return with_type(rt, new)
            try:
                if deletion.finalized(rt, new):
                    return self._commit_delete(rt, old, None)
                with self.store.write() as txn:
                    stored = txn.update(rt.key, new, expect_rv=old["metadata"]["resourceVersion"])
                return self._after(rt, "UPDATE", with_type(rt, stored))
            except StaleResourceVersion:
                if expect is not None:
                    raise errors.conflict(rt.qualified, name) from None
            except Vanished:
                raise errors.not_found(rt.qualified, name) from None
        raise errors.conflict(rt.qualified, name)

    def _after(self, rt: ResourceType, operation: str, obj: JSON) -> JSON:
        if rt.after_write is not None:
            rt.after_write(operation, obj)
        return obj

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

    def _check_name(self, rt: ResourceType, name: str) -> None:
        if rt.name_rule == "path-segment":
            problems = meta.path_segment_problems(name)
        else:
            problems = meta.name_problems(name, label=rt.name_rule == "label" or (rt.group == "" and
                                                                               rt.plural == "namespaces"))
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

    def _commit_delete(self, rt: ResourceType, old: JSON, marked: JSON | None) -> JSON:
        name, namespace = old["metadata"]["name"], old["metadata"].get("namespace") or ""
        with self.store.write() as txn:
            if marked is None:
                gone = txn.delete(rt.key, namespace, name, expect_rv=old["metadata"]["resourceVersion"])
                return with_type(rt, gone)
            if meta.same_ignoring_rv(marked, old):
                return with_type(rt, old)
            return with_type(rt, txn.update(rt.key, marked, expect_rv=old["metadata"]["resourceVersion"]))


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
