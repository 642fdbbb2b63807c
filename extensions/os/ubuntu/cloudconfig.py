"""Ubuntu's user data: a cloud-init ``#cloud-config`` document that writes the OperatingSystemConfig's files and
units and starts the units.

Rendered by ``extensions.os.ubuntu``'s actuator (purpose ``provision``). Files are written base64-encoded, except
those marked ``transmitUnencoded``, whose ``<<BOOTSTRAP_TOKEN>>``/``<<MACHINE_NAME>>`` placeholders must stay
literal for the machine provisioner; ``runcmd`` reloads systemd and enables and (re)starts the units; cloud-init
runs it once per instance, so a reboot does not provision again.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import yaml

from extensions.contract import JSON
from extensions.sdk.osc import File, Unit

HEADER = "#cloud-config\n"
UNIT_DIR = "/etc/systemd/system"


def write_file(f: File) -> JSON:
    entry: JSON = {"path": f.path, "permissions": f"{f.permissions:04o}", "owner": "root:root"}
    if f.transmit_unencoded:
        entry["content"] = f.content.decode()
    else:
        entry.update(encoding="b64", content=base64.b64encode(f.content).decode())
    return entry


def unit_files(units: Sequence[Unit]) -> list[File]:
    """Unit contents and drop-ins as the files systemd reads."""
    out = []
    for u in units:
        if u.content is not None:
            out.append(File(path=f"{UNIT_DIR}/{u.name}", content=u.content.encode()))
        out += [File(path=f"{UNIT_DIR}/{u.name}.d/{d.name}", content=d.content.encode()) for d in u.drop_ins]
    return out


def unit_commands(units: Sequence[Unit]) -> list[list[str]]:
    commands: list[list[str]] = [["systemctl", "daemon-reload"]]
    for u in units:
        if u.command == "stop":
            commands.append(["systemctl", "stop", "--no-block", u.name])
            if not u.enable:
                commands.append(["systemctl", "disable", u.name])
            continue
        if u.enable:
            commands.append(["systemctl", "enable", u.name])
        if u.enable or u.command in ("start", "restart"):
            commands.append(["systemctl", "restart", "--no-block", u.name])
    return commands


def render(files: Sequence[File], units: Sequence[Unit], *, extra: JSON | None = None) -> str:
    """The ``#cloud-config`` document; ``extra`` adds cloud-init modules (``apt``, ``packages``)."""
    document: JSON = dict(extra or {})
    written = [*files, *unit_files(units)]
    if written:
        document["write_files"] = [write_file(f) for f in written]
    document["runcmd"] = unit_commands(units)
    return HEADER + yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=1 << 16)
