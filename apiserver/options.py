"""The query parameters and DeleteOptions of a resource request, parsed and validated as Kubernetes does.

Called by ``apiserver.routes`` before a handler does anything: a value Kubernetes' parameter codec cannot convert
is a 400 (``limit=1e30``, ``gracePeriodSeconds=abc``), a value its option validation refuses is a 422 naming the
option (``CreateOptions "" is invalid: dryRun: Unsupported value: ...``), and in both cases nothing is written.
Booleans follow the codec: only ``false`` and ``0`` are false.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import QueryParams as Query

from apiserver import errors, selectors
from apiserver.errors import Cause

JSON = dict[str, Any]

FIELD_MANAGER_MAX_LENGTH = 128
DRY_RUN_ALL = "All"
FIELD_VALIDATIONS = ("Ignore", "Strict", "Warn")
PROPAGATION_POLICIES = ("Background", "Foreground", "Orphan")
_INT = re.compile(r"[+-]?[0-9]+")
_OPTION_KINDS = {"create": "CreateOptions", "update": "UpdateOptions", "patch": "PatchOptions"}


@dataclasses.dataclass(frozen=True)
class WriteOptions:
    """CreateOptions, UpdateOptions or PatchOptions."""

    dry_run: bool
    field_manager: str
    field_validation: str


@dataclasses.dataclass(frozen=True)
class ReadOptions:
    """What a get, list or watch reads from the query besides resourceVersion (``apiserver.consistency``'s)."""

    limit: int | None
    timeout_seconds: int | None
    bookmarks: bool


def boolean(value: str | None) -> bool:
    """Kubernetes' query booleans: absent, ``false`` (any case) and ``0`` are false; anything else is true."""
    return value is not None and value != "0" and value.lower() != "false"


def int64(query: Query, name: str) -> int | None:
    """An integer parameter as Go's ``strconv.ParseInt(s, 10, 64)`` reads it; 400 when it cannot."""
    value = query.get(name)
    if value is None:
        return None
    if not _INT.fullmatch(value):
        raise errors.bad_request(f'{name}: Invalid value: "{value}": strconv.ParseInt: parsing "{value}": '
                                 "invalid syntax", causes=[Cause(field=name, message="invalid syntax")])
    number = int(value)
    if not -(2**63) <= number < 2**63:
        raise errors.bad_request(f'{name}: Invalid value: "{value}": strconv.ParseInt: parsing "{value}": '
                                 "value out of range", causes=[Cause(field=name, message="value out of range")])
    return number


# --- writes ------------------------------------------------------------------------------------------------------


def write_options(query: Query, verb: str) -> WriteOptions:
    """The options of a create, update or patch (``verb``); 422 for values ``Validate<Verb>Options`` refuses."""
    kind = _OPTION_KINDS.get(verb, "CreateOptions")
    causes = dry_run_causes(query.getlist("dryRun"))
    manager = query.get("fieldManager") or ""
    causes += field_manager_causes(manager)
    validation = query.get("fieldValidation") or ""
    if validation not in ("", *FIELD_VALIDATIONS):
        causes.append(_unsupported("fieldValidation", f'"{validation}"', ('""', *_quoted(FIELD_VALIDATIONS))))
    if verb == "patch" and "force" in query:
        causes.append(Cause(field="force", message="Forbidden: may not be specified for non-apply patch",
                            reason="FieldValueForbidden"))
    _raise(kind, causes)
    return WriteOptions(dry_run=bool(query.getlist("dryRun")), field_manager=manager,
                        field_validation=validation or "Warn")


def dry_run_causes(values: list[str]) -> list[Cause]:
    if all(v == DRY_RUN_ALL for v in values):
        return []
    shown = "[]string{" + ", ".join(f'"{v}"' for v in values) + "}"
    return [_unsupported("dryRun", shown, (f'"{DRY_RUN_ALL}"',))]


def field_manager_causes(manager: str, field: str = "fieldManager") -> list[Cause]:
    causes = []
    if len(manager.encode()) > FIELD_MANAGER_MAX_LENGTH:
        causes.append(Cause(field=field, reason="FieldValueTooLong",
                            message=f"Too long: must have at most {FIELD_MANAGER_MAX_LENGTH} bytes"))
    for position, char in enumerate(manager):
        if not char.isprintable():
            causes.append(Cause(field=field, message=f'Invalid value: {_go_quote(manager)}: invalid character '
                                                     f"U+{ord(char):04X} (at position {position})"))
            break
    return causes


# --- reads -------------------------------------------------------------------------------------------------------


def read_options(query: Query, verb: str) -> ReadOptions:
    """``limit``, ``timeoutSeconds`` and ``allowWatchBookmarks``, and well-formed selectors; 400 when malformed.

    A limit of 0 or below lists everything, as Kubernetes' storage does."""
    limit = int64(query, "limit")
    timeout = int64(query, "timeoutSeconds")
    rv = query.get("resourceVersion") or ""
    if rv and not (rv.isascii() and rv.isdigit() and int(rv) < 2**63):
        raise errors.bad_request(f'resourceVersion: Invalid value: "{rv}": must be a non-negative integer',
                                 causes=[Cause(field="resourceVersion", message="must be a non-negative integer")])
    if verb in ("list", "watch", "deletecollection"):
        selectors.parse_label_selector(query.get("labelSelector") or "")
        selectors.parse_field_selector(query.get("fieldSelector") or "")
    if verb == "list" and query.get("continue") and rv not in ("", "0"):
        raise errors.bad_request("specifying resource version is not allowed when using continue")
    return ReadOptions(limit=limit if limit is not None and limit > 0 else None,
                       timeout_seconds=timeout if timeout is not None and timeout > 0 else None,
                       bookmarks=boolean(query.get("allowWatchBookmarks")))


# --- deletes -----------------------------------------------------------------------------------------------------

# DeleteOptions fields and the Go types their JSON must decode into.
_DELETE_FIELDS: Mapping[str, tuple[tuple[type, ...], str]] = {
    "kind": ((str,), "string"),
    "apiVersion": ((str,), "string"),
    "gracePeriodSeconds": ((int,), "int64"),
    "propagationPolicy": ((str,), "v1.DeletionPropagation"),
    "orphanDependents": ((bool,), "bool"),
    "dryRun": ((list,), "[]string"),
    "preconditions": ((dict,), "v1.Preconditions"),
    "ignoreStoreReadErrorWithClusterBreakingPotential": ((bool,), "bool"),
}


def delete_options(query: Query, body: JSON) -> JSON:
    """The DeleteOptions of a delete: the body's, completed from the query; 400 when a field has the wrong type,
    422 (``DeleteOptions "" is invalid``) for values ``ValidateDeleteOptions`` refuses."""
    options = {k: v for k, v in body.items() if v is not None}
    for name, (types, go_type) in _DELETE_FIELDS.items():
        value = options.get(name)
        if value is not None and (not isinstance(value, types) or (go_type == "int64" and isinstance(value, bool))):
            raise _wrong_type(name, value, go_type)
    for item in options.get("dryRun") or []:
        if not isinstance(item, str):
            raise _wrong_type("dryRun", item, "string")
    for key, value in (options.get("preconditions") or {}).items():
        if value is not None and not isinstance(value, str):
            raise _wrong_type(f"preconditions.{key}", value, "string")
    _fill_from_query(options, query)
    causes = []
    if "orphanDependents" in options and "propagationPolicy" in options:
        causes.append(Cause(field="propagationPolicy", message=f'Invalid value: "{options["propagationPolicy"]}": '
                                                               "orphanDependents and deletionPropagation cannot be "
                                                               "both set"))
    policy = options.get("propagationPolicy")
    if policy is not None and policy not in PROPAGATION_POLICIES:
        causes.append(_unsupported("propagationPolicy", f'"{policy}"', (*_quoted(PROPAGATION_POLICIES), '"nil"')))
    causes += dry_run_causes(options.get("dryRun") or [])
    _raise("DeleteOptions", causes)
    return options


def _fill_from_query(options: JSON, query: Query) -> None:
    if "gracePeriodSeconds" not in options and (grace := int64(query, "gracePeriodSeconds")) is not None:
        options["gracePeriodSeconds"] = grace
    if "propagationPolicy" not in options and query.get("propagationPolicy") is not None:
        options["propagationPolicy"] = query.get("propagationPolicy")
    if "orphanDependents" not in options and query.get("orphanDependents") is not None:
        options["orphanDependents"] = boolean(query.get("orphanDependents"))
    if "dryRun" not in options and query.getlist("dryRun"):
        options["dryRun"] = list(query.getlist("dryRun"))
    pre = dict(options.get("preconditions") or {})
    for key in ("uid", "resourceVersion"):
        if key not in pre and query.get(f"preconditions.{key}"):
            pre[key] = query.get(f"preconditions.{key}")
    if pre:
        options["preconditions"] = pre


def _wrong_type(field: str, value: Any, go_type: str) -> errors.ApiError:
    got = _json_type(value)
    return errors.bad_request(
        f"DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: json: cannot unmarshal {got} into "
        f"Go struct field DeleteOptions.{field} of type {go_type}",
        causes=[Cause(field=field, message=f"cannot unmarshal {got} into a value of type {go_type}")])


# --- helpers -----------------------------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def _unsupported(field: str, shown: str, supported: tuple[str, ...]) -> Cause:
    return Cause(field=field, reason="FieldValueNotSupported",
                 message=f"Unsupported value: {shown}: supported values: {', '.join(supported)}")


def _quoted(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f'"{v}"' for v in values)


def _go_quote(text: str) -> str:
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def _raise(kind: str, causes: list[Cause]) -> None:
    if causes:
        raise errors.invalid(kind, "", causes, group="meta.k8s.io")
