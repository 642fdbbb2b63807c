"""Label selectors with Kubernetes semantics: the ``Requirement`` and ``LabelSelector`` values, their parser and
label key/value validation.

``parse_label_selector`` follows ``labels.Parse`` (its lexer, grammar, validation and error wording) and
``label_selector_from_json`` follows ``metav1.LabelSelectorAsSelector``. Called through ``apiserver.selectors`` by
the generic list/watch handlers, by the local seed cluster's controllers and by the garden scheduler.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from apiserver import errors

# Operators, spelled as Kubernetes' selection.Operator values.
EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "=", "==", "!="
IN, NOT_IN, EXISTS, DOES_NOT_EXIST = "in", "notin", "exists", "!"
GREATER_THAN, LESS_THAN = "gt", "lt"

_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_SYMBOLS = {"!=": NOT_EQUALS, "==": DOUBLE_EQUALS, "=": EQUALS, "!": "!", "(": "(", ")": ")", ",": ",",
            ">": GREATER_THAN, "<": LESS_THAN}
_BINARY_OPERATORS = ("in", "notin", "=", "==", "!=", "gt", "lt")

_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_RE = re.compile(f"^{_QNAME_FMT}$")
_QNAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
              "alphanumeric character")
_VALUE_FMT = f"({_QNAME_FMT})?"
_VALUE_RE = re.compile(f"^{_VALUE_FMT}$")
_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
              "and must start and end with an alphanumeric character")
_DNS_FMT = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_DNS_RE = re.compile(f"^{_DNS_FMT}$")
_DNS_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            "and must start and end with an alphanumeric character")
_INT64_RE = re.compile(r"^[+-]?[0-9]+$")


class _SelectorError(Exception):
    """A parse or validation failure, worded as Kubernetes words it; turned into a 400 at the API edge."""


@dataclasses.dataclass(frozen=True)
class Requirement:
    """One ``key <operator> values`` term; ``values`` are sorted, as Kubernetes keeps them."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        has = self.key in labels
        if self.operator in (EQUALS, DOUBLE_EQUALS, IN):
            return has and labels[self.key] in self.values
        if self.operator in (NOT_EQUALS, NOT_IN):
            # Kubernetes: an object without the key satisfies != and notin.
            return not has or labels[self.key] not in self.values
        if self.operator == EXISTS:
            return has
        if self.operator == DOES_NOT_EXIST:
            return not has
        return has and _compare_int(labels[self.key], operator=self.operator, bound=self.values[0])

    def __str__(self) -> str:
        if self.operator == EXISTS:
            return self.key
        if self.operator == DOES_NOT_EXIST:
            return f"!{self.key}"
        if self.operator in (IN, NOT_IN):
            return f"{self.key} {self.operator} ({','.join(self.values)})"
        symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(self.operator, self.operator)
        return f"{self.key}{symbol}{self.values[0]}"


def _compare_int(value: str, *, operator: str, bound: str) -> bool:
    if not _INT64_RE.match(value):
        return False
    left = int(value)
    if not -(2**63) <= left < 2**63:
        return False
    return left > int(bound) if operator == GREATER_THAN else left < int(bound)


