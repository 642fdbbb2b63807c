"""Generic Kubernetes REST semantics for every registered kind: create, get, list, update, patch, delete.

Called by ``apiserver.routes`` (one call per request) and by in-process controllers. Owns the rules a real API
server applies around storage: system metadata, optimistic concurrency, validation, admission and dry runs.
Lists are ``apiserver.listing``'s, body decoding and update merging ``apiserver.objects``', deletion marking
(finalizers, graceful Pods) ``apiserver.deletion``'s.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pydantic

from apiserver import continuation, deletion, errors, limits, listing, meta, objects, patch, ratchet, schema
from apiserver.context import RequestContext
from apiserver.errors import Cause
from apiserver.listing import ListResult, Visible, allowed_fields
from apiserver.objects import with_type
from apiserver.registry import Registry, ResourceType
from apiserver.storage.keys import ServerKeys
from apiserver.storage.store import AlreadyStored, Corrupt, StaleResourceVersion, Store, Vanished

# The moved names stay importable from here, where callers found them first.
__all__ = ["ListResult", "ResourceService", "allowed_fields", "with_type"]
CONTINUE_KEY = "continue-tokens"

JSON = dict[str, Any]


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
        # Continue tokens are sealed with a key kept in the database: every process serving it opens them.
        self.tokens = continuation.ContinueTokens(lambda: ServerKeys(store.engine).get(CONTINUE_KEY))

    # --- reads ----------------------------------------------------------------------------------------------

    def get(self, rt: ResourceType, namespace: str, name: str) -> JSON:
        try:
            obj = self.store.get(rt.key, namespace, name)
        except Corrupt as exc:
            raise errors.storage_read_error(rt.qualified, name, exc.why) from None
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
        caller: str = "",
        visible: Visible | None = None,
    ) -> ListResult:
        """The objects now, or with ``exact_rv`` as they were at that resourceVersion (410 when compacted).

        ``visible`` filters what ``caller`` may see; pages and continue tokens count only those objects."""
        if exact_rv is not None:
            return listing.list_exact(self.store, rt, namespace, exact_rv, tokens=self.tokens, caller=caller,
                                      label_selector=label_selector, field_selector=field_selector, limit=limit,
                                      visible=visible)
        return listing.list_objects(self.store, rt, namespace, tokens=self.tokens, caller=caller,
                                    label_selector=label_selector, field_selector=field_selector, limit=limit,
                                    continue_token=continue_token, visible=visible)

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
        if obj["metadata"].get("name", "") != name:
            raise errors.bad_request(f'the name of the object ({obj["metadata"].get("name", "")}) does not match '
                                     f"the name on the URL ({name})")
        expect = obj["metadata"].get("resourceVersion") or None

        def replaced(_old: JSON) -> JSON:
            if expect is None and not rt.unconditional_update:
                raise _resource_version_required(rt, name)
            return copy.deepcopy(obj)

        return self._write(rt, namespace, name, replaced, expect, ctx, subresource)

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
            new = patch.apply_patch(old, body, content_type, strategic=rt.strategic_merge, schema=rt.schema)
            if not isinstance(new, dict) or not isinstance(new.get("metadata"), dict):
                raise errors.bad_request("the patch must leave an object with metadata")
            # A resourceVersion the patch itself sets (kubectl diff, optimistic clients) pins the write to it.
            pinned = new["metadata"].get("resourceVersion")
            # (one of another JSON type is refused by decoding below, as the type error it is)
            if isinstance(pinned, str) and pinned and pinned != old["metadata"].get("resourceVersion"):
                raise errors.conflict(rt.qualified, name)
            new = objects.decode(rt, new, namespace=namespace, ctx=ctx)
            if new["metadata"].get("name") != name:
                raise errors.bad_request("metadata.name cannot be changed by a patch")
            return new

        # Applied to the object as it is at each attempt, so retried until it applies (GuaranteedUpdate).
        return self._write(rt, namespace, name, patched, None, ctx, subresource)

    def delete(
        self, rt: ResourceType, namespace: str, name: str, ctx: RequestContext, *, options: JSON | None = None
    ) -> JSON:
        options = options or {}
        if options.get("ignoreStoreReadErrorWithClusterBreakingPotential"):
            return self._delete_unreadable(rt, namespace, name, ctx)
        while True:  # preconditions are checked against each attempt's object, so a race is retried
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

    def _delete_unreadable(self, rt: ResourceType, namespace: str, name: str, ctx: RequestContext) -> JSON:
        """Remove an object that cannot be read, without admission or finalizers (KEP-3926's unsafe delete)."""
        try:
            readable = self.store.get(rt.key, namespace, name)
        except Corrupt:
            pass
        else:
            if readable is None:
                raise errors.not_found(rt.qualified, name)
            raise errors.invalid("DeleteOptions", "", [Cause(
                field="ignoreStoreReadErrorWithClusterBreakingPotential", reason="FieldValueInvalid",
                message="Invalid value: true: is exclusively used to delete corrupt objects, and the object "
                        f'{rt.qualified} "{name}" is not corrupt')], group="meta.k8s.io")
        if not ctx.dry_run:
            with self.store.write() as txn:
                if not txn.delete_unreadable(rt.key, namespace, name):
                    raise errors.not_found(rt.qualified, name)
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "details": {"name": name, "kind": rt.plural, **({"group": rt.group} if rt.group else {})}}

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
        # A write that names no resourceVersion is retried until it applies, however many writers race it
        # (Kubernetes' GuaranteedUpdate): each attempt rebuilds it from the object as it now is. One that names a
        # version conflicts as soon as that version is gone.
        while True:
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

    def _after(self, rt: ResourceType, operation: str, obj: JSON) -> JSON:
        if rt.after_write is not None:
            rt.after_write(operation, obj)
        return obj

    def _prepare(
        self, rt: ResourceType, obj: JSON, *, old: JSON | None, operation: str, subresource: str, ctx: RequestContext
    ) -> JSON:
        if rt.normalize is not None:
            obj = rt.normalize(obj)
        causes = meta.metadata_causes(obj["metadata"]) + limits.object_causes(rt, obj)
        if causes:
            raise errors.invalid(rt.kind, obj["metadata"].get("name", ""), causes, group=rt.group)
        invalid = None
        if rt.model is not None:
            try:
                schema.validate_with_model(obj, rt.model, rt.kind, obj["metadata"].get("name", ""))
            except errors.ApiError as exc:
                # Ratcheted: a stored value a newer schema refuses does not block writes that leave it alone.
                invalid = exc
                if (kept := ratchet.narrowed(exc, new=obj, old=old)) is not None:
                    raise kept from None
        for admit in rt.admission:
            try:
                obj = admit(operation=operation, new=obj, old=old, subresource=subresource, user=ctx.user)
            except pydantic.ValidationError:
                if invalid is None:
                    raise
                raise invalid from None  # admission needs the typed object the schema could not give it
        return obj

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

    def _commit_delete(self, rt: ResourceType, old: JSON, marked: JSON | None) -> JSON:
        name, namespace = old["metadata"]["name"], old["metadata"].get("namespace") or ""
        with self.store.write() as txn:
            if marked is None:
                gone = txn.delete(rt.key, namespace, name, expect_rv=old["metadata"]["resourceVersion"])
                return with_type(rt, gone)
            if meta.same_ignoring_rv(marked, old):
                return with_type(rt, old)
            return with_type(rt, txn.update(rt.key, marked, expect_rv=old["metadata"]["resourceVersion"]))


def _resource_version_required(rt: ResourceType, name: str) -> errors.ApiError:
    """What a kind whose strategy refuses unconditional updates answers a PUT without resourceVersion."""
    cause = Cause(field="metadata.resourceVersion", message="Invalid value: 0x0: must be specified for an update")
    return errors.ApiError(422, "Invalid", f'{rt.qualified} "{name}" is invalid: {cause.field}: {cause.message}',
                           details={"name": name, "group": rt.group, "kind": rt.plural, "causes": [cause.to_json()]})
