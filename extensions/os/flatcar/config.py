"""The providerConfig of Flatcar machine images (Gardener's os-coreos ``ExtensionConfig``): NTP; and what it adds.

``SCHEMA`` is served by the garden (admission, forms, ``kubectl explain``); ``additions`` is used by the actuator.
"""

from __future__ import annotations

from typing import Any

from extensions.contract import JSON
from extensions.networking import schemas as s
from extensions.os import timesync
from extensions.sdk.osc import File, Unit

API_VERSION = "config.coreos.os.extensions.gardener.cloud/v1alpha1"
NTPD_UNIT, NTPD_CONF = "ntpd.service", "/etc/ntp.conf"

SCHEMA: JSON = s.kind(API_VERSION, "ExtensionConfig", {"ntp": timesync.SCHEMA},
                      description="Gardener's os-coreos configuration of a Flatcar machine image "
                                  "(machine.image.providerConfig).")


def additions(config: Any) -> tuple[list[File], list[Unit]]:
    config = config if isinstance(config, dict) else {}
    return timesync.files_and_units(config.get("ntp"), ntpd_unit=NTPD_UNIT, conf_path=NTPD_CONF)
