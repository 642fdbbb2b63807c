"""PATCH bodies applied to JSON objects: merge patch, JSON patch and strategic merge patch.

``apply_patch`` is what the generic PATCH handler calls; it picks the patch type from the Content-Type and
answers the media types a real API server refuses with its 415 wording. Every function returns a new object
and leaves its inputs untouched.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any

import jsonpatch
import jsonpointer

from apiserver import errors

JSON = dict[str, Any]
# A merge key, or candidates of which the first one found in the list's items is used.
MergeKey = str | tuple[str, ...]

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# Field name -> patchMergeKey of Kubernetes' built-in types (and of Gardener's, for shoots and projects).
DEFAULT_MERGE_KEYS: Mapping[str, MergeKey] = MappingProxyType({
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    # Container ports merge on containerPort, Service ports on port.
    "ports": ("containerPort", "port"),
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "schedulingGates": "name",
    "workers": "name",
    "members": "name",
    "taints": "key",
})
# Lists of scalars with patchStrategy "merge": merged as ordered sets.
MERGE_PRIMITIVE_LISTS: frozenset[str] = frozenset({"finalizers"})

# Kubernetes caps JSON patches at this many operations (maxJSONPatchOperations).
MAX_JSON_PATCH_OPERATIONS = 10000

_PATCH = "$patch"
_RETAIN_KEYS = "$retainKeys"
_SET_ORDER = "$setElementOrder/"
_DELETE_FROM = "$deleteFromPrimitiveList/"


def _is_directive(key: str) -> bool:
    return key in (_PATCH, _RETAIN_KEYS) or key.startswith((_SET_ORDER, _DELETE_FROM))


# ---------------------------------------------------------------------------------------------------------
# Dispatch


def apply_patch(
    target: JSON,
    body: bytes,
    content_type: str,
    *,
    strategic: bool,
    merge_keys: Mapping[str, MergeKey] = DEFAULT_MERGE_KEYS,
) -> JSON:
    """Apply a PATCH body by its media type; SMP only where ``strategic`` (built-in kinds, not CRDs)."""
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
        return strategic_merge_patch(target, _decode(body), merge_keys)
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


# ---------------------------------------------------------------------------------------------------------
# Strategic merge patch


def strategic_merge_patch(
    target: JSON,
    patch: Any,
    merge_keys: Mapping[str, MergeKey] = DEFAULT_MERGE_KEYS,
    *,
    primitive_lists: Collection[str] = MERGE_PRIMITIVE_LISTS,
) -> JSON:
    """Kubernetes' strategic merge patch, with list strategies chosen by field name (``merge_keys``)."""
    if not isinstance(patch, dict):
        raise errors.bad_request("strategic merge patch: the patch must be a JSON object")
    merger = _StrategicMerger(merge_keys=merge_keys, primitive_lists=primitive_lists)
    result = merger.merge_map(copy.deepcopy(target) if isinstance(target, dict) else {}, patch)
    return result if result is not None else {}