@dataclasses.dataclass(frozen=True)
class LabelSelector:
    """A conjunction of requirements; no requirements selects everything."""

    requirements: tuple[Requirement, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.requirements

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


def parse_label_selector(text: str) -> LabelSelector:
    """Parse the ``labelSelector`` query parameter; raises ``errors.bad_request`` when malformed."""
    try:
        requirements = _LabelParser(text).parse()
    except _SelectorError as exc:
        raise errors.bad_request(str(exc)) from None
    return LabelSelector(tuple(sorted(requirements, key=lambda r: r.key)))


def label_selector_from_json(sel: Mapping[str, Any] | None) -> LabelSelector:
    """Convert a ``metav1.LabelSelector`` object; None or ``{}`` selects everything."""
    if not sel:
        return LabelSelector()
    if not isinstance(sel, Mapping):
        raise errors.bad_request(f"label selector must be an object, got {_go_value(sel)}")
    try:
        requirements = [*_match_labels(sel.get("matchLabels")),
                        *_match_expressions(sel.get("matchExpressions"))]
    except _SelectorError as exc:
        raise errors.bad_request(str(exc)) from None
    return LabelSelector(tuple(sorted(requirements, key=lambda r: r.key)))


def _match_labels(labels: Any) -> Iterator[Requirement]:
    if labels is None:
        return
    if not isinstance(labels, Mapping):
        raise _SelectorError(f"matchLabels: Invalid value: {_go_value(labels)}: must be an object")
    for key, value in labels.items():
        if not isinstance(value, str):
            raise _SelectorError(f"matchLabels[{key}]: Invalid value: {_go_value(value)}: must be a string")
        yield _new_requirement(key, EQUALS, [value])


_JSON_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def _match_expressions(expressions: Any) -> Iterator[Requirement]:
    if expressions is None:
        return
    if not isinstance(expressions, list):
        raise _SelectorError(f"matchExpressions: Invalid value: {_go_value(expressions)}: must be a list")
    for expr in expressions:
        if not isinstance(expr, Mapping):
            raise _SelectorError(f"matchExpressions: Invalid value: {_go_value(expr)}: must be an object")
        operator = _JSON_OPERATORS.get(str(expr.get("operator")))
        if operator is None:
            raise _SelectorError(f"{_go_value(expr.get('operator'))} is not a valid label selector operator")
        values = expr.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _SelectorError(f"values: Invalid value: {_go_value(values)}: must be a list of strings")
        yield _new_requirement(str(expr.get("key", "")), operator, values)


def _new_requirement(key: str, operator: str, values: Sequence[str]) -> Requirement:
    """Kubernetes ``labels.NewRequirement``: validate, collecting every error into one aggregate."""
    problems = [p for p in [_key_error(key, path="key")] if p]
    problems += _cardinality_problems(operator, values)
    for i, value in enumerate(values):
        if value_problems := _label_value_problems(value):
            bad = _go_value(value)
            problems.append(f"values[{i}][{key}]: Invalid value: {bad}: {'; '.join(value_problems)}")
    if problems:
        raise _SelectorError(_aggregate(problems))
    return Requirement(key=key, operator=operator, values=tuple(sorted(set(values))))


def _cardinality_problems(operator: str, values: Sequence[str]) -> list[str]:
    prefix = f"values: Invalid value: {_go_value(values)}"
    if operator in (IN, NOT_IN) and not values:
        return [f"{prefix}: for 'in', 'notin' operators, values set can't be empty"]
    if operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS) and len(values) != 1:
        return [f"{prefix}: exact-match compatibility requires one single value"]
    if operator in (EXISTS, DOES_NOT_EXIST) and values:
        return [f"{prefix}: values set must be empty for exists and does not exist"]
    if operator in (GREATER_THAN, LESS_THAN):
        return _integer_errors(values)
    return []


def _integer_errors(values: Sequence[str]) -> list[str]:
    if len(values) != 1:
        return [f"values: Invalid value: {_go_value(values)}: for 'Gt', 'Lt' operators, exactly one value is "
                "required"]
    if not _INT64_RE.match(values[0]) or not -(2**63) <= int(values[0]) < 2**63:
        return [f"values[0]: Invalid value: {_go_value(values[0])}: for 'Gt', 'Lt' operators, the value must "
                "be an integer"]
    return []


def _key_error(key: str, *, path: str) -> str | None:
    problems = _qualified_name_problems(key)
    return f"{path}: Invalid value: {_go_value(key)}: {'; '.join(problems)}" if problems else None


