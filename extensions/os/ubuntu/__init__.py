"""The ``ubuntu`` OS extension: OperatingSystemConfig/ubuntu renders cloud-init user data.

Entry point ``ubuntu = "extensions.os.ubuntu:plugin"`` (group ``hortus.extensions``). The providerConfig is
Gardener's os-ubuntu ``ExtensionConfig`` (``extensions.os.ubuntu.config``); the user data is a ``#cloud-config``
document (``extensions.os.ubuntu.cloudconfig``) in Gardener's result Secret ``osc-result-<name>``.
"""

from __future__ import annotations

from extensions.contract import Context, ExtensionObject, Kind, Plugin, Registration
from extensions.os.ubuntu import cloudconfig, config
from extensions.sdk import osc
from extensions.sdk.osc import File, Unit

TYPE = "ubuntu"
VERSION = "0.1.0"


class OperatingSystemConfigActuator(osc.OperatingSystemConfigActuator):
    def render(self, ctx: Context, obj: ExtensionObject, files: list[File], units: list[Unit]) -> bytes:
        more_files, more_units, modules = config.additions(obj.provider_config)
        return cloudconfig.render([*files, *more_files], [*units, *more_units], extra=modules).encode()


plugin = Plugin(
    name="os-ubuntu", version=VERSION,
    description="Ubuntu machine images: cloud-init user data from the OperatingSystemConfig",
    resources=(Registration(kind=Kind.OPERATING_SYSTEM_CONFIG, type=TYPE, actuator=OperatingSystemConfigActuator(),
                            provider_config_schema=config.SCHEMA),),
)
