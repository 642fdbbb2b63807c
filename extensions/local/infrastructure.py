"""Infrastructure/local: the network of a local shoot's machines, as NetworkPolicies in its seed namespace.

Called through ``extensions.driver``. The namespace itself is the flow's; machines are Pods labelled
``app=machine`` there (``extensions.local.worker``). Ingress to machines is allowed from the shoot's control plane
(the namespace's Pods), from the nodes network and to NodePorts; egress is open. The status reports the shoot's
networks and the nodes network as egress CIDR, as Gardener's provider-local does; there is no providerStatus.
"""

from __future__ import annotations

from extensions.contract import JSON, Context, ExtensionObject, Outcome
from extensions.sdk import BaseActuator, ShootView

INGRESS, EGRESS = "local-machines-ingress", "local-machines-egress"
MACHINES = {"matchLabels": {"app": "machine"}}


def network_policies(namespace: str, *, nodes: str | None) -> list[JSON]:
    sources: list[JSON] = [{"podSelector": {}}]
    if nodes:
        sources.append({"ipBlock": {"cidr": nodes}})
    node_ports = [{"protocol": p, "port": 30000, "endPort": 32767} for p in ("TCP", "UDP")]
    meta = {"namespace": namespace, "labels": {"app.kubernetes.io/managed-by": "hortus",
                                               "extensions.gardener.cloud/infrastructure": "local"}}
    return [
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": INGRESS, **meta},
         "spec": {"podSelector": MACHINES, "policyTypes": ["Ingress"],
                  "ingress": [{"from": sources}, {"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": node_ports}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": EGRESS, **meta},
         "spec": {"podSelector": MACHINES, "policyTypes": ["Egress"], "egress": [{}]}},
    ]


class InfrastructureActuator(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        networking = ShootView.of(ctx).networking
        for policy in network_policies(obj.namespace, nodes=networking.nodes):
            ctx.seed.apply(policy)
        networks = {k: v for k, v in (("nodes", networking.nodes), ("pods", networking.pods),
                                      ("services", networking.services)) if v}
        status: JSON = {"networking": networks}
        if networking.nodes:
            status["egressCIDRs"] = [networking.nodes]
        return Outcome(status=status)

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        for name in (INGRESS, EGRESS):
            ctx.seed.delete("networking.k8s.io/v1", "NetworkPolicy", name, namespace=obj.namespace)

    def migrate(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """The policies are seed-side objects: they go, and the destination seed creates its own."""
        self.delete(ctx, obj)
        return Outcome(state=obj.state or None)
