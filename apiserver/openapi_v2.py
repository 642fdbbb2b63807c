"""The ``/openapi/v2`` document (Swagger 2.0) of a ``Registry``, as JSON or as the gnostic protobuf kubectl reads.

Called by ``apiserver.discovery_routes``. kubectl falls back to it for client-side apply when OpenAPI v3 gives it
no strategic merge patch (``KUBECTL_OPENAPIV3_PATCH=false``, and kubectl before 1.29, which also validates with
it): the definitions carry each kind's ``x-kubernetes-group-version-kind`` and the lists' patch tags, each patch
operation its ``consumes`` (strategic merge only for built-in kinds). Built from ``apiserver.openapi``'s v3
documents, so both versions always say the same. Pure functions.
"""

from __future__ import annotations

import json
from typing import Any

from apiserver import openapi
from apiserver.registry import Registry

JSON = dict[str, Any]

# What kubectl asks for and what it accepts back: the dot form of the version (the "@" form breaks kubectl).
PROTOBUF_REQUEST = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

_V3_REF = "#/components/schemas/"
_V2_REF = "#/definitions/"
_METHODS = ("get", "put", "post", "delete", "patch")
_KEPT = ("type", "format", "description", "required")


def document(reg: Registry) -> JSON:
    """The Swagger 2.0 document of every served group version."""
    paths: JSON = {}
    definitions: JSON = {}
    for group, versions in sorted(reg.group_versions().items()):
        for version in versions:
            v3 = openapi.group_version_document(reg, group, version)
            if v3 is None:
                continue
            for name, schema in v3["components"]["schemas"].items():
                definitions[name] = _schema(schema)
            for path, item in v3["paths"].items():
                paths[path] = {m: _operation(op) for m, op in item.items() if m in _METHODS}
    return {"swagger": "2.0", "info": {"title": "hortus", "version": "v2"}, "paths": paths,
            "definitions": definitions}


def _operation(op: JSON) -> JSON:
    out: JSON = {
        "description": op.get("description", ""),
        "operationId": op.get("operationId", ""),
        "produces": ["application/json"],
        "consumes": list((op.get("requestBody") or {}).get("content") or {}),
        "responses": {code: {"description": "OK"} for code in op.get("responses", {})},
    }
    out.update({k: v for k, v in op.items() if k.startswith("x-")})
    return out


def _schema(node: Any) -> JSON:
    """A v3 schema as Swagger 2.0 has it: ``$ref`` instead of a lone ``allOf``, no ``nullable``, int-or-string as
    Kubernetes writes it, other unions free-form, every array with items."""
    if not isinstance(node, dict):
        return {}
    branches = node.get("allOf")
    if isinstance(branches, list) and len(branches) == 1 and "$ref" in branches[0]:
        return {"$ref": _ref(branches[0]["$ref"]), **_kept(node, ("description",))}
    if "$ref" in node:
        return {"$ref": _ref(node["$ref"])}
    out = _kept(node, _KEPT)
    if node.get("x-kubernetes-int-or-string"):
        out.update(type="string", format="int-or-string")
    elif "anyOf" in node or "oneOf" in node:
        out.pop("type", None)  # a union: Swagger 2.0 has no way to say it, so anything goes
    if isinstance(node.get("properties"), dict):
        out["properties"] = {k: _schema(v) for k, v in node["properties"].items()}
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = _schema(extra)
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    if out.get("type") == "array" or "items" in node:
        out["items"] = _schema(node.get("items"))
    if isinstance(out.get("type"), list):
        out.pop("type")
    return out


def _kept(node: JSON, keys: tuple[str, ...]) -> JSON:
    out = {k: node[k] for k in keys if k in node and node[k] is not None}
    out.update({k: v for k, v in node.items() if k.startswith("x-")})
    return out


def _ref(ref: str) -> str:
    return _V2_REF + ref.removeprefix(_V3_REF)


# --- gnostic protobuf (openapiv2/OpenAPIv2.proto) ------------------------------------------------------------


def encode(doc: JSON) -> bytes:
    """``doc`` as a gnostic ``openapi_v2.Document`` (the fields kubectl reads)."""
    paths = b"".join(_message(2, _string(1, path) + _message(2, _path_item(item)))
                     for path, item in doc.get("paths", {}).items())
    definitions = b"".join(_message(1, _named_schema(name, schema))
                           for name, schema in doc.get("definitions", {}).items())
    info = doc.get("info", {})
    return (_string(1, doc.get("swagger", "2.0"))
            + _message(2, _string(1, info.get("title", "")) + _string(2, info.get("version", "")))
            + _message(8, paths)
            + _message(9, definitions))


def _path_item(item: JSON) -> bytes:
    numbers = {"get": 2, "put": 3, "post": 4, "delete": 5, "patch": 8}
    return b"".join(_message(numbers[m], _operation_message(op)) for m, op in item.items() if m in numbers)


def _operation_message(op: JSON) -> bytes:
    responses = b"".join(
        _message(1, _string(1, code) + _message(2, _message(1, _string(1, r.get("description", "")))))
        for code, r in op.get("responses", {}).items())
    return (_string(3, op.get("description", "")) + _string(5, op.get("operationId", ""))
            + b"".join(_string(6, t) for t in op.get("produces", []))
            + b"".join(_string(7, t) for t in op.get("consumes", []))
            + _message(9, responses)
            + _extensions(13, op))


def _named_schema(name: str, schema: JSON) -> bytes:
    return _string(1, name) + _message(2, _schema_message(schema))


def _schema_message(s: JSON) -> bytes:
    out = _string(1, s.get("$ref", "")) + _string(2, s.get("format", "")) + _string(4, s.get("description", ""))
    out += b"".join(_string(19, r) for r in s.get("required", []))
    extra = s.get("additionalProperties")
    if isinstance(extra, dict):
        out += _message(21, _message(1, _schema_message(extra)))
    elif isinstance(extra, bool):
        out += _message(21, _varint_field(2, int(extra)))
    if isinstance(s.get("type"), str):
        out += _message(22, _string(1, s["type"]))
    if isinstance(s.get("items"), dict):
        out += _message(23, _message(1, _schema_message(s["items"])))
    if isinstance(s.get("properties"), dict):
        out += _message(25, b"".join(_message(1, _named_schema(k, v)) for k, v in s["properties"].items()))
    return out + _extensions(31, s)


def _extensions(number: int, node: JSON) -> bytes:
    """``x-`` members as ``NamedAny``s whose value is YAML (JSON is YAML), as kube-openapi decodes them."""
    return b"".join(_message(number, _string(1, k) + _message(2, _string(2, json.dumps(v))))
                    for k, v in node.items() if k.startswith("x-"))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _message(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _string(number: int, text: str) -> bytes:
    return _message(number, text.encode()) if text else b""