def _qualified_name_problems(value: str) -> list[str]:
    """Kubernetes ``validation.IsQualifiedName``: an optional DNS subdomain prefix, '/', a name part."""
    parts = value.split("/")
    if len(parts) > 2:
        return ["a qualified name " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    problems = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            problems.append("prefix part must be non-empty")
        else:
            if len(prefix) > 253:
                problems.append("prefix part must be no more than 253 characters")
            if not _DNS_RE.match(prefix):
                problems.append("prefix part " + _regex_error(_DNS_MSG, _DNS_FMT, "example.com"))
    name = parts[-1]
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > 63:
        problems.append("name part must be no more than 63 characters")
    if not _QNAME_RE.match(name):
        problems.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return problems


def _label_value_problems(value: str) -> list[str]:
    problems = []
    if len(value) > 63:
        problems.append("must be no more than 63 characters")
    if not _VALUE_RE.match(value):
        problems.append(_regex_error(_VALUE_MSG, _VALUE_FMT, "MyValue", "my_value", "12345"))
    return problems


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    # Kubernetes' RegexError, double spaces and all: kubectl users grep for this text.
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def _go_value(value: Any) -> str:
    """Render a bad value as Go's field.Invalid does (%q for strings, []string{...} for lists)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[]string{" + ", ".join(_go_value(v) for v in value) + "}"
    if value is None:
        return '"null"'
    return json.dumps(value, ensure_ascii=False)


def _aggregate(problems: list[str]) -> str:
    unique = list(dict.fromkeys(problems))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


class _Token(NamedTuple):
    kind: str  # "id", "end", or the symbol/keyword itself ("(", ",", "!", "=", "in", ...)
    literal: str


def _lex(text: str) -> list[_Token]:
    """Kubernetes' selector lexer: identifiers run until whitespace or one of ``=!(),><``."""
    tokens, i = [], 0
    while True:
        while i < len(text) and text[i] in _WHITESPACE:
            i += 1
        if i >= len(text):
            tokens.append(_Token("end", ""))
            return tokens
        if text[i] in _SPECIAL:
            symbol = text[i:i + 2] if text[i:i + 2] in ("!=", "==") else text[i]
            tokens.append(_Token(_SYMBOLS[symbol], symbol))
            i += len(symbol)
            continue
        start = i
        while i < len(text) and text[i] not in _SPECIAL and text[i] not in _WHITESPACE:
            i += 1
        word = text[start:i]
        tokens.append(_Token(word if word in (IN, NOT_IN) else "id", word))


class _LabelParser:
    """Recursive-descent parser mirroring ``labels.Parser``, down to its error messages."""

    def __init__(self, text: str) -> None:
        self._tokens = _lex(text)
        self._pos = 0

    def _lookahead(self, *, values: bool = True) -> _Token:
        token = self._tokens[self._pos]
        # Where values are expected, the keywords "in" and "notin" are plain identifiers.
        return _Token("id", token.literal) if values and token.kind in (IN, NOT_IN) else token

    def _consume(self, *, values: bool = True) -> _Token:
        token = self._lookahead(values=values)
        self._pos = min(self._pos + 1, len(self._tokens) - 1)
        return token

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            token = self._lookahead()
            if token.kind == "end":
                return requirements
            if token.kind not in ("id", "!"):
                raise _SelectorError(f"found '{token.literal}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self._requirement())
            except _SelectorError as exc:
                raise _SelectorError(f"unable to parse requirement: {exc}") from None
            after = self._consume()
            if after.kind == "end":
                return requirements
            if after.kind != ",":
                raise _SelectorError(f"found '{after.literal}', expected: ',' or 'end of string'")
            following = self._lookahead()
            if following.kind not in ("id", "!"):
                raise _SelectorError(f"found '{following.literal}', expected: identifier after ','")

    def _requirement(self) -> Requirement:
        token = self._consume()
        negated = token.kind == "!"
        if negated:
            token = self._consume()
        if token.kind != "id":
            raise _SelectorError(f"found '{token.literal}', expected: identifier")
        key_error = _key_error(token.literal, path="<nil>")
        if key_error:
            raise _SelectorError(key_error)
        if negated or self._lookahead().kind in ("end", ","):
            return _new_requirement(token.literal, DOES_NOT_EXIST if negated else EXISTS, [])
        operator = self._consume(values=False)
        if operator.kind not in _BINARY_OPERATORS:
            raise _SelectorError(f"found '{operator.literal}', expected: {', '.join(_BINARY_OPERATORS)}")
        values = self._set_values() if operator.kind in (IN, NOT_IN) else self._exact_value()
        return _new_requirement(token.literal, operator.kind, values)

    def _exact_value(self) -> list[str]:
        if self._lookahead().kind in ("end", ","):
            return [""]
        token = self._consume()
        if token.kind != "id":
            raise _SelectorError(f"found '{token.literal}', expected: identifier")
        return [token.literal]

    def _set_values(self) -> list[str]:
        token = self._consume()
        if token.kind != "(":
            raise _SelectorError(f"found '{token.literal}' expected: '('")
        first = self._lookahead()
        if first.kind == ")":
            self._consume()
            return [""]
        if first.kind not in ("id", ","):
            raise _SelectorError(f"found '{first.literal}', expected: ',', ')' or identifier")
        values = self._identifier_list()
        if self._consume().kind != ")":
            raise _SelectorError(f"found '{first.literal}', expected: ')'")
        return values

    def _identifier_list(self) -> list[str]:
        """A possibly empty, comma separated list; empty members (``(,a)``) stand for the empty value."""
        values: list[str] = []
        while True:
            token = self._consume()
            if token.kind == "id":
                values.append(token.literal)
                following = self._lookahead()
                if following.kind == ")":
                    return values
                if following.kind != ",":
                    raise _SelectorError(f"found '{following.literal}', expected: ',' or ')'")
            elif token.kind == ",":
                if not values:
                    values.append("")
                following = self._lookahead()
                if following.kind == ")":
                    values.append("")
                    return values
                if following.kind == ",":
                    self._consume()
                    values.append("")
            else:
                raise _SelectorError(f"found '{token.literal}', expected: ',', or identifier")
