"""PATCH bodies applied to JSON objects: merge patch, JSON patch and strategic merge patch.

``apply_patch`` is what the generic PATCH handler calls; it picks the patch type from the Content-Type and
answers the media types a real API server refuses with its 415 wording. The strategic merge patch itself, driven
by the kind's schema, is ``apiserver.strategic``'s. Every function returns a new object and leaves its inputs
untouched.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonpatch
import jsonpointer

from apiserver import errors
from apiserver.strategic import strategic_merge_patch

JSON = dict[str, Any]

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# Kubernetes caps JSON patches at this many operations (maxJSONPatchOperations).
MAX_JSON_PATCH_OPERATIONS = 10000

__all__ = ["apply_patch", "json_patch", "merge_patch", "strategic_merge_patch"]


# ---------------------------------------------------------------------------------------------------------
# Dispatch


def apply_patch(
    target: JSON,
    body: bytes,
    content_type: str,
    *,
    strategic: bool,
    schema: JSON | None = None,
) -> JSON:
    """Apply a PATCH body by its media type; SMP only where ``strategic`` (built-in kinds, not CRDs), its lists
    merged as the kind's ``schema`` says."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == MERGE_PATCH:
        patch = _decode(body)
        if not isinstance(patch, dict):
            # What the evanphx merge patch used by Kubernetes says of a non-object patch.
            raise errors.bad_request("Invalid JSON Patch")
        result: JSON = merge_patch(target, patch)
        return result
    if media_type == JSON_PATCH:
        return json_patch(target, _decode(body))
    if media_type == STRATEGIC_MERGE_PATCH and strategic:
        return strategic_merge_patch(target, _decode(body), schema)
    raise errors.unsupported_media_type(_unknown_format_message(strategic=strategic))


def _unknown_format_message(*, strategic: bool) -> str:
    accepted = [JSON_PATCH, MERGE_PATCH, *([STRATEGIC_MERGE_PATCH] if strategic else []), APPLY_PATCH]
    return ("the body of the request was in an unknown format - accepted media types include: "
            + ", ".join(accepted))


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise errors.bad_request(f"error decoding patch: {exc}") from None


# ---------------------------------------------------------------------------------------------------------
# RFC 7386 merge patch


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes a member, anything else replaces."""
    return _merge_into(copy.deepcopy(target), patch)


def _merge_into(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = _merge_into(target.get(key), value)
    return target


# ---------------------------------------------------------------------------------------------------------
# RFC 6902 JSON patch


def json_patch(target: JSON, ops: Any) -> JSON:
    """RFC 6902. A body that is not an array of objects is a 400; an operation that fails is a 422."""
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise errors.bad_request("json: cannot unmarshal JSON patch: the body must be an array of operations")
    if len(ops) > MAX_JSON_PATCH_OPERATIONS:
        raise errors.ApiError(
            413, "RequestEntityTooLarge",
            f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {len(ops)}",
        )
    doc: Any = copy.deepcopy(target)
    # One operation at a time, so that a failure can name the operation that failed.
    for index, op in enumerate(copy.deepcopy(ops)):
        try:
            doc = jsonpatch.JsonPatch([op]).apply(doc, in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError) as exc:
            what = f"{op.get('op')} {op.get('path')}"
            raise _json_patch_failed(f"operation {index} ({what}): {exc}") from None
    if not isinstance(doc, dict):
        raise _json_patch_failed("the patched document is not a JSON object")
    return doc


def _json_patch_failed(detail: str) -> errors.ApiError:
    return errors.ApiError(422, "Invalid", f"json patch failed: {detail}")
