"""JSON schemas of API objects: pydantic models made self-contained, unknown-field pruning, model errors.

Called by the generic write handlers (prune for ``fieldValidation``, ``validate_with_model`` for 422 causes),
by ``apiserver.openapi`` (kind schemas) and by packages that embed ``ObjectMeta`` in their typed objects.
"""

from __future__ import annotations

import contextvars
import copy
import json
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from apiserver import errors

JSON = dict[str, Any]

# Where a recursive model refers to itself, the schema stops and accepts anything below.
FREE_FORM: JSON = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
TOP_LEVEL_FIELDS = ("apiVersion", "kind", "metadata")
_BRANCH_KEYS = ("anyOf", "oneOf", "allOf")
# Where the running ``prune`` collects out-of-range int32 paths (None: not asked for).
_INT32_PROBLEMS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("int32_problems", default=None)


def list_merged_by(key: str) -> JSON:
    """The OpenAPI extensions of a list Go tags ``patchStrategy:"merge" patchMergeKey:"<key>"`` (and
    ``+listType=map``): strategic merge patches and kubectl's client-side apply merge its items by ``key``."""
    return {
        "x-kubernetes-list-map-keys": [key],
        "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": key,
        "x-kubernetes-patch-strategy": "merge",
    }


class _CamelModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, alias_generator=to_camel)


class OwnerReference(_CamelModel):
    api_version: str = Field(description="API version of the referent.")
    kind: str = Field(description="Kind of the referent.")
    name: str = Field(description="Name of the referent.")
    uid: str = Field(description="UID of the referent.")
    controller: bool | None = Field(
        default=None, description="If true, this reference points to the managing controller."
    )
    block_owner_deletion: bool | None = Field(
        default=None, description="If true, the owner cannot be deleted before this reference is removed."
    )


class ObjectMeta(_CamelModel):
    """metav1.ObjectMeta: embed it as ``metadata`` in typed objects."""

    name: str | None = Field(default=None, description="Name must be unique within a namespace.")
    generate_name: str | None = Field(default=None, description="Prefix of a name the server generates.")
    namespace: str | None = Field(default=None, description="The namespace of a namespaced object.")
    self_link: str | None = Field(default=None, description="Deprecated; not set by the server.")
    uid: str | None = Field(default=None, description="Unique id of the object, set by the server.")
    resource_version: str | None = Field(
        default=None, description="Opaque version for optimistic concurrency."
    )
    generation: int | None = Field(default=None, description="Sequence number of the desired state (spec).")
    creation_timestamp: str | None = Field(
        default=None, description="When the object was created (RFC 3339)."
    )
    deletion_timestamp: str | None = Field(
        default=None, description="When the object will be deleted (RFC 3339)."
    )
    deletion_grace_period_seconds: int | None = Field(
        default=None, description="Grace period before deletion."
    )
    labels: dict[str, str] | None = Field(
        default=None, description="Map of string keys and values for selection."
    )
    annotations: dict[str, str] | None = Field(default=None, description="Map of non-identifying metadata.")
    owner_references: list[OwnerReference] | None = Field(
        default=None, description="Objects this one depends on.",
        json_schema_extra=list_merged_by("uid"),
    )
    finalizers: list[str] | None = Field(
        default=None, description="Must be empty before the object is deleted.",
        json_schema_extra={"x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"},
    )
    managed_fields: list[dict[str, Any]] | None = Field(
        default=None, description="Field ownership records.", json_schema_extra={"x-kubernetes-list-type": "atomic"}
    )


class TypeMeta(_CamelModel):
    """apiVersion and kind, the two fields every object and list carries."""

    api_version: str | None = Field(default=None, description="The versioned schema of this representation.")
    kind: str | None = Field(default=None, description="The REST resource this object represents.")


class KubeObject(TypeMeta):
    """Base for typed objects: apiVersion, kind and metadata; subclasses add spec and status."""

    metadata: ObjectMeta = Field(default_factory=ObjectMeta, description="Standard object metadata.")


