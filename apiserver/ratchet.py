"""Validation ratcheting: an error about a field the request did not change does not block the write.

A rule added or tightened after an object was stored must not make that object unchangeable: its labels, its
status, its finalizers and its deletion stay writable. So an error is kept only when the value at its field path
(``spec.provider.workers[0].maximum``, ``metadata.labels[app]``) differs between the stored object and the new
one — or when there is no stored object (a create). Generic over every rule: ``garden.admission.errors`` applies it
to Gardener's rules and ``apiserver.service`` to each kind's schema (as Kubernetes ratchets CRD validation). A
rule relating two fields reports the field a request changes (a seed placement is checked whole, see
``garden.admission.shoots``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar

from apiserver import errors

_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")
_MISSING = object()


class HasField(Protocol):
    @property
    def field(self) -> str: ...


E = TypeVar("E", bound=HasField)


def parse_path(path: str) -> list[str | int] | None:
    """``a.b[0].c`` -> ``["a", "b", 0, "c"]``; ``metadata.labels[x.y/z]`` keeps the key whole; None if malformed."""
    parts: list[str | int] = []
    pos = 0
    while pos < len(path):
        if path[pos] == "." and parts:
            pos += 1
        match = _SEGMENT.match(path, pos)
        if match is None:
            return None
        name, bracket = match.groups()
        if name is not None:
            parts.append(name)
        else:
            parts.append(int(bracket) if bracket.isdigit() else bracket)
        pos = match.end()
    return parts


def value_at(obj: Any, path: Sequence[str | int]) -> Any:
    """The value at ``path`` in ``obj``, or a private marker when it is absent."""
    current = obj
    for part in path:
        if isinstance(part, int) and isinstance(current, list):
            current = current[part] if 0 <= part < len(current) else _MISSING
        elif isinstance(current, dict):
            current = current.get(str(part), _MISSING)
        else:
            return _MISSING
        if current is _MISSING:
            return _MISSING
    return current


def unchanged(field: str, *, new: Any, old: Any) -> bool:
    """Whether the request left the value at ``field`` as it was (an unparseable or empty path counts as changed)."""
    path = parse_path(field)
    if not path:
        return False
    return bool(value_at(new, path) == value_at(old, path))


def changed_only(found: Iterable[E], *, new: Any, old: Any | None) -> list[E]:
    """The errors of ``found`` about fields this request changed; all of them on a create (``old`` None)."""
    errors = list(found)
    if old is None:
        return errors
    return [e for e in errors if not unchanged(e.field, new=new, old=old)]


def narrowed(exc: errors.ApiError, *, new: Any, old: Any | None) -> errors.ApiError | None:
    """A 422 Invalid ``exc`` keeping only the causes about changed fields; None when no cause is left."""
    details = exc.details or {}
    causes = [errors.Cause(field=c.get("field", ""), message=c.get("message", ""),
                           reason=c.get("reason", "FieldValueInvalid")) for c in details.get("causes") or []]
    if exc.code != 422 or old is None or not causes:
        return exc
    kept = changed_only(causes, new=new, old=old)
    if not kept:
        return None
    if len(kept) == len(causes):
        return exc
    return errors.invalid(str(details.get("kind", "")), str(details.get("name", "")), kept,
                          group=str(details.get("group", "")))
