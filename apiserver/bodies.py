"""Request bodies and query options as real clients send them.

Called by ``apiserver.routes``: JSON, YAML (``kubectl create --raw`` sends the file verbatim with no
Content-Type), kubectl's protobuf for generator commands, and Go-style query booleans (``watch=True``).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from apiserver import errors

JSON = dict[str, Any]

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def decode_object(body: bytes, content_type: str | None) -> JSON:
    """The object in a POST/PUT body."""
    kind = media_type(content_type)
    if kind == PROTOBUF:
        from apiserver import protobuf  # only kubectl's generator commands need the decoder

        return protobuf.decode(body)
    if kind in ("", "application/json", "application/yaml", "text/yaml", "application/x-yaml", "*/*"):
        return _json_or_yaml(body)
    raise errors.unsupported_media_type(
        f'the body of the request was in an unknown format - accepted media types include: application/json, '
        f'application/yaml, {PROTOBUF} (got "{kind}")'
    )


def _json_or_yaml(body: bytes) -> JSON:
    if not body.strip():
        raise errors.bad_request("the request body is empty; an object was expected")
    try:
        doc = json.loads(body)
    except ValueError:
        try:
            doc = yaml.safe_load(body)
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"the request body is neither JSON nor YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise errors.bad_request("the request body must be a JSON object")
    return doc


def decode_options(body: bytes) -> JSON:
    """DeleteOptions: an empty body or JSON such as ``{"propagationPolicy":"Background"}``."""
    if not body.strip():
        return {}
    try:
        doc = json.loads(body)
    except ValueError:
        raise errors.bad_request("the DeleteOptions body is not valid JSON") from None
    if not isinstance(doc, dict):
        raise errors.bad_request("the DeleteOptions body must be a JSON object")
    return doc


def flag(value: str | None) -> bool:
    """Go-style booleans: kubectl sends ``true``, the Python client ``True``."""
    return (value or "").strip().lower() in ("true", "1", "t", "yes")


def field_validation(value: str | None) -> str:
    wanted = (value or "Warn").strip()
    for mode in ("Strict", "Warn", "Ignore"):
        if wanted.lower() == mode.lower():
            return mode
    raise errors.bad_request(f'fieldValidation must be one of Strict, Warn or Ignore, not "{wanted}"')


def warning_header(messages: list[str]) -> str:
    """``Warning: 299 - "..."`` values, quoted and escaped as RFC 7234 requires (kubectl drops bad ones)."""
    return ", ".join('299 - "' + m.replace("\\", "\\\\").replace('"', '\\"') + '"' for m in messages)
