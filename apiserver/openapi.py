"""OpenAPI v3 documents from a ``Registry``: the ``/openapi/v3`` index and one document per group version.

Called by the HTTP layer. kubectl 1.29+ reads them to decide on server-side field validation (a ``patch``
operation per kind with ``x-kubernetes-group-version-kind`` and a ``fieldValidation`` parameter), to pick
the patch type of client-side apply, and for ``kubectl explain`` (``components.schemas``). Pure functions:
caching per registry content is the caller's business.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import re
from typing import Any

from apiserver import discovery, schema
from apiserver.registry import Registry, ResourceType

JSON = dict[str, Any]

META = "io.k8s.apimachinery.pkg.apis.meta.v1"
OBJECT_META = f"{META}.ObjectMeta"
LIST_META = f"{META}.ListMeta"
PATCH = f"{META}.Patch"
DELETE_OPTIONS = f"{META}.DeleteOptions"
STATUS = f"{META}.Status"

PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json")
SMP = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"

_LIST_PARAMS = (
    "allowWatchBookmarks",
    "continue",
    "fieldSelector",
    "labelSelector",
    "limit",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "timeoutSeconds",
    "watch",
)
_WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")
_DELETE_PARAMS = ("dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy")
_TYPES = {
    "allowWatchBookmarks": "boolean",
    "limit": "integer",
    "timeoutSeconds": "integer",
    "watch": "boolean",
    "sendInitialEvents": "boolean",
    "gracePeriodSeconds": "integer",
    "orphanDependents": "boolean",
    "force": "boolean",
}


def gv_path(group: str, version: str) -> str:
    """``api/v1`` for the core group, ``apis/<group>/<version>`` otherwise (no leading slash)."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def document_hash(document: JSON) -> str:
    """A hash of the document's content, so that clients re-fetch it exactly when it changes."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest().upper()


def index(reg: Registry) -> JSON:
    """The ``/openapi/v3`` body: one ``serverRelativeURL`` with a content hash per served group version."""
    paths: JSON = {}
    for group, versions in sorted(reg.group_versions().items()):
        for version in versions:
            document = group_version_document(reg, group, version)
            if document is None:
                continue
            prefix = gv_path(group, version)
            paths[prefix] = {"serverRelativeURL": f"/openapi/v3/{prefix}?hash={document_hash(document)}"}
    return {"paths": paths}


def group_version_document(reg: Registry, group: str, version: str) -> JSON | None:
    """The ``/openapi/v3/api/v1`` or ``/openapi/v3/apis/<g>/<v>`` document, or None when not served."""
    types = reg.in_group_version(group, version)
    if not types:
        return None
    paths: JSON = {}
    schemas: JSON = _meta_schemas()
    for rt in types:
        paths.update(_resource_paths(rt))
        schemas[schema_name(rt)] = kind_schema(rt)
        schemas[schema_name(rt) + "List"] = list_schema(rt)
    return {
        "openapi": "3.0.0",
        "info": {"title": "hortus", "version": gv_path(group, version)},
        "paths": paths,
        "components": {"schemas": schemas},
    }


# --- schemas ---------------------------------------------------------------------------------------------


def schema_name(rt: ResourceType) -> str:
    """``io.k8s.api.core.v1.Secret`` for core kinds; reversed group otherwise, as for Kubernetes CRDs
    (``dev.hortus.test.v1alpha1.Widget``)."""
    prefix = ".".join(reversed(rt.group.split("."))) if rt.group else "io.k8s.api.core"
    return f"{prefix}.{rt.version}.{rt.kind}"


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _gvk(group: str, version: str, kind: str) -> JSON:
    return {"group": group, "version": version, "kind": kind}


_TYPE_META = {
    "apiVersion": {
        "type": "string",
        "description": "The versioned schema of this representation of an object.",
    },
    "kind": {"type": "string", "description": "The REST resource this object represents."},
}


def kind_schema(rt: ResourceType) -> JSON:
    """The kind's schema from ``rt.schema`` (free-form when None), metadata pointing at ObjectMeta."""
    if rt.schema is None:
        body: JSON = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    else:
        body = schema.resolve_refs(copy.deepcopy(rt.schema))
    body["type"] = "object"
    body.setdefault("description", f"{rt.kind} of {rt.group_version}.")
    body["properties"] = {
        **body.get("properties", {}),
        **copy.deepcopy(_TYPE_META),
        "metadata": {
            "allOf": [_ref(OBJECT_META)],
            "default": {},
            "description": "Standard object's metadata.",
        },
    }
    body["x-kubernetes-group-version-kind"] = [_gvk(rt.group, rt.version, rt.kind)]
    return body


