"""Kubernetes' strategic merge patch, with each list's strategy and merge key read from the kind's schema.

Called by ``apiserver.patch.apply_patch`` for ``application/strategic-merge-patch+json``. A port of apimachinery's
``strategicpatch.StrategicMergeMapPatch`` (the server side: parallel lists merged, unmatched nulls dropped): a
list merges only where the schema of that very field carries ``x-kubernetes-patch-strategy: merge`` (keyed by
``x-kubernetes-patch-merge-key``), every other list is atomic and replaced, so ``containers`` of a Pod merge by
name while a Node's ``spec.taints`` are replaced whole. The directives kubectl sends are honoured: ``$patch``
(replace and delete, in maps and list items), ``$retainKeys``, ``$setElementOrder/<list>`` and
``$deleteFromPrimitiveList/<list>``. ``metadata`` always follows ``ObjectMeta``'s schema (finalizers merge as a
set, ownerReferences by uid). Inputs are never modified.

Where apimachinery answers 500 (a missing merge key, an unknown directive) this answers 400 with its message;
where it leaves odd values behind it does what the patch plainly asks: ``$patch: delete`` on a map removes the
field (apimachinery leaves ``{}``, which the Go types then omit), a ``$patch: replace`` map new to the object is
kept, and a ``$deleteFromPrimitiveList`` that is not a list is refused rather than ignored.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from typing import Any

from apiserver import errors
from apiserver.schema import OBJECT_META_SCHEMA

JSON = dict[str, Any]

PATCH_STRATEGY = "x-kubernetes-patch-strategy"
PATCH_MERGE_KEY = "x-kubernetes-patch-merge-key"

_PATCH = "$patch"
_RETAIN_KEYS = "$retainKeys"
_SET_ORDER = "$setElementOrder/"
_DELETE_FROM = "$deleteFromPrimitiveList/"
_REPLACE, _DELETE, _MERGE, _RETAIN = "replace", "delete", "merge", "retainKeys"
_BRANCHES = ("allOf", "anyOf", "oneOf")


class _Bad(Exception):
    """A malformed patch; ``code`` 400, or 422 where Kubernetes answers Unprocessable Entity."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.code = code


def strategic_merge_patch(target: Any, patch: Any, schema: JSON | None) -> JSON:
    """``target`` patched by ``patch``, lists merged as ``schema`` (the kind's whole-object schema) says."""
    if not isinstance(patch, dict):
        raise errors.bad_request("strategic merge patch: the patch must be a JSON object")
    original = copy.deepcopy(target) if isinstance(target, dict) else {}
    try:
        return _merge_map(original, copy.deepcopy(patch), _Node.root(schema))
    except _Bad as bad:
        if bad.code == 422:
            raise errors.ApiError(422, "Invalid", str(bad)) from None
        raise errors.bad_request(str(bad)) from None


# ---------------------------------------------------------------------------------------------------------
# The schema, looked up field by field


@dataclasses.dataclass(frozen=True)
class _Meta:
    """A field's ``x-kubernetes-patch-strategy`` (split at commas) and ``x-kubernetes-patch-merge-key``."""

    strategies: tuple[str, ...] = ()
    merge_key: str = ""

    @property
    def strategy(self) -> str:
        """The strategy besides ``retainKeys`` (``merge``, ``replace`` or "")."""
        others = [s for s in self.strategies if s != _RETAIN]
        if len(others) > 1 or len(self.strategies) > 2:
            raise _Bad(f"unexpected patch strategy: {list(self.strategies)}")
        return others[0] if others else ""


