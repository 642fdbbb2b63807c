"""Field selectors with Kubernetes semantics, and the label selector names re-exported from ``apiserver.labels``.

``parse_field_selector`` follows ``fields.ParseSelector``. Called by the generic list/watch handlers
(``service``, ``routes``, ``watch``), by the local seed cluster's controllers (Deployment selectors) and by the
garden scheduler (seed selectors), which reach label selectors through this module too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

from apiserver import errors
from apiserver.labels import (
    DOES_NOT_EXIST,
    DOUBLE_EQUALS,
    EQUALS,
    EXISTS,
    GREATER_THAN,
    IN,
    LESS_THAN,
    NOT_EQUALS,
    NOT_IN,
    LabelSelector,
    Requirement,
    label_selector_from_json,
    parse_label_selector,
)

__all__ = [
    "DOES_NOT_EXIST", "DOUBLE_EQUALS", "EQUALS", "EXISTS", "GREATER_THAN", "IN", "LESS_THAN", "NOT_EQUALS",
    "NOT_IN", "FieldRequirement", "FieldSelector", "LabelSelector", "Requirement", "check_fields", "field_value",
    "label_selector_from_json", "parse_field_selector", "parse_label_selector",
]


class FieldRequirement(NamedTuple):
    """``field op value``; ``op`` is ``=`` (``==`` is folded into it) or ``!=``."""

    field: str
    op: str
    value: str


@dataclasses.dataclass(frozen=True)
class FieldSelector:
    """A conjunction of field requirements; no requirements selects everything."""

    requirements: list[FieldRequirement] = dataclasses.field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def matches(self, getter: Callable[[str], str | None]) -> bool:
        """``getter`` reads a field; a missing field reads as "" (Kubernetes' fields.Set.Get)."""
        for field, op, value in self.requirements:
            equal = (getter(field) or "") == value
            if equal if op == NOT_EQUALS else not equal:
                return False
        return True


def parse_field_selector(text: str) -> FieldSelector:
    """Parse the ``fieldSelector`` query parameter; raises ``errors.bad_request`` when malformed."""
    requirements = []
    for term in _split_terms(text):
        if not term:
            continue
        field, op, raw = _split_term(term, selector=text)
        op = NOT_EQUALS if op == NOT_EQUALS else EQUALS
        requirements.append(FieldRequirement(field=field, op=op, value=_unescape(raw)))
    return FieldSelector(requirements)


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not backslash-escaped; escapes stay in the terms."""
    terms, start, escaped = [], 0, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            terms.append(text[start:i])
            start = i + 1
    return [*terms, text[start:]] if text else []


def _split_term(term: str, *, selector: str) -> tuple[str, str, str]:
    # The field name cannot be escaped: the first operator found splits the term, "!=" and "==" first.
    for i in range(len(term)):
        for op in (NOT_EQUALS, DOUBLE_EQUALS, EQUALS):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    raise errors.bad_request(f"invalid selector: '{selector}'; can't understand '{term}'")


def _unescape(value: str) -> str:
    out, escaped = [], False
    for ch in value:
        if escaped:
            if ch not in "\\,=":
                raise errors.bad_request(f"invalid field selector: invalid escape sequence: \\{ch}")
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",=":
            raise errors.bad_request(f"invalid field selector: unescaped character in value: {ch}")
        else:
            out.append(ch)
    if escaped:
        raise errors.bad_request("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def check_fields(sel: FieldSelector, allowed: Collection[str], resource: str) -> None:
    """Refuse a field ``resource`` cannot be selected by; ``allowed`` should name metadata.name too."""
    for requirement in sel.requirements:
        if requirement.field not in allowed:
            cause = errors.Cause(field="fieldSelector", message=f"not a field label of {resource}",
                                 reason="FieldValueNotSupported")
            raise errors.bad_request(f"field label not supported: {requirement.field}", causes=[cause])


def field_value(obj: Mapping[str, Any], path: str) -> str | None:
    """Read a dotted path (``spec.nodeName``) as a field selector sees it; None when absent or not scalar."""
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None
