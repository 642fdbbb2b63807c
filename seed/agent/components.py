"""The control-plane renderers the seed agent's flows use: ``default()`` binds the shoot domain's.

Called by ``workers.agent.build_agent``. The flow asks for the objects of each component
(``seed.flow.components.Components``); rendering them is the pure shoot domain's work.
"""

from __future__ import annotations

from typing import Any

from seed.flow.components import Components
from seed.flow.context import ShootContext
from shoot import errors

JSON = dict[str, Any]


class Unavailable:
    """No renderers are installed: every control-plane step fails with a message saying so."""

    def _refuse(self) -> list[JSON]:
        raise errors.PermanentError("this seed agent has no control-plane renderers")

    def secrets(self, ctx: ShootContext, existing: list[JSON]) -> list[JSON]:
        return self._refuse()

    def etcd(self, ctx: ShootContext) -> list[JSON]:
        return self._refuse()

    def kube_apiserver(self, ctx: ShootContext) -> list[JSON]:
        return self._refuse()

    def kube_controller_manager(self, ctx: ShootContext) -> list[JSON]:
        return self._refuse()

    def kube_scheduler(self, ctx: ShootContext) -> list[JSON]:
        return self._refuse()

    def ca_bundle(self, ctx: ShootContext) -> str:
        return ""


def default() -> Components:
    return Unavailable()