@dataclasses.dataclass(frozen=True)
class _Node:
    """A place in the schema; ``schema`` None where the schema says nothing (free-form or unknown fields)."""

    schema: JSON | None

    @classmethod
    def root(cls, schema: JSON | None) -> _Node:
        # ``metadata`` is ObjectMeta for every kind, whatever the kind's own schema holds there.
        base: JSON = schema if isinstance(schema, dict) else {}
        properties = base.get("properties")
        own: JSON = properties if isinstance(properties, dict) else {}
        return cls({**base, "properties": {**own, "metadata": OBJECT_META_SCHEMA}})

    def field(self, key: str) -> tuple[_Node, _Meta]:
        """The schema of ``key`` in this object (a map's value schema for maps) and its patch metadata."""
        child = _property(self.schema, key)
        return _Node(child), _meta(child)

    def items(self, key: str) -> tuple[_Node, _Meta]:
        """The schema of the items of list ``key`` and the list's patch metadata."""
        child, meta = self.field(key)
        for alternative in _alternatives(child.schema):
            if isinstance(alternative.get("items"), dict):
                return _Node(alternative["items"]), meta
        return _Node(None), meta


def _alternatives(schema: JSON | None) -> Iterator[JSON]:
    """The schema and, depth first, every allOf/anyOf/oneOf branch of it."""
    if not isinstance(schema, dict):
        return
    yield schema
    for key in _BRANCHES:
        for branch in schema.get(key) or ():
            yield from _alternatives(branch)


def _property(schema: JSON | None, key: str) -> JSON | None:
    alternatives = list(_alternatives(schema))
    for alternative in alternatives:
        properties = alternative.get("properties")
        if isinstance(properties, dict) and isinstance(properties.get(key), dict):
            found: JSON = properties[key]
            return found
    for alternative in alternatives:
        extra = alternative.get("additionalProperties")
        if isinstance(extra, dict):
            return extra
    return None


def _meta(schema: JSON | None) -> _Meta:
    for alternative in _alternatives(schema):
        strategy, key = alternative.get(PATCH_STRATEGY), alternative.get(PATCH_MERGE_KEY)
        if isinstance(strategy, str) or isinstance(key, str):
            strategies = tuple(strategy.split(",")) if isinstance(strategy, str) and strategy else ()
            return _Meta(strategies=strategies, merge_key=key if isinstance(key, str) else "")
    return _Meta()


# ---------------------------------------------------------------------------------------------------------
# Maps


def _merge_map(original: JSON, patch: JSON, node: _Node) -> JSON:
    """apimachinery's ``mergeMap``; ``original`` and ``patch`` are owned copies and are updated in place."""
    if _PATCH in patch:
        directive = patch.pop(_PATCH)
        if directive == _REPLACE:
            return _cleaned_map(patch)
        if directive == _DELETE:
            return {}
        raise _Bad(f"unknown patch type: {_go(directive)} in map: {_go({_PATCH: directive, **patch})}")
    _apply_retain_keys(original, patch)
    _merge_ordered_lists(original, patch, node)
    for key, value in list(patch.items()):
        delete_list = key.startswith(_DELETE_FROM)
        if delete_list:
            key = _directive_field(key, _DELETE_FROM)
            if value is not None and not isinstance(value, list):
                raise _Bad(_FORMAT_ERRORS[_DELETE_FROM])
        if value is None:
            original.pop(key, None)
            continue
        if key not in original or not _same_shape(original[key], value):
            if not delete_list:
                _set_cleaned(original, key, value)
            continue
        current = original[key]
        if isinstance(value, dict):
            if _is_deleted_map(value):
                original.pop(key, None)  # an empty map is omitted on the wire: the field is gone
                continue
            child, meta = node.field(key)
            original[key] = _cleaned_map(value) if meta.strategy == _REPLACE else _merge_map(current, value, child)
        elif isinstance(value, list):
            items, meta = node.items(key)
            if meta.strategy == _MERGE or delete_list:
                original[key] = _merge_list(current, value, items, meta.merge_key, delete_list=delete_list)
            else:
                original[key] = _cleaned_list(value)
        else:
            original[key] = value
    return original


