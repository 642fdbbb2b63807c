"""``kubectl get`` tables: meta.k8s.io/v1 Table bodies from a kind's printer columns, and Kubernetes' ages.

Called by the list, get and watch handlers when the Accept header asks for ``as=Table``. Cells follow the
rules of the API server's CRD table convertor (column JSONPath, typed cells, ``date`` as a relative age),
except those a kind computes itself (``ResourceType.cells``, for the built-in kinds' printers).
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from apiserver import discovery, errors
from apiserver.registry import PrinterColumn, ResourceType

JSON = dict[str, Any]

TABLE_VERSIONS = ("v1", "v1beta1")
INCLUDE_OBJECT = ("None", "Metadata", "Object")

NAME_COLUMN: JSON = {
    "name": "Name",
    "type": "string",
    "format": "name",
    "priority": 0,
    "description": "Name must be unique within a namespace. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
}
AGE_COLUMN = PrinterColumn(
    name="Age",
    path=".metadata.creationTimestamp",
    type="date",
    description="CreationTimestamp is a timestamp representing the server time when this object was created.",
)


def wants_table(accept: str) -> bool:
    """True when the best acceptable media type is ``application/json;as=Table;g=meta.k8s.io;v=v1[beta1]``."""
    for media in discovery.media_ranges(accept):
        if media.is_plain_json():
            return False
        if (
            media.type == "application/json"
            and media.params.get("as") == "Table"
            and media.params.get("g") == "meta.k8s.io"
            and media.params.get("v") in TABLE_VERSIONS
        ):
            return True
    return False


def columns(rt: ResourceType) -> list[PrinterColumn]:
    """Name first, then the kind's columns with Age after the last default (priority 0) one, as
    Kubernetes' printers place it before the ``-o wide`` columns; a kind may declare its own Age."""
    own = list(rt.printer_columns)
    if any(c.name.lower() == "age" for c in own):
        return own
    last_default = max((i + 1 for i, c in enumerate(own) if c.priority == 0), default=0)
    return [*own[:last_default], AGE_COLUMN, *own[last_default:]]


def column_definition(column: PrinterColumn) -> JSON:
    description = (
        column.description or f"Custom resource definition column (in JSONPath format): {column.path}"
    )
    return {
        "name": column.name,
        "type": column.type,
        "format": column.format,
        "description": description,
        "priority": column.priority,
    }


def table(
    rt: ResourceType,
    objects: list[JSON],
    *,
    resource_version: str,
    continue_token: str | None,
    include_object: str = "Metadata",
    now: datetime,
) -> JSON:
    """The Table for ``objects``; ``include_object`` is the ``includeObject`` query parameter."""
    if include_object not in INCLUDE_OBJECT:
        raise errors.bad_request(
            f'invalid value "{include_object}" for includeObject: must be one of None, Metadata, Object'
        )
    cols = columns(rt)
    metadata: JSON = {"resourceVersion": resource_version}
    if continue_token:
        metadata["continue"] = continue_token
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": [NAME_COLUMN, *(column_definition(c) for c in cols)],
        "rows": [_row(rt, obj, columns=cols, include_object=include_object, now=now) for obj in objects],
    }


def _row(
    rt: ResourceType, obj: JSON, *, columns: list[PrinterColumn], include_object: str, now: datetime
) -> JSON:
    name = (obj.get("metadata") or {}).get("name", "")
    computed = rt.cells(obj) if rt.cells is not None else {}
    values = [computed[c.name] if c.name in computed else cell(obj, c, now=now) for c in columns]
    row: JSON = {"cells": [name, *values]}
    if include_object == "Metadata":
        row["object"] = {
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": copy.deepcopy(obj.get("metadata") or {}),
        }
    elif include_object == "Object":
        # kubectl refuses the whole Table when an embedded object lacks kind or apiVersion.
        row["object"] = {"apiVersion": rt.api_version, "kind": rt.kind, **copy.deepcopy(obj)}
    return row


# --- cells -----------------------------------------------------------------------------------------------

_MISSING = object()


def cell(obj: JSON, column: PrinterColumn, *, now: datetime) -> Any:
    """The cell of one column: None (kubectl prints ``<none>``) when the path finds nothing."""
    value = evaluate(obj, column.path)
    if value is _MISSING or value is None:
        return None
    if column.type == "date":
        return _date_cell(value, now=now)
    if column.type == "integer":
        if isinstance(value, dict | list):
            return len(value)  # a count, as the built-in printers show Secret's DATA (number of keys)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return int(value) if is_number else None
    if column.type == "number":
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if is_number else None
    if column.type == "boolean":
        return value if isinstance(value, bool) else None
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _date_cell(value: Any, *, now: datetime) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return "<invalid>"
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return human_duration(now - stamp)


_TOKEN = re.compile(
    r"""\.(?P<key>(?:\\.|[^.\[\\])+)
      | \[(?P<index>-?\d+)\]
      | \[\s*(?P<quote>['"])(?P<qkey>.*?)(?P=quote)\s*\]
      | \[\?\(\s*@(?P<fpath>(?:\.[\w\-/]+)+)\s*(?P<op>==|!=)\s*(?P<lit>'[^']*'|"[^"]*"|[^)\s]+)\s*\)\]
      | \[\*\]""",
    re.VERBOSE,
)


def evaluate(obj: Any, path: str) -> Any:
    """The first value at a CRD-column JSONPath (``.status.conditions[?(@.type=="Ready")].status``)."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1].strip()
    current = obj
    pos = 0
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if match is None or current is _MISSING:
            return _MISSING
        current = _step(current, match)
        pos = match.end()
    return current


def _step(current: Any, match: re.Match[str]) -> Any:
    groups = match.groupdict()
    key = groups["key"] if groups["key"] is not None else groups["qkey"]
    if key is not None:
        key = re.sub(r"\\(.)", r"\1", key)
        return current.get(key, _MISSING) if isinstance(current, dict) else _MISSING
    if not isinstance(current, list):
        return _MISSING
    if groups["index"] is not None:
        index = int(groups["index"])
        return current[index] if -len(current) <= index < len(current) else _MISSING
    if groups["fpath"] is not None:
        return _filter(current, path=groups["fpath"], op=groups["op"], literal=groups["lit"])
    return current[0] if current else _MISSING  # [*]: a table cell shows the first result


def _filter(items: list[Any], *, path: str, op: str, literal: str) -> Any:
    expected: Any
    if literal[:1] in "'\"":
        expected = literal[1:-1]
    else:
        try:
            expected = json.loads(literal)
        except ValueError:
            expected = literal
    for item in items:
        found = evaluate(item, path)
        if (found == expected) == (op == "=="):
            return item
    return _MISSING


# --- ages ------------------------------------------------------------------------------------------------


def human_duration(delta: timedelta) -> str:
    """Kubernetes' ``duration.HumanDuration``: about 2-3 significant figures (``59s``, ``2m3s``, ``2d4h``)."""
    micros = delta // timedelta(microseconds=1)
    seconds = micros // 1_000_000 if micros >= 0 else -(-micros // 1_000_000)  # Go truncates toward zero
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return _two_units(minutes, "m", seconds % 60, "s")
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return _two_units(hours, "h", minutes % 60, "m")
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return _two_units(hours // 24, "d", hours % 24, "h")
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        return _two_units(hours // 24 // 365, "y", (hours // 24) % 365, "d")
    return f"{hours // 24 // 365}y"


def _two_units(big: int, big_unit: str, small: int, small_unit: str) -> str:
    return f"{big}{big_unit}" if small == 0 else f"{big}{big_unit}{small}{small_unit}"