def list_schema(rt: ResourceType) -> JSON:
    return {
        "type": "object",
        "description": f"{rt.kind}List is a list of {rt.kind}.",
        "required": ["items"],
        "properties": {
            **copy.deepcopy(_TYPE_META),
            "items": {"type": "array", "items": _ref(schema_name(rt))},
            "metadata": {"allOf": [_ref(LIST_META)], "default": {}, "description": "Standard list metadata."},
        },
        "x-kubernetes-group-version-kind": [_gvk(rt.group, rt.version, rt.kind + "List")],
    }


def _meta_schemas() -> JSON:
    string = {"type": "string"}
    return {
        OBJECT_META: {**copy.deepcopy(schema.OBJECT_META_SCHEMA), "description": "Standard object metadata."},
        LIST_META: {
            "type": "object",
            "description": "Metadata of a list: resourceVersion and the continue token.",
            "properties": {
                "continue": string,
                "remainingItemCount": {"type": "integer", "format": "int64"},
                "resourceVersion": string,
                "selfLink": string,
            },
        },
        PATCH: {
            "type": "object",
            "description": "The patch body, in the format of the request's Content-Type.",
        },
        DELETE_OPTIONS: {
            "type": "object",
            "description": "Options of a delete request.",
            "properties": {
                **copy.deepcopy(_TYPE_META),
                "dryRun": {"type": "array", "items": string},
                "gracePeriodSeconds": {"type": "integer", "format": "int64"},
                "orphanDependents": {"type": "boolean"},
                "preconditions": {"type": "object", "properties": {"resourceVersion": string, "uid": string}},
                "propagationPolicy": string,
            },
        },
        STATUS: {
            "type": "object",
            "description": "The result of an operation that returns no object.",
            "properties": {
                **copy.deepcopy(_TYPE_META),
                "code": {"type": "integer", "format": "int32"},
                "details": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "message": string,
                "metadata": {"allOf": [_ref(LIST_META)], "default": {}},
                "reason": string,
                "status": string,
            },
        },
    }


# --- paths -----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Verb:
    """One operation: the registry verb that enables it, its HTTP method, operationId prefix and action."""

    verb: str
    method: str
    name: str
    action: str
    params: tuple[str, ...]
    body: str  # "" none, "object" the kind, "patch" the patch media types, "delete" DeleteOptions
    codes: tuple[str, ...] = ("200",)


_LIST = _Verb("list", "get", "list", "list", _LIST_PARAMS, "")
_COLLECTION = (
    _LIST,
    _Verb("create", "post", "create", "post", _WRITE_PARAMS, "object", ("200", "201", "202")),
    _Verb(
        "deletecollection",
        "delete",
        "deletecollection",
        "deletecollection",
        _DELETE_PARAMS + _LIST_PARAMS,
        "delete",
    ),
)
_ITEM = (
    _Verb("get", "get", "read", "get", (), ""),
    _Verb("update", "put", "replace", "put", _WRITE_PARAMS, "object", ("200", "201")),
    _Verb("patch", "patch", "patch", "patch", (*_WRITE_PARAMS, "force"), "patch", ("200", "201")),
    _Verb("delete", "delete", "delete", "delete", _DELETE_PARAMS, "delete", ("200", "202")),
)
_SUBRESOURCE = (*_ITEM[:3], _COLLECTION[1])


