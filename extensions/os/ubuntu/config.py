"""The providerConfig of Ubuntu machine images (Gardener's os-ubuntu ``ExtensionConfig``): NTP, unattended upgrades,
APT mirrors; and what each setting adds to the machine.

``SCHEMA`` is served by the garden (admission, forms, ``kubectl explain``); ``additions`` is used by the actuator.
"""

from __future__ import annotations

from typing import Any

from extensions.contract import JSON
from extensions.networking import schemas as s
from extensions.os import timesync
from extensions.sdk.osc import File, Unit

API_VERSION = "config.ubuntu.os.extensions.gardener.cloud/v1alpha1"
NTPD_UNIT, NTPD_CONF, NTPD_PACKAGE = "ntpsec.service", "/etc/ntpsec/ntp.conf", "ntpsec"
NO_UPGRADES = "/etc/apt/apt.conf.d/99-hortus-no-unattended-upgrades"

_ARCHIVE = s.strict({
    "arches": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1,
               "description": "The architectures the archive serves (amd64, arm64, default)."},
    "uri": s.text("The archive's URL.", format="uri"),
    "search": {"type": "array", "items": {"type": "string", "format": "uri"},
               "description": "Mirrors to try in order; the first reachable one is used."},
    "searchDNS": {"type": "boolean", "description": "Whether to look for a mirror by DNS."},
}, required=["arches"])

SCHEMA: JSON = s.kind(API_VERSION, "ExtensionConfig", {
    "ntp": timesync.SCHEMA,
    "disableUnattendedUpgrades": {"type": "boolean", "description": "Whether unattended-upgrades is switched off."},
    "apt": s.strict({
        "preserveSourcesList": {"type": "boolean", "description": "Keep the image's sources.list as it is."},
        "primary": {"type": "array", "items": _ARCHIVE, "description": "The primary archive mirrors."},
        "security": {"type": "array", "items": _ARCHIVE, "description": "The security archive mirrors."},
    }, description="Custom Ubuntu mirrors."),
}, description="Gardener's os-ubuntu configuration of a machine image (machine.image.providerConfig).")


def _archive(archive: JSON) -> JSON:
    out: JSON = {"arches": list(archive["arches"])}
    for ours, theirs in (("uri", "uri"), ("search", "search"), ("searchDNS", "search_dns")):
        if ours in archive:
            out[theirs] = archive[ours]
    return out


def additions(config: Any) -> tuple[list[File], list[Unit], JSON]:
    """Files, units and cloud-init modules the providerConfig adds."""
    config = config if isinstance(config, dict) else {}
    files, units = timesync.files_and_units(config.get("ntp"), ntpd_unit=NTPD_UNIT, conf_path=NTPD_CONF)
    modules: JSON = {}
    if files:  # ntpd is not on Ubuntu's cloud images
        modules["packages"] = [NTPD_PACKAGE]
    if config.get("disableUnattendedUpgrades"):
        files.append(File(path=NO_UPGRADES, content=b'APT::Periodic::Unattended-Upgrade "0";\n'))
        units.append(Unit(name="unattended-upgrades.service", command="stop", enable=False))
    apt = config.get("apt") or {}
    if apt:
        block: JSON = {}
        if "preserveSourcesList" in apt:
            block["preserve_sources_list"] = bool(apt["preserveSourcesList"])
        for key in ("primary", "security"):
            if apt.get(key):
                block[key] = [_archive(a) for a in apt[key]]
        modules["apt"] = block
    return files, units, modules
