"""The ``flatcar`` OS extension: OperatingSystemConfig/flatcar renders an Ignition v3 config.

Entry point ``flatcar = "extensions.os.flatcar:plugin"`` (group ``hortus.extensions``). The providerConfig is
Gardener's os-coreos ``ExtensionConfig`` (``extensions.os.flatcar.config``); the user data is an Ignition config
(``extensions.os.flatcar.ignition``) in Gardener's result Secret ``osc-result-<name>``.
"""

from __future__ import annotations

from extensions.contract import Context, ExtensionObject, Kind, Plugin, Registration
from extensions.os.flatcar import config, ignition
from extensions.sdk import osc
from extensions.sdk.osc import File, Unit

TYPE = "flatcar"
VERSION = "0.1.0"


class OperatingSystemConfigActuator(osc.OperatingSystemConfigActuator):
    def render(self, ctx: Context, obj: ExtensionObject, files: list[File], units: list[Unit]) -> bytes:
        more_files, more_units = config.additions(obj.provider_config)
        return ignition.render([*files, *more_files], [*units, *more_units]).encode()


plugin = Plugin(
    name="os-flatcar", version=VERSION,
    description="Flatcar Container Linux machine images: Ignition v3 configs from the OperatingSystemConfig",
    resources=(Registration(kind=Kind.OPERATING_SYSTEM_CONFIG, type=TYPE, actuator=OperatingSystemConfigActuator(),
                            provider_config_schema=config.SCHEMA),),
)
