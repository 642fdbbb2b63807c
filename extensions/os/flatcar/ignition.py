"""Flatcar's user data: an Ignition config (spec 3.3.0) that writes the OperatingSystemConfig's files and units.

Rendered by ``extensions.os.flatcar``'s actuator (purpose ``provision``). Ignition runs once, in the initramfs of
the first boot, so enabled units simply start with the system. File contents are ``data:`` URLs: base64, except
files marked ``transmitUnencoded``, which are percent-encoded so that the machine provisioner finds their
``<<BOOTSTRAP_TOKEN>>`` and ``<<MACHINE_NAME>>`` placeholders in that form (``placeholder``) and replaces them.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable, Sequence
from typing import TypeVar

from extensions.contract import JSON
from extensions.sdk.osc import File, Unit

VERSION = "3.3.0"
T = TypeVar("T")


def data_url(f: File) -> str:
    if not f.transmit_unencoded:
        return "data:;base64," + base64.b64encode(f.content).decode()
    # Percent-encoded as Go's url.QueryEscape does: machine-controller-manager replaces the placeholders in
    # that form in Ignition user data (``%3C%3CBOOTSTRAP_TOKEN%3E%3E``), and '<' is no data URL character.
    return "data:," + urllib.parse.quote(f.content.decode(), safe="")


def storage_file(f: File) -> JSON:
    return {"path": f.path, "mode": f.permissions, "overwrite": True, "contents": {"source": data_url(f)}}


def systemd_unit(u: Unit) -> JSON:
    entry: JSON = {"name": u.name}
    starts = u.enable and u.command != "stop"
    if u.content is not None:
        entry["contents"] = _installable(u.content) if starts else u.content
    if u.drop_ins:
        entry["dropins"] = [{"name": d.name, "contents": d.content} for d in u.drop_ins]
    if starts:
        entry["enabled"] = True
    elif u.command == "stop":
        entry["enabled"] = False
    return entry


def _installable(content: str) -> str:
    """Enabling a unit without an ``[Install]`` section does nothing, and Ignition can only enable: such a unit is
    made wanted by ``multi-user.target``, so that it starts as the other OSes start it."""
    if any(line.strip() == "[Install]" for line in content.splitlines()):
        return content
    return content.rstrip("\n") + "\n\n[Install]\nWantedBy=multi-user.target\n"


def config(files: Sequence[File], units: Sequence[Unit]) -> JSON:
    document: JSON = {"ignition": {"version": VERSION}}
    if files:
        document["storage"] = {"files": [storage_file(f) for f in _last_by(files, key=lambda f: f.path)]}
    if units:
        document["systemd"] = {"units": [systemd_unit(u) for u in _last_by(units, key=lambda u: u.name)]}
    return document


def render(files: Sequence[File], units: Sequence[Unit]) -> str:
    return json.dumps(config(files, units), indent=2, sort_keys=False) + "\n"


def _last_by(items: Sequence[T], *, key: Callable[[T], str]) -> list[T]:
    """One entry per path or unit name (Ignition refuses duplicates): a later entry of the same key wins."""
    found: dict[str, T] = {}
    for item in items:
        found.pop(key(item), None)
        found[key(item)] = item
    return list(found.values())


def placeholder(name: str) -> str:
    """How a placeholder (``<<MACHINE_NAME>>``) appears in an Ignition config's data URLs."""
    return urllib.parse.quote(name, safe="")
