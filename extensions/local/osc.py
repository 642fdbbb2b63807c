"""OperatingSystemConfig/local: the user data of the ``local`` machine image, a bash script (Gardener's
provision script of provider-local).

Called through ``extensions.driver``; the result Secret is what the local Worker mounts into its machine Pods at
``/etc/machine``. The script writes the files (base64-decoded unless ``transmitUnencoded``), the units and their
drop-ins, reloads systemd and enables and restarts the units, guarded so that it runs once.
"""

from __future__ import annotations

import base64
import shlex

from extensions.contract import Context, ExtensionObject
from extensions.sdk import osc
from extensions.sdk.osc import File, Unit

GUARD = "/var/lib/osc/provision-osc-applied"
END = "HORTUS_EOF"


def script(files: list[File], units: list[Unit]) -> str:
    lines = ["#!/bin/bash", "set -euo pipefail", f"if [ -f {GUARD} ]; then exit 0; fi", ""]
    for f in files:
        lines.append(f"mkdir -p {shlex.quote(_parent(f.path))}")
        if f.transmit_unencoded:
            lines += [f"cat << 'HORTUS_EOF' > {shlex.quote(f.path)}", f.content.decode(), END]
        else:
            encoded = base64.b64encode(f.content).decode()
            lines += [f"cat << 'HORTUS_EOF' | base64 -d > {shlex.quote(f.path)}", encoded, END]
        lines.append(f"chmod {f.permissions:04o} {shlex.quote(f.path)}")
    if units:
        lines.append("mkdir -p /etc/systemd/system")
    for u in units:
        path = f"/etc/systemd/system/{u.name}"
        if u.content is not None:
            lines += [f"cat << 'HORTUS_EOF' > {shlex.quote(path)}", u.content.rstrip("\n"), END]
        for d in u.drop_ins:
            lines += [f"mkdir -p {shlex.quote(path + '.d')}",
                      f"cat << 'HORTUS_EOF' > {shlex.quote(f'{path}.d/{d.name}')}", d.content.rstrip("\n"), END]
    lines.append("systemctl daemon-reload")
    for u in units:
        name = shlex.quote(u.name)
        if u.enable:
            lines.append(f"systemctl enable {name} && systemctl restart --no-block {name}")
        elif u.command == "stop":
            lines.append(f"systemctl stop --no-block {name}")
    lines += [f"mkdir -p {_parent(GUARD)}", f"touch {GUARD}", ""]
    return "\n".join(lines)


def _parent(path: str) -> str:
    return path.rpartition("/")[0] or "/"


class OperatingSystemConfigActuator(osc.OperatingSystemConfigActuator):
    def render(self, ctx: Context, obj: ExtensionObject, files: list[File], units: list[Unit]) -> bytes:
        return script(files, units).encode()
