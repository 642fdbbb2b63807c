"""Value formats shared by the shoot and project validations: DNS names, label keys and values, Go durations,
plus small accessors for objects in their JSON wire form.

Used by every module of ``shoot.validation``; the messages are Kubernetes' own (``apimachinery`` validation).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from typing import Any, TypeGuard

from shoot import fielderrors
from shoot.fielderrors import FieldError

DNS_LABEL_MAX = 63
DNS_SUBDOMAIN_MAX = 253
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

DNS_LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_NAME_PART_MESSAGE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_LABEL_VALUE_MESSAGE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


# --- accessors for wire dicts --------------------------------------------------------------------------


def dig(obj: Any, *keys: str) -> Any:
    """``obj[k1][k2]...`` or None where a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def items(value: Any) -> list[Any]:
    """The list at ``value``, or an empty list where it is absent or not a list."""
    return value if isinstance(value, list) else []


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


# --- names -------------------------------------------------------------------------------------------


def dns_label(field: str, value: Any) -> list[FieldError]:
    if not isinstance(value, str) or not _DNS_LABEL.match(value):
        return [fielderrors.invalid(field, value, DNS_LABEL_MESSAGE)]
    if len(value) > DNS_LABEL_MAX:
        return [fielderrors.invalid(field, value, f"must be no more than {DNS_LABEL_MAX} characters")]
    return []


def dns_subdomain(field: str, value: Any) -> list[FieldError]:
    if not isinstance(value, str) or not _DNS_SUBDOMAIN.match(value):
        return [fielderrors.invalid(field, value, DNS_SUBDOMAIN_MESSAGE)]
    if len(value) > DNS_SUBDOMAIN_MAX:
        return [fielderrors.invalid(field, value, f"must be no more than {DNS_SUBDOMAIN_MAX} characters")]
    return []


def qualified_name(field: str, value: Any) -> list[FieldError]:
    """A label or annotation key: ``[prefix/]name`` with a DNS-subdomain prefix and a 63-character name."""
    if not isinstance(value, str) or not value:
        return [fielderrors.invalid(field, value, "name part must be non-empty")]
    prefix, _, name = value.rpartition("/")
    if "/" in value and not prefix:
        return [fielderrors.invalid(field, value, "prefix part must be non-empty")]
    errors = dns_subdomain(field, prefix) if prefix else []
    if not _QUALIFIED_NAME.match(name):
        errors.append(fielderrors.invalid(field, value, _NAME_PART_MESSAGE))
    elif len(name) > DNS_LABEL_MAX:
        errors.append(fielderrors.invalid(field, value, "name part must be no more than 63 characters"))
    return errors


def label_value(field: str, value: Any) -> list[FieldError]:
    if not isinstance(value, str) or not _LABEL_VALUE.match(value):
        return [fielderrors.invalid(field, value, _LABEL_VALUE_MESSAGE)]
    if len(value) > DNS_LABEL_MAX:
        return [fielderrors.invalid(field, value, "must be no more than 63 characters")]
    return []


def label_map(field: str, value: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    for key, label in mapping(value).items():
        errors += qualified_name(field, key)
        errors += label_value(f"{field}[{key}]", label)
    return errors


def annotation_map(field: str, value: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    total = 0
    for key, annotation in mapping(value).items():
        errors += qualified_name(field, key)
        total += len(key) + len(str(annotation))
    if total > 256 * 1024:
        errors.append(fielderrors.too_long(field, "", 256 * 1024))
    return errors


# --- durations (Go's time.ParseDuration) ---------------------------------------------------------------

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> float:
    """Seconds of a Go duration such as ``168h``, ``1h30m`` or ``0``; ValueError if it is not one."""
    body = text[1:] if text[:1] in "+-" else text
    sign = -1 if text.startswith("-") else 1
    if body == "0":
        return 0.0
    position, seconds = 0, 0.0
    while position < len(body):
        match = _DURATION_PART.match(body, position)
        if match is None:
            raise ValueError(f'time: invalid duration "{text}"')
        seconds += float(match[1]) * _UNIT_SECONDS[match[2]]
        position = match.end()
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    return sign * seconds


# --- time zones ------------------------------------------------------------------------------------------


def is_zone(name: str) -> bool:
    """Whether Go's ``time.LoadLocation`` would accept ``name`` (an IANA zone, ``UTC`` or ``Local``)."""
    if name in ("", "UTC", "Local"):
        return True
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
