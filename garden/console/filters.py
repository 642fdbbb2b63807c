"""Jinja filters and globals of the console's templates: ages, times, durations, query strings, YAML.

Installed by ``garden.console.app.Console`` on its template environment.
"""

from __future__ import annotations

import datetime as dt
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import jinja2
import yaml

from garden.console import charts
from shoot import conditions


def age(then: float | str | None, now: float | None = None) -> str:
    """``3d``, ``5h``, ``12m``, ``40s`` as kubectl prints ages."""
    at = conditions.parse_timestamp(then) if isinstance(then, str) else then
    if not at:
        return ""
    seconds = max(0, int((now or time.time()) - at))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def when(then: float | str | None) -> str:
    at = conditions.parse_timestamp(then) if isinstance(then, str) else then
    if not at:
        return ""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def seconds(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    if value >= 60:
        return f"{int(value // 60)} min {int(value % 60)} s"
    return f"{value:.0f} s"


def query(params: Mapping[str, Any]) -> str:
    return urllib.parse.urlencode({k: v for k, v in params.items() if v not in (None, "")})


def to_yaml(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=120)


def install(env: jinja2.Environment) -> None:
    env.filters.update(age=age, when=when, seconds=seconds, query=query, to_yaml=to_yaml,
                       timestamp=conditions.parse_timestamp)
    env.globals.update(state_colour=charts.colour)
