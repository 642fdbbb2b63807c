"""The seam between the flow and the shoot domain's control-plane renderers: what the flow asks them for.

Implemented by ``seed.agent.components`` over ``shoot.pki`` and the control-plane manifests; tests may give their
own. Read by the control-plane steps (``seed.flow.steps.controlplane``) through ``ShootContext.components``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from seed.flow.context import ShootContext

JSON = dict[str, Any]


class Components(Protocol):
    """Renders the control plane of one shoot (``seed.agent.components`` binds the shoot domain's renderers)."""

    def secrets(self, ctx: ShootContext, existing: list[JSON]) -> list[JSON]:
        """The Secrets (CAs, certificates, keys, encryption config) to store, given those stored already."""
        ...

    def service(self, ctx: ShootContext) -> JSON:
        """The kube-apiserver's Service on the seed (a LoadBalancer, so that it gets an address)."""
        ...

    def policies(self, ctx: ShootContext) -> list[JSON]:
        """The NetworkPolicies of the control-plane namespace."""
        ...

    def etcd(self, ctx: ShootContext) -> list[JSON]: ...

    def kube_apiserver(self, ctx: ShootContext) -> list[JSON]: ...

    def kube_controller_manager(self, ctx: ShootContext) -> list[JSON]: ...

    def kube_scheduler(self, ctx: ShootContext) -> list[JSON]: ...

    def ca_bundle(self, ctx: ShootContext) -> str:
        """The PEM bundle of the cluster CA (published as ``<shoot>.ca-cluster``); empty before the secrets exist."""
        ...

    def client_ca(self, ctx: ShootContext) -> JSON | None:
        """The garden Secret ``<shoot>.ca-client`` the garden signs admin kubeconfigs with (None: none to publish)."""
        ...
