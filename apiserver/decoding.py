"""Hostile-proof decoding of JSON and YAML text, and the check that a value can be stored and served back.

Called by ``apiserver.bodies`` for every request body (objects, patches, DeleteOptions), by ``apiserver.protobuf``
for embedded JSON, and by ``apiserver.objects.decode`` for every object about to be stored. Nothing here recurses
over the input: nesting is measured by a C parser with a depth limit (orjson), by YAML's event stream, or by an
explicit stack, so a body nested 10,000 levels deep is refused with 400 before any recursive code sees it.

Refused, as Kubernetes' decoders refuse them: nesting past ``MAX_DEPTH``, integers outside int64, NaN and
infinities, strings that are not valid Unicode text (lone UTF-16 surrogates), map keys that are not strings.
Duplicate keys are reported so that the caller can refuse them under ``fieldValidation=Strict``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import Any

import orjson
import yaml

from apiserver import errors
from apiserver.errors import Cause

MAX_DEPTH = 100
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# A JSON string token (escapes included); used to blank out strings before counting structural colons.
_STRING = re.compile(rb'"(?:[^"\\]+|\\.)*"', re.DOTALL)
# Only a run of 19 digits can be an integer outside int64 (2**63 has 19 digits).
_LONG_DIGITS = re.compile(rb"\d{19}")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclasses.dataclass(frozen=True)
class Decoded:
    """A decoded document and the paths of keys that appeared more than once (the last one was kept)."""

    doc: Any
    duplicates: tuple[str, ...] = ()


class _Loader(yaml.CSafeLoader):
    """YAML as Kubernetes reads it (sigs.k8s.io/yaml): timestamps stay strings, as they do in JSON."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def too_deep(path: str = "", what: str = "the request body") -> errors.ApiError:
    where = f" at {path if len(path) <= 60 else path[:57] + '...'}" if path else ""
    return errors.bad_request(f"{what} is nested too deeply{where}: at most {MAX_DEPTH} levels of objects "
                              "and arrays are accepted")


# --- JSON --------------------------------------------------------------------------------------------------------