class _StrategicMerger:
    """Merges a patch into an ``original`` it owns (a deep copy): maps and lists are updated in place."""

    def __init__(self, *, merge_keys: Mapping[str, MergeKey], primitive_lists: Collection[str]) -> None:
        self._merge_keys = merge_keys
        self._primitive_lists = primitive_lists

    def merge_map(self, original: JSON, patch: JSON) -> JSON | None:
        """Merge ``patch`` into ``original``; None means "delete this map" (``$patch: delete``)."""
        directive = patch.get(_PATCH)
        if directive == "replace":
            return {k: _clean(v) for k, v in patch.items() if not _is_directive(k) and v is not None}
        if directive == "delete":
            return None
        if directive is not None:
            raise errors.bad_request(f"unknown patch type: {directive} in map: {json.dumps(patch)}")
        if _RETAIN_KEYS in patch:
            original = _retain_keys(original, patch)
        for key, values in patch.items():
            if key.startswith(_DELETE_FROM):
                _delete_from_list(original, field=key[len(_DELETE_FROM):], values=values)
        server_lists = {k: v for k, v in original.items() if isinstance(v, list)}
        for key, value in patch.items():
            if not _is_directive(key):
                self._merge_field(original, key=key, value=value)
        for key, order in patch.items():
            if key.startswith(_SET_ORDER):
                field = key[len(_SET_ORDER):]
                server = server_lists.get(field, [])
                self._set_element_order(original, field=field, order=order, server=server)
        return original

    def _merge_field(self, original: JSON, *, key: str, value: Any) -> None:
        current = original.get(key)
        merged: Any
        if value is None:
            merged = None
        elif isinstance(value, dict):
            merged = self.merge_map(current if isinstance(current, dict) else {}, value)
        elif isinstance(value, list):
            merged = self._merge_list(key, current if isinstance(current, list) else [], value)
        else:
            merged = value
        if merged is None:
            original.pop(key, None)
        else:
            original[key] = merged

    def _merge_list(self, field: str, original: list[Any], patch: list[Any]) -> list[Any]:
        items = [i for i in patch if not _is_directive_item(i, "replace")]
        if len(items) != len(patch):
            # A {"$patch": "replace"} item: the rest of the patch list is the new list.
            return _clean_list(items)
        if field in self._primitive_lists and not any(isinstance(i, dict | list) for i in patch):
            return original + [v for i, v in enumerate(patch) if v not in original and v not in patch[:i]]
        merge_key = self._merge_key(field, original, patch)
        if merge_key is None or not all(isinstance(i, dict) for i in patch):
            return _clean_list(patch)
        return self._merge_by_key(original, patch, key=merge_key)

    def _merge_key(self, field: str, *lists: list[Any]) -> str | None:
        declared = self._merge_keys.get(field)
        if declared is None or isinstance(declared, str):
            return declared
        present = [i for items in lists for i in items if isinstance(i, dict)]
        return next((k for k in declared if any(k in i for i in present)), declared[0])

    def _merge_by_key(self, original: list[Any], patch: list[JSON], *, key: str) -> list[Any]:
        result = list(original)
        for item in patch:
            directive = item.get(_PATCH)
            if directive == "delete":
                if key not in item:
                    raise errors.bad_request("delete patch type with no merge key defined")
                result = [o for o in result if not (isinstance(o, dict) and o.get(key) == item[key])]
            elif directive == "merge":
                raise errors.bad_request("merging lists cannot yet be specified in the patch")
            elif directive is not None:
                raise errors.bad_request(f"unknown patch type: {directive} in map: {json.dumps(item)}")
            elif key in item:
                at = _index_by_key(result, key=key, value=item[key])
                if at is None:
                    result.append(self.merge_map({}, item))
                else:
                    result[at] = self.merge_map(result[at], item)
            elif original:
                # Kubernetes refuses an item it cannot match against the items already there.
                shown = json.dumps(item)
                raise errors.bad_request(f"map: {shown} does not contain declared merge key: {key}")
            else:
                result.append(self.merge_map({}, item))
        return result

    def _set_element_order(self, original: JSON, *, field: str, order: Any, server: list[Any]) -> None:
        """Order ``original[field]`` as the patch said; items it does not name keep their server position."""
        if not isinstance(order, list):
            raise errors.bad_request("invalid patch format of setElementOrder list")
        merged = original.get(field)
        if not isinstance(merged, list):
            return
        key = self._merge_key(field, merged, order)

        def ident(item: Any) -> Any:
            return item.get(key) if key is not None and isinstance(item, dict) else item

        wanted = [ident(o) for o in order]
        named = sorted((i for i in merged if ident(i) in wanted), key=lambda i: wanted.index(ident(i)))
        server_ids = [ident(s) for s in server]
        rest = [i for i in merged if ident(i) not in wanted]
        original[field] = _merge_sorted(named, rest, position=lambda i: _position(server_ids, ident(i)))


def _merge_sorted(left: list[Any], right: list[Any], *, position: Callable[[Any], int]) -> list[Any]:
    """Kubernetes' mergeSortedSlice: interleave by server position where both items have one."""
    result, i, j = [], 0, 0
    while i < len(left) or j < len(right):
        if j >= len(right):
            result.append(left[i])
            i += 1
        elif i >= len(left):
            result.append(right[j])
            j += 1
        else:
            li, ri = position(left[i]), position(right[j])
            if li >= 0 and ri >= 0 and li < ri:
                result.append(left[i])
                i += 1
            else:
                result.append(right[j])
                j += 1
    return result


def _position(ids: list[Any], ident: Any) -> int:
    return ids.index(ident) if ident in ids else -1


def _index_by_key(items: list[Any], *, key: str, value: Any) -> int | None:
    return next((n for n, o in enumerate(items) if isinstance(o, dict) and o.get(key) == value), None)


def _retain_keys(original: JSON, patch: JSON) -> JSON:
    retain = patch[_RETAIN_KEYS]
    # Every key the patch sets must be retained; keys it nulls need not be.
    if not isinstance(retain, list) or any(
        k not in retain for k, v in patch.items() if v is not None and not _is_directive(k)
    ):
        raise errors.bad_request("invalid patch format of retainKeys")
    return {k: v for k, v in original.items() if k in retain}


def _delete_from_list(original: JSON, *, field: str, values: Any) -> None:
    if not isinstance(values, list):
        raise errors.bad_request("invalid patch format of primitive list")
    current = original.get(field)
    if isinstance(current, list):
        original[field] = [v for v in current if v not in values]


def _is_directive_item(item: Any, directive: str) -> bool:
    return isinstance(item, dict) and item.get(_PATCH) == directive


def _clean(value: Any) -> Any:
    """A copy of a replacing value without directives, directive list items or null members."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not _is_directive(k) and v is not None}
    if isinstance(value, list):
        return _clean_list(value)
    return copy.deepcopy(value)


def _clean_list(items: list[Any]) -> list[Any]:
    return [_clean(i) for i in items if not (isinstance(i, dict) and _PATCH in i)]
