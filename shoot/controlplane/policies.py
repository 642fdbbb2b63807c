"""The control-plane namespace's NetworkPolicies: deny everything, then open what Gardener's labels allow.

Gardener writes the namespace-wide ones (``deny-all``, ``allow-to-dns``, ``allow-to-public-networks``,
``allow-to-private-networks``) with gardenlet and derives per-Service ones from Service annotations with
gardener-resource-manager; hortus renders both kinds here, with GRM's names (``ingress-to-<svc>-tcp-<port>``,
``egress-to-<svc>-tcp-<port>``), for pods that carry ``networking.resources.gardener.cloud/to-<svc>-tcp-<port>``.
Called by the seed agent's namespace step.
"""

from __future__ import annotations

from shoot.controlplane import apiserver, common, etcd
from shoot.controlplane.common import JSON
from shoot.controlplane.spec import ControlPlane

PRIVATE_V4 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
PRIVATE_V6 = ("fc00::/7",)
DNS_PORTS = (53, 8053)


def _policy(cp: ControlPlane, name: str, spec: JSON) -> JSON:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": common.meta(cp, name, {common.ROLE_LABEL: common.CONTROLPLANE}), "spec": spec}


def _allowed(label: str) -> JSON:
    return {"matchLabels": {label: common.ALLOWED}}


def manifests(cp: ControlPlane) -> list[JSON]:
    services = [(etcd.client_service(role), etcd.selector(role), etcd.CLIENT_PORT) for role in etcd.ROLES]
    if cp.etcd_replicas > 1:
        services += [(etcd.client_service(role), etcd.selector(role), etcd.PEER_PORT) for role in etcd.ROLES]
    services.append((apiserver.NAME, apiserver.SELECTOR, apiserver.PORT))
    out = [_deny_all(cp), _to_dns(cp), _to_networks(cp, public=True), _to_networks(cp, public=False)]
    for service, selector, port in services:
        out += _service_pair(cp, service, selector, port)
    out.append(_policy(cp, f"ingress-to-{apiserver.NAME}-tcp-{apiserver.PORT}-from-world", {
        "podSelector": {"matchLabels": dict(apiserver.SELECTOR)}, "policyTypes": ["Ingress"],
        "ingress": [{"ports": [{"protocol": "TCP", "port": apiserver.PORT}]}]}))
    return out


def _deny_all(cp: ControlPlane) -> JSON:
    return _policy(cp, "deny-all", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})


def _to_dns(cp: ControlPlane) -> JSON:
    ports = [{"protocol": proto, "port": port} for port in DNS_PORTS for proto in ("UDP", "TCP")]
    peer = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]}}
    return _policy(cp, "allow-to-dns", {"podSelector": _allowed(common.TO_DNS), "policyTypes": ["Egress"],
                                        "egress": [{"to": [peer], "ports": ports}]})


def _to_networks(cp: ControlPlane, *, public: bool) -> JSON:
    if public:
        peers = [{"ipBlock": {"cidr": "0.0.0.0/0", "except": list(PRIVATE_V4)}},
                 {"ipBlock": {"cidr": "::/0", "except": list(PRIVATE_V6)}}]
        name, label = "allow-to-public-networks", common.TO_PUBLIC
    else:
        peers = [{"ipBlock": {"cidr": cidr}} for cidr in (*PRIVATE_V4, *PRIVATE_V6)]
        name, label = "allow-to-private-networks", common.TO_PRIVATE
    return _policy(cp, name, {"podSelector": _allowed(label), "policyTypes": ["Egress"], "egress": [{"to": peers}]})


def _service_pair(cp: ControlPlane, service: str, selector: dict[str, str], port: int) -> list[JSON]:
    """Ingress to the Service's pods from the labelled pods, and egress of the labelled pods to them."""
    label, ports = common.to_service(service, port), [{"protocol": "TCP", "port": port}]
    return [
        _policy(cp, f"ingress-to-{service}-tcp-{port}", {
            "podSelector": {"matchLabels": dict(selector)}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": _allowed(label)}], "ports": ports}]}),
        _policy(cp, f"egress-to-{service}-tcp-{port}", {
            "podSelector": _allowed(label), "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {"matchLabels": dict(selector)}}], "ports": ports}]}),
    ]