def _resource_paths(rt: ResourceType) -> JSON:
    base = "/" + gv_path(rt.group, rt.version)
    scope = f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
    scope_params = [_path_param("namespace")] if rt.namespaced else []
    item_params = [_path_param("name"), *scope_params]
    kind = schema_name(rt)
    gvk = _gvk(rt.group, rt.version, rt.kind)
    candidates = [
        (scope, scope_params, _ops(rt, _COLLECTION, rt.verbs, gvk=gvk, kind=kind, suffix="")),
        (f"{scope}/{{name}}", item_params, _ops(rt, _ITEM, rt.verbs, gvk=gvk, kind=kind, suffix="")),
    ]
    if rt.namespaced:
        ops = _ops(rt, (_LIST,), rt.verbs, gvk=gvk, kind=kind, suffix="")
        for op in ops.values():
            op["operationId"] = op["operationId"].replace("Namespaced", "") + "ForAllNamespaces"
        candidates.append((f"{base}/{rt.plural}", [], ops))
    for name in rt.subresources:
        sub, sub_gvk = discovery.subresource(rt, name)
        # A subresource with a kind of its own (Scale, Binding) has no schema here: its body is any object.
        sub_kind = kind if sub_gvk == gvk else None
        ops = _ops(rt, _SUBRESOURCE, sub.verbs, gvk=sub_gvk, kind=sub_kind, suffix=name.capitalize())
        candidates.append((f"{scope}/{{name}}/{name}", item_params, ops))
    return {path: {**ops, "parameters": params} for path, params, ops in candidates if ops}


def _ops(
    rt: ResourceType,
    table: tuple[_Verb, ...],
    allowed: tuple[str, ...],
    *,
    gvk: JSON,
    kind: str | None,
    suffix: str,
) -> JSON:
    return {v.method: _op(rt, v, gvk=gvk, kind=kind, suffix=suffix) for v in table if v.verb in allowed}


def _op(rt: ResourceType, verb: _Verb, *, gvk: JSON, kind: str | None, suffix: str) -> JSON:
    scope = "Namespaced" if rt.namespaced else ""
    group = _camel(rt.group or "core")
    response = {"list": f"{kind}List" if kind else None, "deletecollection": STATUS}.get(verb.verb, kind)
    op: JSON = {
        "tags": [group + rt.version.capitalize()],
        "description": f"{verb.name} {rt.kind}{' ' + suffix.lower() if suffix else ''}",
        # As the Kubernetes API server names them: patchCoreGardenerCloudV1beta1NamespacedShootStatus.
        "operationId": f"{verb.name}{group}{rt.version.capitalize()}{scope}{rt.kind}{suffix}",
        "parameters": [_query_param(name) for name in verb.params],
        "responses": {**_ok(response, codes=verb.codes), "401": {"description": "Unauthorized"}},
        "x-kubernetes-action": verb.action,
        "x-kubernetes-group-version-kind": dict(gvk),
    }
    if verb.body:
        op["requestBody"] = _request_body(rt, verb.body, kind=kind)
    return op


def _request_body(rt: ResourceType, body: str, *, kind: str | None) -> JSON:
    if body == "patch":
        types = [*PATCH_TYPES, *([SMP] if rt.strategic_merge else []), APPLY]
        return {"required": True, "content": {t: {"schema": _ref(PATCH)} for t in types}}
    name = DELETE_OPTIONS if body == "delete" else kind
    return {"required": body != "delete", "content": {"application/json": {"schema": _schema_of(name)}}}


def _camel(group: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[.\-]", group) if part)


def _query_param(name: str) -> JSON:
    return {"name": name, "in": "query", "schema": {"type": _TYPES.get(name, "string")}, "uniqueItems": True}


def _path_param(name: str) -> JSON:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "uniqueItems": True}


def _schema_of(name: str | None) -> JSON:
    return _ref(name) if name else {"type": "object"}


def _ok(name: str | None, *, codes: tuple[str, ...]) -> JSON:
    return {
        code: {"description": "OK", "content": {"application/json": {"schema": _schema_of(name)}}}
        for code in codes
    }