def model_schema(model: type[BaseModel]) -> JSON:
    """The model's JSON schema by alias, with every ``$ref`` inlined, Optional as ``nullable``, no titles."""
    return resolve_refs(model.model_json_schema(by_alias=True, mode="validation"))


def resolve_refs(raw: JSON) -> JSON:
    """A JSON schema with its ``$defs`` inlined (a cycle becomes ``FREE_FORM``), made OpenAPI 3.0-friendly."""
    defs: dict[str, JSON] = raw.get("$defs", {})
    body = {k: v for k, v in raw.items() if k != "$defs"}
    return _inline(body, defs=defs, stack=())


def _inline(node: JSON, *, defs: dict[str, JSON], stack: tuple[str, ...]) -> JSON:
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in stack:
            return dict(FREE_FORM)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        resolved = _inline(defs.get(name, {}), defs=defs, stack=(*stack, name))
        return {**resolved, **_inline(siblings, defs=defs, stack=stack)}
    out: JSON = {}
    for key, value in node.items():
        if key in ("title", "discriminator"):
            continue  # a discriminator's mapping names $defs that no longer exist
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            out[key] = {k: _inline(v, defs=defs, stack=stack) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = _inline(value, defs=defs, stack=stack)
        elif key in (*_BRANCH_KEYS, "prefixItems") and isinstance(value, list):
            out[key] = [_inline(v, defs=defs, stack=stack) for v in value]
        else:
            out[key] = value
    return _openapi_compatible(out)


def _openapi_compatible(node: JSON) -> JSON:
    """OpenAPI 3.0 has no ``type: null`` nor ``const``: Optional[X] becomes X with ``nullable: true``."""
    branches = node.get("anyOf")
    if isinstance(branches, list):
        rest = [b for b in branches if b != {"type": "null"}]
        if len(rest) == 1 and len(rest) < len(branches):
            merged = {k: v for k, v in node.items() if k != "anyOf"}
            node = {**rest[0], **merged, "nullable": True}
    if "const" in node and "enum" not in node:
        node = {**{k: v for k, v in node.items() if k != "const"}, "enum": [node["const"]]}
    return node


OBJECT_META_SCHEMA: JSON = model_schema(ObjectMeta)


# --- pruning unknown fields -------------------------------------------------------------------------------


def prune(obj: JSON, schema: JSON | None, *, int32: list[str] | None = None) -> tuple[JSON, list[str]]:
    """A copy of ``obj`` without the fields ``schema`` does not know, and their paths (``spec.bogus``).

    ``int32`` collects the paths of integers outside the 32-bit range where the schema says ``format: int32``."""
    if schema is None:
        return copy.deepcopy(obj), []
    unknown: list[str] = []
    _INT32_PROBLEMS.set(int32)
    out: JSON = {}
    for key, value in obj.items():
        if key == "metadata":
            out[key] = _prune(value, schemas=[OBJECT_META_SCHEMA], path=key, unknown=unknown)
        elif key in TOP_LEVEL_FIELDS:
            out[key] = copy.deepcopy(value)
        else:
            known, sub = _lookup(_flatten([schema]), key)
            if not known:
                unknown.append(key)
                continue
            out[key] = _prune(value, schemas=sub, path=key, unknown=unknown)
    return out, unknown


def _flatten(schemas: list[JSON]) -> list[JSON]:
    """The alternatives a value may match: anyOf/oneOf/allOf branches are all candidates."""
    out: list[JSON] = []
    for schema in schemas:
        branches = [b for key in _BRANCH_KEYS for b in schema.get(key, [])]
        own = {k: v for k, v in schema.items() if k not in _BRANCH_KEYS}
        if own or not branches:
            out.append(own)
        out.extend(_flatten(branches))
    return out


def _is_object_schema(schema: JSON) -> bool:
    return schema.get("type") == "object" or any(
        k in schema for k in ("properties", "additionalProperties", "x-kubernetes-preserve-unknown-fields")
    )


def _lookup(schemas: list[JSON], key: str) -> tuple[bool, list[JSON]]:
    """Whether any object alternative knows ``key``, and the schemas its value must then follow."""
    objects = [s for s in schemas if _is_object_schema(s)]
    if not objects:
        # Not an object by the schema (e.g. {} or a scalar type): nothing to prune here.
        return True, []
    known, sub = False, []
    for schema in objects:
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if isinstance(props, dict) and key in props:
            known = True
            sub.append(props[key])
        elif isinstance(extra, dict):
            known = True
            sub.append(extra)
        elif extra is True or schema.get("x-kubernetes-preserve-unknown-fields") is True:
            known = True
            sub.append({})
        elif props is None and extra is None:
            known = True  # a free-form map
            sub.append({})
    return known, sub


def _prune(value: Any, *, schemas: list[JSON], path: str, unknown: list[str]) -> Any:
    flat = _flatten(schemas)
    if not flat or any(s == {} for s in flat):
        return copy.deepcopy(value)
    if isinstance(value, dict):
        out: JSON = {}
        for key, item in value.items():
            known, sub = _lookup(flat, key)
            if not known:
                unknown.append(f"{path}.{key}")
                continue
            out[key] = _prune(item, schemas=sub, path=f"{path}.{key}", unknown=unknown)
        return out
    if isinstance(value, list):
        items = [s["items"] for s in flat if isinstance(s.get("items"), dict)]
        if not items:
            return copy.deepcopy(value)
        return [_prune(v, schemas=items, path=f"{path}[{i}]", unknown=unknown) for i, v in enumerate(value)]
    if type(value) is int and not -(2**31) <= value < 2**31:
        problems = _INT32_PROBLEMS.get()
        if problems is not None and any(s.get("format") == "int32" for s in flat):
            problems.append(path)
    return value


# --- model validation as 422 causes -----------------------------------------------------------------------

_TYPE_MESSAGES = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be a boolean",
    "bool_parsing": "must be a boolean",
    "string_type": "must be a string",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "list_type": "must be an array",
}