def json_text(body: bytes | str, *, what: str = "the request body", strict: bool = True) -> Decoded | None:
    """The JSON document in ``body``; 400 for text that is not JSON, nested too deeply or not storable.

    ``strict=False``: None for text that is not JSON (the caller may read it as YAML instead)."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc) or "recursion" in str(exc).lower():
            raise too_deep() from None
        if strict:
            raise errors.bad_request(f"{what} is not valid JSON: {exc}") from None
        return None
    keys = check(doc, what=what, strings=False)
    exact = _LONG_DIGITS.search(raw) is not None  # orjson reads integers beyond 64 bits as floats
    if not exact and not _may_repeat_keys(raw, keys):
        return Decoded(doc)
    # The exact parse: Python's decoder keeps big integers whole and reports repeated keys. It is safe to run
    # now that orjson measured the depth.
    repeated: dict[int, list[str]] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):
            seen: set[str] = set()
            repeated[id(out)] = [k for k, _ in items if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
        return out

    doc = json.loads(raw, object_pairs_hook=pairs)
    check(doc, what=what, strings=False)
    return Decoded(doc, _duplicate_paths(doc, repeated) if repeated else ())


def _may_repeat_keys(raw: bytes, keys: int) -> bool:
    """Whether the text holds more keys than the decoded maps: each key is followed by one structural colon."""
    if raw.count(b":") <= keys:
        return False
    return _STRING.sub(b'""', raw).count(b":") > keys


def _duplicate_paths(doc: Any, repeated: dict[int, list[str]]) -> tuple[str, ...]:
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            found.extend(_join(path, key) for key in repeated.get(id(node), ()))
            stack.extend((v, _join(path, k)) for k, v in node.items() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node) if isinstance(v, dict | list))
    return tuple(sorted(found))


# --- YAML --------------------------------------------------------------------------------------------------------


def yaml_text(body: bytes, *, what: str = "the request body") -> Decoded:
    """The YAML document in ``body`` (one document); 400 when it is not YAML, too deep, or not storable.

    The event stream is read first (PyYAML's parser is a state machine; its composer recurses): depth, repeated
    keys and the number of nodes are known before a tree is built."""
    try:
        duplicates = _scan_events(body)
        doc = yaml.load(body, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise errors.bad_request(f"{what} is neither JSON nor YAML: {_first_line(exc)}") from None
    except UnicodeDecodeError:
        raise errors.bad_request(f"{what} is not valid UTF-8 text") from None
    # Aliases can make a small text a huge tree: no more nodes than the text has bytes.
    check(doc, what=what, strings=True, budget=len(body) + 16)
    return Decoded(doc, duplicates)


def _scan_events(body: bytes) -> tuple[str, ...]:
    # stack entries: [path, keys seen or None for a sequence, expecting a key, index]
    stack: list[list[Any]] = []
    duplicates: list[str] = []
    for event in yaml.parse(body, Loader=_Loader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            path = _child_path(stack)
            if len(stack) >= MAX_DEPTH:
                raise too_deep(path)
            is_map = isinstance(event, yaml.MappingStartEvent)
            stack.append([path, set() if is_map else None, True, 0, None])
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            stack.pop()
            _advance(stack)
        elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
            top = stack[-1] if stack else None
            if top is not None and top[1] is not None and top[2]:  # a key of a mapping
                key = event.value if isinstance(event, yaml.ScalarEvent) else "*alias"
                if key in top[1]:
                    duplicates.append(_join(top[0], key))
                top[1].add(key)
                top[4] = key
                top[2] = False
            else:
                _advance(stack)
    return tuple(sorted(duplicates))


def _child_path(stack: list[list[Any]]) -> str:
    if not stack:
        return ""
    path, keys, _, index, key = stack[-1]
    return f"{path}[{index}]" if keys is None else _join(path, str(key))


def _advance(stack: list[list[Any]]) -> None:
    """A value ended: the enclosing mapping expects a key next, the enclosing sequence its next index."""
    if stack:
        top = stack[-1]
        if top[1] is None:
            top[3] += 1
        else:
            top[2] = True


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- the storable-value check ------------------------------------------------------------------------------------


def check(doc: Any, *, what: str = "the object", strings: bool = True, budget: int | None = None) -> int:
    """Refuse (400) what cannot be stored and served back; returns the number of map keys seen.

    ``strings``: also check every string and key for lone surrogates (JSON read by orjson cannot hold any)."""
    keys = nodes = 0
    if not _container(doc):
        _scalar(doc, what=what, strings=strings, path="", key="")
        return 0
    stack: list[tuple[Any, str, int]] = [(doc, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise too_deep(path, what)
        nodes += len(node)
        if budget is not None and nodes > budget:
            raise errors.bad_request(f"{what} expands to too many values (YAML aliases?)")
        if type(node) is dict:
            keys += len(node)
            for key, value in node.items():
                if type(key) is not str:
                    raise _bad(what, path, f"map key {key!r} is not a string")
                if strings and not key.isascii() and _SURROGATE.search(key):
                    raise _bad(what, path, "a map key is not valid Unicode text: it holds a lone UTF-16 surrogate")
                if _container(value):
                    stack.append((value, _join(path, key), depth + 1))
                else:
                    _scalar(value, what=what, strings=strings, path=path, key=key)
        else:
            for index, value in enumerate(node):
                if _container(value):
                    stack.append((value, f"{path}[{index}]", depth + 1))
                else:
                    _scalar(value, what=what, strings=strings, path=path, key=index)
    return keys


def _container(value: Any) -> bool:
    kind = type(value)
    return kind is dict or kind is list


def _scalar(value: Any, *, what: str, strings: bool, path: str, key: str | int) -> None:
    kind = type(value)
    if kind is str:
        if strings and not value.isascii() and _SURROGATE.search(value):
            raise _bad(what, _child(path, key), "invalid Unicode: the string holds a lone UTF-16 surrogate")
    elif kind is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise _bad(what, _child(path, key), f"number {value} is out of the range of a 64-bit integer")
    elif kind is float:
        if not math.isfinite(value):
            raise _bad(what, _child(path, key), f"{value} is not a JSON number")
    elif value is not None and kind is not bool:
        raise _bad(what, _child(path, key), f"a {kind.__name__} is not a JSON value")


def too_nested(doc: Any, text: str) -> bool:
    """Whether a decoded document nests deeper than ``MAX_DEPTH`` (``text`` its JSON: fewer brackets, no walk)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        values = node.values() if type(node) is dict else node
        stack.extend((v, depth + 1) for v in values if type(v) is dict or type(v) is list)
    return False


def _bad(what: str, path: str, problem: str) -> errors.ApiError:
    field = path or "<root>"
    return errors.bad_request(f"{what} cannot be decoded: {field}: {problem}",
                              causes=[Cause(field=path, message=problem, reason="FieldValueInvalid")])


def _child(path: str, key: Any) -> str:
    return f"{path}[{key}]" if type(key) is int else _join(path, key)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