def _same_shape(current: Any, value: Any) -> bool:
    """Whether both are maps or both are lists (a scalar is replaced whatever it was)."""
    return (isinstance(current, dict) and isinstance(value, dict)) or (
        isinstance(current, list) and isinstance(value, list))


def _is_deleted_map(value: JSON) -> bool:
    return value.get(_PATCH) == _DELETE


def _directive_field(key: str, prefix: str) -> str:
    field = key[len(prefix):]
    if not field:
        raise _Bad(_FORMAT_ERRORS[prefix])
    return field


_FORMAT_ERRORS = {
    _DELETE_FROM: "invalid patch format of primitive list",
    _SET_ORDER: "invalid patch format of setElementOrder list",
}


def _apply_retain_keys(original: JSON, patch: JSON) -> None:
    """``$retainKeys``: keys of ``original`` it does not list are cleared; it must list every key patched."""
    if _RETAIN_KEYS not in patch:
        return
    retain = patch.pop(_RETAIN_KEYS)
    if not isinstance(retain, list):
        raise _Bad("invalid patch format of retainKeys")
    for key, value in patch.items():
        if value is None or key.startswith((_DELETE_FROM, _SET_ORDER)):
            continue
        if key not in retain:
            raise _Bad("invalid patch format of retainKeys")
    for key in list(original):
        if key not in retain:
            del original[key]


# ---------------------------------------------------------------------------------------------------------
# Lists


def _merge_list(original: list[Any], patch: list[Any], items: _Node, merge_key: str, *, delete_list: bool) -> (
        list[Any]):
    """apimachinery's ``mergeSlice``: scalars merge as a set, maps by ``merge_key``; the patch's order wins."""
    if not original and not patch:
        return original
    kind = _element_kind(original, patch)
    if kind != "map":
        if delete_list:
            return [v for v in original if not any(_equal(v, d) for d in patch)]
        merged = _unique(original + patch)
    else:
        if not merge_key:
            raise _Bad(f"cannot merge lists without merge key for {_schema_name(items)}")
        original, patch = _special_elements(original, patch, merge_key)
        merged = _merge_by_key(original, patch, merge_key, items)
    patch_items, server_only = _partition(merged, patch, merge_key if kind == "map" else "")
    return _normalize_order(patch_items, server_only, patch, original, merge_key if kind == "map" else "")


def _element_kind(*lists: list[Any]) -> str:
    """``map``, ``scalar``: the one kind of element of all ``lists`` (lists of lists are refused)."""
    kinds = {_kind_of(v) for items in lists for v in items}
    if "list" in kinds:
        raise _Bad("lists of lists are not supported", code=422)
    if len(kinds) > 1:
        raise _Bad(f"list element types are not identical: {_go(list(lists))}")
    return kinds.pop() if kinds else "scalar"


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "string"


