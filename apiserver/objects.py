"""The object of a resource request: typed for serving, decoded from a request body, merged over the stored one.

Pure functions over plain dicts, called by ``apiserver.service`` on every write (``decode``, ``merge_update``) and
by ``apiserver.listing`` and ``apiserver.routes`` for what they serve (``with_type``).
"""

from __future__ import annotations

import copy
from typing import Any

from apiserver import decoding, errors, meta, schema
from apiserver.context import RequestContext
from apiserver.errors import Cause
from apiserver.registry import ResourceType

JSON = dict[str, Any]


def with_type(rt: ResourceType, obj: JSON) -> JSON:
    if obj.get("kind") == rt.kind and obj.get("apiVersion") == rt.api_version:
        return obj
    return {"apiVersion": rt.api_version, "kind": rt.kind, **{k: v for k, v in obj.items()
                                                              if k not in ("apiVersion", "kind")}}


# --- decoding ---------------------------------------------------------------------------------------------------


def decode(rt: ResourceType, body: JSON, *, namespace: str, ctx: RequestContext) -> JSON:
    """A copy of ``body`` checked against the kind and the URL's namespace, unknown fields handled per ``ctx``.

    Refuses (400) what could not be stored and served back, and metadata whose JSON types are not ObjectMeta's."""
    if not isinstance(body, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    decoding.check(body, what="the object")  # before any recursive code (deepcopy, pruning) sees it
    _check_type(rt, body)
    problem = None if body.get("metadata") is None else meta.type_problem(body["metadata"])
    if problem:
        raise cannot_handle(rt, *problem)
    obj = copy.deepcopy(body)
    md = obj.get("metadata")
    if md is None:
        md = obj["metadata"] = {}
    for key in [k for k, v in md.items() if v is None]:
        del md[key]  # Go decodes null to the zero value, which it omits
    for key in ("labels", "annotations", "finalizers", "ownerReferences"):
        if key in md and not md[key]:
            del md[key]  # Go's omitempty: removing the last label (`kubectl label x k-`) leaves no "labels": {}
    _place_in_namespace(rt, md, namespace)
    return _validate_fields(rt, obj, ctx)


def cannot_handle(rt: ResourceType, field: str, go_type: str, found: str) -> errors.ApiError:
    """Kubernetes' 400 for a body whose JSON does not decode into the kind's Go type."""
    struct = "ObjectMeta" if field.startswith("metadata.") else rt.kind
    problem = f"cannot unmarshal {found} into a value of type {go_type}"
    if go_type == "int32":
        problem = "must be a 32-bit integer (between -2147483648 and 2147483647)"
    return errors.bad_request(
        f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: json: cannot unmarshal {found} '
        f"into Go struct field {struct}.{field} of type {go_type}",
        causes=[Cause(field=field, reason="FieldValueInvalid",
                      message=f"Invalid value: {problem}")])


def _check_type(rt: ResourceType, obj: JSON) -> None:
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    for field, value in (("kind", kind), ("apiVersion", api_version)):
        if value is not None and not isinstance(value, str):
            raise errors.bad_request(f"couldn't get version/kind; json parse error: json: cannot unmarshal "
                                     f"{meta.json_type(value)} into Go struct field .{field} of type string",
                                     causes=[Cause(field=field, message="Invalid value: must be a string")])
    if (kind and kind != rt.kind) or (api_version and api_version != rt.api_version):
        raise errors.bad_request(
            f"the API version in the data ({api_version}) does not match the expected API version "
            f"({rt.api_version}) or kind {kind} is not {rt.kind}"
        )


def _place_in_namespace(rt: ResourceType, md: JSON, namespace: str) -> None:
    if not rt.namespaced:
        md.pop("namespace", None)
        return
    if md.get("namespace") and md["namespace"] != namespace:
        raise errors.bad_request(
            "the namespace of the provided object does not match the namespace sent on the request")
    md["namespace"] = namespace


def _validate_fields(rt: ResourceType, obj: JSON, ctx: RequestContext) -> JSON:
    if ctx.field_validation == "Ignore" and rt.schema is None:
        return obj
    int32: list[str] = []
    pruned, unknown = schema.prune(obj, rt.schema, int32=int32)
    if int32:
        raise cannot_handle(rt, int32[0], "int32", "number")
    if unknown and ctx.field_validation == "Strict":
        raise errors.bad_request("strict decoding error: " + ", ".join(f'unknown field "{u}"' for u in unknown))
    if unknown and ctx.field_validation == "Warn":
        ctx.warnings.extend(f'unknown field "{u}"' for u in unknown)
    pruned["apiVersion"], pruned["kind"] = rt.api_version, rt.kind
    return pruned


# --- merging an update ------------------------------------------------------------------------------------------


def merge_update(rt: ResourceType, old: JSON, new: JSON, subresource: str) -> JSON:
    """Keep what a write to this (sub)resource may not change, and bump generation on content changes."""
    if subresource in rt.subresource_fields:
        return _merge_fields(old, new, rt.subresource_fields[subresource])
    if subresource == "finalize":
        merged = copy.deepcopy(old)
        merged.setdefault("spec", {})["finalizers"] = (new.get("spec") or {}).get("finalizers") or []
        return merged
    if subresource == "status":
        merged = copy.deepcopy(old)
        _keep(merged, source=new, key="status")
        return merged
    return _merge_main(rt, old, new)


def _merge_main(rt: ResourceType, old: JSON, new: JSON) -> JSON:
    """A write to the object itself: system metadata, namespace and (where the kind has one) status stay."""
    new_md, old_md = new["metadata"], old["metadata"]
    for field in meta.SYSTEM_FIELDS:
        _keep(new_md, source=old_md, key=field)
    new_md["namespace"] = old_md.get("namespace")
    if not new_md["namespace"]:
        new_md.pop("namespace")
    if rt.has_status:
        _keep(new, source=old, key="status")
    if meta.content(new) != meta.content(old):
        new_md["generation"] = int(old_md.get("generation", 1)) + 1
    if old_md.get("deletionTimestamp"):
        _forbid_new_finalizers(rt, old_md, new_md)
    return new


def _keep(target: JSON, *, source: JSON, key: str) -> None:
    """``target[key]`` as in ``source``: copied where ``source`` has it, removed where it does not."""
    if key in source:
        target[key] = source[key]
    else:
        target.pop(key, None)


def _forbid_new_finalizers(rt: ResourceType, old_md: JSON, new_md: JSON) -> None:
    added = set(new_md.get("finalizers") or []) - set(old_md.get("finalizers") or [])
    if added:
        raise errors.invalid(rt.kind, old_md["name"], [Cause(
            field="metadata.finalizers", reason="FieldValueForbidden",
            message="Forbidden: no new finalizers can be added if the object is being deleted")],
            group=rt.group)


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
