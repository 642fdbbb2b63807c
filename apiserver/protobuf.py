"""Decode the protobuf request bodies that kubectl >= 1.32 sends for its ``create <generator>`` commands.

``apiserver.bodies`` calls ``decode`` for ``Content-Type: application/vnd.kubernetes.protobuf`` and then treats the
result exactly like a JSON body. The body is ``k8s\\x00`` and a ``runtime.Unknown`` envelope around the object's own
protobuf; ``apiserver.protobuf_types`` holds the field tables that give each object the JSON form its Go type would
marshal to.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterator
from typing import Any

from apiserver import decoding, errors, protobuf_types

PROTOBUF = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"

JSON = dict[str, Any]

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


# --- the wire format -----------------------------------------------------------------------------------------


def read_fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (field number, wire type, value) for each field of one message; ValueError when malformed."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ValueError("field number 0")
        value: int | bytes
        if wire == VARINT:
            value, pos = _varint(buf, pos)
        elif wire == LENGTH:
            size, pos = _varint(buf, pos)
            value, pos = _take(buf, pos, size), pos + size
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            value, pos = int.from_bytes(_take(buf, pos, size), "little"), pos + size
        else:  # groups (3, 4) are not used by Kubernetes
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while shift < 70:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueError("varint longer than 10 bytes")


def _take(buf: bytes, pos: int, size: int) -> bytes:
    if pos + size > len(buf):
        raise ValueError("truncated field")
    return buf[pos : pos + size]


def _signed(value: int) -> int:
    # int32 and int64 are plain varints; negative numbers arrive as their 64-bit two's complement.
    return value - (1 << 64) if value >= 1 << 63 else value


# --- decoding ----------------------------------------------------------------------------------------------


def decode(body: bytes) -> JSON:
    """The JSON object carried by a Kubernetes protobuf body, with ``apiVersion`` and ``kind`` from its envelope."""
    if not body.startswith(MAGIC):
        raise errors.bad_request("the protobuf body does not start with the Kubernetes magic number k8s\\x00")
    try:
        api_version, kind, raw, encoding = _envelope(body[len(MAGIC) :])
    except ValueError as error:
        raise errors.bad_request(f"malformed protobuf body: {error}") from error
    if not kind:
        raise errors.bad_request("the protobuf body names no kind in its envelope")
    if encoding:
        raise errors.unsupported_media_type(f"protobuf content encoding {encoding!r} is not supported")
    table = protobuf_types.KINDS.get((api_version, kind))
    if table is None:
        raise errors.unsupported_media_type(
            f"this server cannot decode a protobuf body for {api_version}, Kind={kind}; send it as JSON instead: "
            "kubectl create ... --dry-run=client -o yaml | kubectl apply -f -"
        )
    try:
        return {"apiVersion": api_version, "kind": kind, **_message(raw, table)}
    except (ValueError, UnicodeDecodeError) as error:
        raise errors.bad_request(f"malformed protobuf body for {kind}: {error}") from error


def _envelope(buf: bytes) -> tuple[str, str, bytes, str]:
    # runtime.Unknown {1: TypeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}
    type_meta: JSON = {}
    raw, encoding = b"", ""
    for number, wire, value in read_fields(buf):
        if number == 1:
            type_meta = _message(_bytes(wire, value), {1: protobuf_types.s("apiVersion"), 2: protobuf_types.s("kind")})
        elif number == 2:
            raw = _bytes(wire, value)
        elif number == 3:
            encoding = _bytes(wire, value).decode("utf-8")
    return type_meta.get("apiVersion", ""), type_meta.get("kind", ""), raw, encoding


def _message(buf: bytes, table: protobuf_types.Table) -> JSON:
    out: JSON = {}
    for number, wire, value in read_fields(buf):
        field = table.get(number)
        if field is not None:  # unknown fields are skipped, as newer senders may add some
            _put(out, field=field, wire=wire, value=value)
    for field in table.values():
        if field.repeated and field.keep_zero:
            out.setdefault(field.name, None)
    return out


def _put(out: JSON, *, field: protobuf_types.Field, wire: int, value: int | bytes) -> None:
    if field.kind == "map":
        assert field.value is not None
        key, item = _map_entry(_bytes(wire, value), field.value)
        out.setdefault(field.name, {})[key] = item
    elif field.repeated:
        out.setdefault(field.name, []).append(_value(field, wire=wire, value=value))
    elif field.inline:
        out.update(_value(field, wire=wire, value=value))
    else:
        item = _value(field, wire=wire, value=value)
        # Messages and the special types are Go structs, which encoding/json never omits.
        if field.keep_zero or field.kind not in ("string", "int", "bool", "bytes") or item not in ("", 0, False):
            out[field.name] = item
        else:  # a later zero overrides an earlier value, as in protobuf
            out.pop(field.name, None)


def _map_entry(buf: bytes, value_field: protobuf_types.Field) -> tuple[str, Any]:
    # A map entry is a message {1: key, 2: value}; a missing part is the zero value of its type.
    key, item = "", _value(value_field, wire=LENGTH, value=b"")
    for number, wire, value in read_fields(buf):
        if number == 1:
            key = _bytes(wire, value).decode("utf-8")
        elif number == 2:
            item = _value(value_field, wire=wire, value=value)
    return key, item


def _value(field: protobuf_types.Field, *, wire: int, value: int | bytes) -> Any:
    kind = field.kind
    if kind == "int":
        return _signed(_int(wire, value))
    if kind == "bool":
        return _int(wire, value) != 0
    data = _bytes(wire, value)
    if kind == "string":
        return data.decode("utf-8")
    if kind == "bytes":
        return base64.b64encode(data).decode("ascii")
    if kind == "message":
        assert field.table is not None
        return _message(data, field.table)
    return _SPECIAL[kind](data)


def _int(wire: int, value: int | bytes) -> int:
    if wire != VARINT or not isinstance(value, int):
        raise ValueError(f"expected a varint, got wire type {wire}")
    return value


def _bytes(wire: int, value: int | bytes) -> bytes:
    if wire != LENGTH or not isinstance(value, bytes):
        raise ValueError(f"expected a length-delimited field, got wire type {wire}")
    return value


def _time(buf: bytes) -> str | None:
    # metav1.Time {1: seconds, 2: nanos}; the zero time marshals to JSON null, e.g. ``creationTimestamp: null``.
    parts = _message(buf, {1: protobuf_types.i("seconds"), 2: protobuf_types.i("nanos")})
    seconds = parts.get("seconds", 0)
    if not seconds and not parts.get("nanos"):
        return None
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # RFC 3339 at second precision, as metav1.Time marshals


def _int_or_string(buf: bytes) -> int | str:
    # intstr.IntOrString {1: type (0 int, 1 string), 2: intVal, 3: strVal}
    parts = _message(buf, {1: protobuf_types.i("type"), 2: protobuf_types.i("intVal"), 3: protobuf_types.s("strVal")})
    return str(parts.get("strVal", "")) if parts.get("type") == 1 else int(parts.get("intVal", 0))


def _quantity(buf: bytes) -> str:
    # resource.Quantity {1: string}, already in canonical form
    return str(_message(buf, {1: protobuf_types.s("string")}).get("string", ""))


def _raw_json(buf: bytes) -> Any:
    # metav1.FieldsV1 {1: Raw}: the raw bytes are JSON
    raw = b"".join(_bytes(wire, value) for number, wire, value in read_fields(buf) if number == 1)
    if not raw:
        return None
    decoded = decoding.json_text(raw, what="a FieldsV1 in the protobuf body")
    return decoded.doc if decoded is not None else None


_SPECIAL = {"time": _time, "int-or-string": _int_or_string, "quantity": _quantity, "raw-json": _raw_json}