def _special_elements(original: list[Any], patch: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """Items with ``$patch``: ``delete`` removes the matching items, ``replace`` makes the rest the new list."""
    rest: list[Any] = []
    replace = False
    for item in patch:
        if _PATCH not in item:
            rest.append(item)
            continue
        directive = item[_PATCH]
        if directive == _DELETE:
            if merge_key not in item:
                raise _Bad(f"map: {_go(item)} does not contain declared merge key: {merge_key}")
            original = [o for o in original if not _equal(o.get(merge_key), item[merge_key])]
        elif directive == _REPLACE:
            replace = True
        elif directive == _MERGE:
            raise _Bad("merging lists cannot yet be specified in the patch")
        else:
            raise _Bad(f"unknown patch type: {_go(directive)} in map: {_go(item)}")
    if replace:
        return _cleaned_list(rest), []
    return original, rest


def _merge_by_key(original: list[Any], patch: list[Any], merge_key: str, items: _Node) -> list[Any]:
    merged = list(original)
    for item in patch:
        if merge_key not in item:
            raise _Bad(f"map: {_go(item)} does not contain declared merge key: {merge_key}")
        at = next((n for n, o in enumerate(merged) if _equal(o.get(merge_key), item[merge_key])), None)
        if at is None:
            merged.append(_cleaned_map(item))
        else:
            merged[at] = _merge_map(merged[at], item, items)
    return merged


def _merge_ordered_lists(original: JSON, patch: JSON, node: _Node) -> None:
    """``$setElementOrder/<list>``: merge that list now and order it as the directive says (then the patch's
    order, then the server's); the list is then done and taken out of ``patch``."""
    for key in [k for k in patch if k.startswith(_SET_ORDER)]:
        order = patch.pop(key)
        if not isinstance(order, list):
            raise _Bad("invalid patch format of setElementOrder list")
        field = _directive_field(key, _SET_ORDER)
        current, changes = original.get(field), patch.get(field)
        if field in original and not isinstance(current, list):
            raise _Bad(f"expected a list, but received a {_kind_of(current)} for {field}")
        if field in patch and not isinstance(changes, list):
            raise _Bad(f"expected a list, but received a {_kind_of(changes)} for {field}")
        items, meta = node.items(field)
        _check_order(changes or [], order, meta.merge_key)
        if current is None and changes is None:
            continue
        if changes is None:
            merged = list(current or [])
        elif current is None:
            merged = _cleaned_list(changes)
        elif meta.strategy == _MERGE:
            merged = _merge_list(current, changes, items, meta.merge_key, delete_list=False)
        else:
            merged = _cleaned_list(changes)
        patch.pop(field, None)
        if not merged:
            original[field] = merged
            continue
        key_of = meta.merge_key if _element_kind(current or [], changes or []) == "map" else ""
        ordered, server_only = _partition(merged, order, key_of)
        original[field] = _normalize_order(ordered, server_only, order, current or [], key_of)


def _check_order(changes: list[Any], order: list[Any], merge_key: str) -> None:
    """apimachinery's ``validatePatchWithSetOrderList``: the patch list must follow the relative order of the
    ``$setElementOrder`` list (deletions aside) and hold nothing that list does not name."""
    if not changes or not order:
        return
    kept = [c for c in changes if not (merge_key and isinstance(c, dict) and c.get(_PATCH) == _DELETE)]
    at = seen = 0
    while at < len(kept) and seen < len(order):
        if isinstance(kept[at], dict) and _PATCH in kept[at]:
            at += 1
            continue
        if _equal(_ident(kept[at], merge_key), _ident(order[seen], merge_key)):
            at += 1
        seen += 1
    if at < len(kept) and seen >= len(order):
        raise _Bad(f"The order in patch list:\n{_go(changes)}\n doesn't match $setElementOrder list:\n{_go(order)}\n")


def _ident(item: Any, merge_key: str) -> Any:
    """What identifies an item: its merge key's value (maps) or itself (scalars)."""
    if not merge_key:
        return item
    if not isinstance(item, dict):
        raise _Bad(f"expected a map, but received a {_kind_of(item)}")
    if merge_key not in item:
        raise _Bad(f"map: {_go(item)} does not contain declared merge key: {merge_key}")
    return item[merge_key]


def _partition(merged: list[Any], by: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """The items of ``merged`` that ``by`` names, and the rest (server-only items)."""
    named = [_ident(b, merge_key) for b in by if not (isinstance(b, dict) and _PATCH in b and merge_key not in b)]
    inside: list[Any] = []
    outside: list[Any] = []
    for item in merged:
        (inside if any(_equal(_ident(item, merge_key), n) for n in named) else outside).append(item)
    return inside, outside


def _normalize_order(patch_items: list[Any], server_only: list[Any], patch_order: list[Any],
                     server_order: list[Any], merge_key: str) -> list[Any]:
    """apimachinery's ``normalizeElementOrder``: each part sorted by its own order, then interleaved by the
    server's order where both items have a place in it."""
    left = _sort_by(server_only, server_order, merge_key)
    right = _sort_by(patch_items, patch_order, merge_key)
    server_ids = [_ident_or_none(s, merge_key) for s in server_order]

    def position(item: Any) -> int:
        ident = _ident_or_none(item, merge_key)
        return next((n for n, s in enumerate(server_ids) if _equal(s, ident)), -1)

    result: list[Any] = []
    i = j = 0
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


def _ident_or_none(item: Any, merge_key: str) -> Any:
    return item.get(merge_key) if merge_key and isinstance(item, dict) else (None if merge_key else item)


def _sort_by(items: list[Any], order: list[Any], merge_key: str) -> list[Any]:
    """Stable insertion sort by position in ``order`` (Go's ``sort.SliceStable`` with Kubernetes' comparator);
    ``$patch: delete`` items go last."""
    order_ids = [_ident_or_none(o, merge_key) for o in order]

    def index(item: Any) -> int:
        ident = _ident_or_none(item, merge_key)
        return next((n for n, o in enumerate(order_ids) if _equal(o, ident)), -1)

    deleted = [i for i in items if merge_key and isinstance(i, dict) and i.get(_PATCH) == _DELETE]
    rest = [i for i in items if not any(i is d for d in deleted)]
    for n in range(1, len(rest)):
        j = n
        while j > 0:
            a, b = index(rest[j]), index(rest[j - 1])
            if a >= 0 and b >= 0 and not a < b:
                break
            rest[j], rest[j - 1] = rest[j - 1], rest[j]
            j -= 1
    return rest + deleted


def _unique(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not any(_equal(value, seen) for seen in out):
            out.append(value)
    return out


def _equal(a: Any, b: Any) -> bool:
    """Go's ``==`` on decoded JSON values: a boolean never equals a number."""
    return _kind_of(a) == _kind_of(b) and a == b


def _schema_name(node: _Node) -> str:
    schema = node.schema or {}
    kind = schema.get("type")
    return kind if isinstance(kind, str) else "Struct"


# ---------------------------------------------------------------------------------------------------------
# Values new to the target: directives and nulls removed


def _set_cleaned(original: JSON, key: str, value: Any) -> None:
    kept, keep = _without_directives(value)
    if keep:
        original[key] = kept
    else:
        original.pop(key, None)  # a ``$patch: delete`` map new to the target leaves nothing behind


def _without_directives(value: Any) -> tuple[Any, bool]:
    """apimachinery's ``removeDirectives`` with nulls dropped: a map marked ``$patch: delete`` (or any other
    directive but ``replace``, whose content is kept) is left out, as are directive items of lists."""
    if isinstance(value, dict):
        if _PATCH in value and value[_PATCH] != _REPLACE:
            return None, False
        out: JSON = {}
        for k, v in value.items():
            if v is None or _is_directive(k):
                continue
            kept, keep = _without_directives(v)
            if keep:
                out[k] = kept
        return out, True
    if isinstance(value, list):
        return _cleaned_list(value), True
    return value, True


def _cleaned_map(value: JSON) -> JSON:
    kept, _ = _without_directives({k: v for k, v in value.items() if k != _PATCH})
    cleaned: JSON = kept
    return cleaned


def _cleaned_list(items: list[Any]) -> list[Any]:
    out = []
    for item in items:
        if isinstance(item, dict) and _PATCH in item:
            continue  # a list's directive items ($patch: replace / delete markers) are not values
        kept, keep = _without_directives(item)
        if keep:
            out.append(kept)
    return out


def _is_directive(key: str) -> bool:
    return key in (_PATCH, _RETAIN_KEYS) or key.startswith((_SET_ORDER, _DELETE_FROM))


def _go(value: Any) -> str:
    """A value as Go's ``%v`` prints decoded JSON (``map[name:a]``, ``[a b]``), for Kubernetes' messages."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
