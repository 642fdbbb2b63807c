"""Request bodies and query options as real clients send them.

Called by ``apiserver.routes``: JSON, YAML (``kubectl create --raw`` sends the file verbatim with no
Content-Type), kubectl's protobuf for generator commands, and Go-style query booleans (``watch=True``).
"""

from __future__ import annotations

from typing import Any

from apiserver import decoding, errors
from apiserver.context import RequestContext

JSON = dict[str, Any]

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"
_JSON_TYPES = ("application/json",)
_YAML_TYPES = ("application/yaml", "text/yaml", "application/x-yaml")


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def decode_object(body: bytes, content_type: str | None, *, ctx: RequestContext | None = None) -> JSON:
    """The object in a POST/PUT body; repeated keys are refused under ``fieldValidation=Strict`` (warned of under
    Warn), as Kubernetes' strict decoding does."""
    kind = media_type(content_type)
    if kind == PROTOBUF:
        from apiserver import protobuf  # only kubectl's generator commands need the decoder

        decoded = decoding.Decoded(protobuf.decode(body))
        decoding.check(decoded.doc, what="the request body", strings=False)
    elif kind in _JSON_TYPES or kind in _YAML_TYPES or kind in ("", "*/*"):
        decoded = _json_or_yaml(body, kind)
    else:
        raise errors.unsupported_media_type(
            f'the body of the request was in an unknown format - accepted media types include: application/json, '
            f'application/yaml, {PROTOBUF} (got "{kind}")'
        )
    if not isinstance(decoded.doc, dict):
        raise errors.bad_request("the request body must be a JSON object")
    report_duplicates(decoded.duplicates, ctx)
    return decoded.doc


def decode_document(body: bytes, content_type: str | None, *, ctx: RequestContext | None = None) -> Any:
    """A patch body (JSON, or YAML for apply): any JSON value, checked like an object body."""
    kind = media_type(content_type)
    if not body.strip():
        raise errors.bad_request("the request body is empty; a patch was expected")
    decoded = _json_or_yaml(body, "application/yaml" if kind == APPLY_PATCH else "application/json")
    report_duplicates(decoded.duplicates, ctx)
    return decoded.doc


def report_duplicates(duplicates: tuple[str, ...], ctx: RequestContext | None) -> None:
    if not duplicates or ctx is None or ctx.field_validation == "Ignore":
        return
    messages = [f'duplicate field "{path}"' for path in duplicates]
    if ctx.field_validation == "Strict":
        raise errors.bad_request("strict decoding error: " + ", ".join(messages))
    ctx.warnings.extend(messages)


def _json_or_yaml(body: bytes, kind: str) -> decoding.Decoded:
    if not body.strip():
        raise errors.bad_request("the request body is empty; an object was expected")
    if kind in _JSON_TYPES:
        decoded = decoding.json_text(body)
        assert decoded is not None
        return decoded
    # YAML (kubectl create --raw sends a file verbatim with no Content-Type); JSON, a subset, goes the fast way.
    return decoding.json_text(body, strict=False) or decoding.yaml_text(body)


def decode_options(body: bytes) -> JSON:
    """DeleteOptions: an empty body or JSON such as ``{"propagationPolicy":"Background"}``."""
    if not body.strip():
        return {}
    decoded = decoding.json_text(body, what="the DeleteOptions body")
    assert decoded is not None
    if not isinstance(decoded.doc, dict):
        raise errors.bad_request("the DeleteOptions body must be a JSON object")
    return decoded.doc


def warning_header(messages: list[str]) -> str:
    """``Warning: 299 - "..."`` values, quoted and escaped as RFC 7234 requires (kubectl drops bad ones)."""
    return ", ".join('299 - "' + m.replace("\\", "\\\\").replace('"', '\\"') + '"' for m in messages)