def validate_with_model(obj: JSON, model: type[BaseModel], kind: str, name: str) -> None:
    """Validate ``obj`` with ``model``; raise 422 Invalid with one cause per pydantic error."""
    try:
        model.model_validate(obj)
    except pydantic.ValidationError as exc:
        causes = [_cause(obj, err) for err in exc.errors(include_url=False)]
        raise errors.invalid(kind, name, causes) from None


def _cause(obj: JSON, err: Any) -> errors.Cause:
    field = field_path(obj, tuple(err["loc"]))
    kind = err["type"]
    if kind == "missing":
        return errors.Cause(field=field, message="Required value", reason="FieldValueRequired")
    if kind == "extra_forbidden":
        return errors.Cause(field=field, message="Forbidden: unknown field", reason="FieldValueForbidden")
    value = _render_value(err.get("input"))
    if kind in ("literal_error", "enum"):
        detail = _lower_first(err["msg"])
        return errors.Cause(
            field=field, message=f"Unsupported value: {value}: {detail}", reason="FieldValueNotSupported"
        )
    detail = _TYPE_MESSAGES.get(kind) or _lower_first(_strip_prefix(err["msg"]))
    return errors.Cause(field=field, message=f"Invalid value: {value}: {detail}")


def field_path(obj: Any, loc: tuple[Any, ...]) -> str:
    """``spec.workers[0].maximum`` from a pydantic ``loc``, dropping union and validator tags."""
    path = ""
    current = obj
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(part, int) and isinstance(current, list):
            path += f"[{part}]"
            current = current[part] if 0 <= part < len(current) else None
        elif isinstance(part, str) and isinstance(current, dict) and (part in current or last):
            path = f"{path}.{part}" if path else part
            current = current.get(part)
        # Anything else is a tag pydantic adds (union member, function-after[...], [key]): not a field.
    return path


def _render_value(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _strip_prefix(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def _lower_first(msg: str) -> str:
    return msg[:1].lower() + msg[1:]
