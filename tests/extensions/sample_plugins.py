"""Plugins for the registry's tests: good ones, and ones that break the contract in the ways a third party might."""

from __future__ import annotations

from extensions.contract import Kind, Plugin, Registration
from extensions.sdk import BaseActuator


class Nothing(BaseActuator):
    pass


class Incomplete:
    def reconcile(self) -> None: ...


good = Plugin(name="provider-good", version="1.0.0",
              resources=(Registration(kind=Kind.INFRASTRUCTURE, type="good", actuator=Nothing(),
                                      provider_config_schema={"type": "object"}),
                         Registration(kind=Kind.WORKER, type="good", actuator=Nothing())))


def factory() -> Plugin:
    return Plugin(name="os-made", version="0.1", resources=(
        Registration(kind=Kind.OPERATING_SYSTEM_CONFIG, type="made", actuator=Nothing()),))


def failing_factory() -> Plugin:
    raise RuntimeError("no configuration found")


not_a_plugin = 42

broken = Plugin(name="Broken_Name", version="", resources=(
    Registration(kind="Infra", type="UPPER", actuator=Incomplete(),  # type: ignore[arg-type]
                 provider_config_schema={"type": "no-such-type"}),))

claims_local = Plugin(name="provider-impostor", version="1.0", resources=(
    Registration(kind=Kind.INFRASTRUCTURE, type="local", actuator=Nothing()),))
