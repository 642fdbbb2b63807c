"""Time synchronisation of a machine, as Gardener's OS extensions configure it: systemd-timesyncd (the default) or
ntpd with its own servers.

Used by ``extensions.os.ubuntu`` and ``extensions.os.flatcar``: ``SCHEMA`` is the ``ntp`` block of their
providerConfigs, ``files_and_units`` what the block adds to the machine (besides the OperatingSystemConfig's own).
"""

from __future__ import annotations

from typing import Any

from extensions.contract import JSON
from extensions.networking import schemas as s
from extensions.sdk.osc import File, Unit

TIMESYNCD, NTPD = "systemd-timesyncd", "ntpd"

SCHEMA: JSON = s.strict({
    "enabled": {"type": "boolean", "description": "Whether the extension configures a time sync service at all."},
    "daemon": s.one_of(TIMESYNCD, NTPD, description="The time sync service to run."),
    "ntpd": s.strict({
        "servers": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1,
                    "description": "The NTP servers ntpd asks."},
        "restrictToInterface": {"type": "boolean", "description": "Whether ntpd listens on one interface only."},
        "interface": s.text("The interface ntpd binds to.", minLength=1),
    }, required=["servers"], description="The configuration of ntpd (daemon ntpd)."),
}, description="NTP: systemd-timesyncd or ntpd.")


def ntpd_conf(servers: list[str], *, interface: str | None) -> str:
    lines = ["# Written by hortus from the machine image's providerConfig",
             "restrict default nomodify nopeer noquery limited kod", "restrict 127.0.0.1", "restrict [::1]"]
    lines += [f"server {server} iburst" for server in servers]
    if interface:
        lines += ["interface ignore wildcard", f"interface listen {interface}"]
    return "\n".join(lines) + "\n"


def files_and_units(config: Any, *, ntpd_unit: str, conf_path: str) -> tuple[list[File], list[Unit]]:
    """What the ``ntp`` block asks for: nothing when absent or disabled, timesyncd enabled, or ntpd with its
    configuration at ``conf_path`` and timesyncd stopped (``ntpd_unit``: the OS's name of the ntpd service)."""
    if not isinstance(config, dict) or config.get("enabled") is False:
        return [], []
    if config.get("daemon", TIMESYNCD) == TIMESYNCD:
        return [], [Unit(name="systemd-timesyncd.service", command="start", enable=True)]
    ntpd = config.get("ntpd") or {}
    interface = ntpd.get("interface") if ntpd.get("restrictToInterface") else None
    conf = ntpd_conf([str(x) for x in ntpd.get("servers") or []], interface=interface)
    return ([File(path=conf_path, content=conf.encode(), permissions=0o644)],
            [Unit(name="systemd-timesyncd.service", command="stop", enable=False),
             Unit(name=ntpd_unit, command="restart", enable=True)])
