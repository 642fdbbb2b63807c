"""Cilium for a shoot: the objects Gardener's networking-cilium deploys into the shoot, rendered from its
``NetworkConfig`` (``cilium.networking.extensions.gardener.cloud/v1alpha1``) with Gardener's defaults.

Called by ``extensions.networking.cilium``. The agent (DaemonSet), the operator (which installs Cilium's own CRDs
when it starts), Hubble relay when Hubble is on, their RBAC and ``cilium-config``. Images are the Cilium release
Gardener ships for every Kubernetes version it supports.
"""

from __future__ import annotations

import dataclasses

from extensions.contract import JSON
from extensions.networking import kube
from extensions.networking.kube import NAMESPACE

VERSION = "v1.19.7"
IMAGES = {"agent": f"quay.io/cilium/cilium:{VERSION}", "operator": f"quay.io/cilium/operator-generic:{VERSION}",
          "relay": f"quay.io/cilium/hubble-relay:{VERSION}"}
AGENT_LABELS = {"k8s-app": "cilium"}
OPERATOR_LABELS = {"io.cilium/app": "operator", "name": "cilium-operator"}
RELAY_LABELS = {"k8s-app": "hubble-relay"}


@dataclasses.dataclass(frozen=True)
class Settings:
    pod_cidr: str
    tunnel: str = "vxlan"
    hubble: bool = True
    kube_proxy_replacement: bool = False
    service_host: str | None = None
    service_port: int | None = None
    ipv6: bool = False
    mtu: int = 0
    devices: tuple[str, ...] = ()
    load_balancing: str = "snat"
    bpf_masquerade: bool = False
    wireguard: bool = False
    debug: bool = False
    policy_audit: bool = False
    egress_gateway: bool = False
    bgp: bool = False
    l2_announcements: bool = False

    @classmethod
    def of(cls, config: JSON, *, pod_cidr: str, kube_proxy_enabled: bool) -> Settings:
        """Gardener's defaults: VXLAN tunnel (none without overlay), Hubble on, kube-proxy replaced when the shoot
        runs without kube-proxy."""
        overlay = (config.get("overlay") or {}).get("enabled")
        tunnel = config.get("tunnel") or ("disabled" if overlay is False else "vxlan")
        kube_proxy = config.get("kubeproxy") or {}
        encryption = config.get("encryption") or {}
        return cls(pod_cidr=pod_cidr, tunnel=tunnel,
                   hubble=bool((config.get("hubble") or {}).get("enabled", True)),
                   kube_proxy_replacement=not kube_proxy_enabled,
                   service_host=kube_proxy.get("k8sServiceHost"), service_port=kube_proxy.get("k8sServicePort"),
                   ipv6=bool((config.get("ipv6") or {}).get("enabled")), mtu=int(config.get("mtu") or 0),
                   devices=tuple(config.get("devices") or ()), load_balancing=config.get("loadBalancingMode") or "snat",
                   bpf_masquerade=bool(config.get("enableBPFMasquerade")),
                   wireguard=bool(encryption.get("enabled")) and encryption.get("mode") == "wireguard",
                   debug=bool(config.get("debug")), policy_audit=bool(config.get("policyAuditMode")),
                   egress_gateway=bool((config.get("egressGateway") or {}).get("enabled")),
                   bgp=bool((config.get("bgpControlPlane") or {}).get("enabled")),
                   l2_announcements=bool((config.get("l2Announcements") or {}).get("enabled")))


def manifests(settings: Settings) -> list[JSON]:
    out = [kube.service_account("cilium"), kube.service_account("cilium-operator"), *_rbac(), _config(settings),
           _agent(), _operator(), kube.pdb("cilium-operator", OPERATOR_LABELS)]
    if settings.hubble:
        out += [kube.service_account("hubble-relay"), _peer_service(), _relay(), _relay_service()]
    return out


def _rbac() -> list[JSON]:
    watch = ["get", "list", "watch"]
    cilium_all = kube.rule(["cilium.io"], ["*"], ["get", "list", "watch", "create", "update", "patch", "delete"])
    agent = kube.cluster_role("cilium", [
        kube.rule(["networking.k8s.io"], ["networkpolicies"], watch),
        kube.rule(["discovery.k8s.io"], ["endpointslices"], watch),
        kube.rule([""], ["namespaces", "services", "pods", "endpoints", "nodes"], watch),
        kube.rule([""], ["nodes/status", "pods"], ["patch"]),
        kube.rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], watch), cilium_all])
    operator = kube.cluster_role("cilium-operator", [
        kube.rule([""], ["pods"], [*watch, "delete"]), kube.rule([""], ["nodes"], watch),
        kube.rule([""], ["nodes/status"], ["patch"]),
        kube.rule([""], ["services", "endpoints", "namespaces"], watch),
        kube.rule(["discovery.k8s.io"], ["endpointslices"], watch),
        kube.rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], [*watch, "create", "update"]),
        kube.rule(["coordination.k8s.io"], ["leases"], ["create", "get", "update"]), cilium_all])
    return [agent, operator, kube.cluster_role_binding("cilium", role="cilium", account="cilium"),
            kube.cluster_role_binding("cilium-operator", role="cilium-operator", account="cilium-operator")]


def _config(settings: Settings) -> JSON:
    native = settings.tunnel == "disabled"
    data = {
        "identity-allocation-mode": "crd", "cluster-name": "default", "ipam": "kubernetes",
        "enable-ipv4": "true", "enable-ipv6": str(settings.ipv6).lower(),
        "routing-mode": "native" if native else "tunnel",
        "kube-proxy-replacement": str(settings.kube_proxy_replacement).lower(),
        "bpf-lb-mode": settings.load_balancing, "enable-bpf-masquerade": str(settings.bpf_masquerade).lower(),
        "enable-ipv4-masquerade": "true", "enable-hubble": str(settings.hubble).lower(),
        "enable-wireguard": str(settings.wireguard).lower(), "debug": str(settings.debug).lower(),
        "policy-audit-mode": str(settings.policy_audit).lower(),
        "enable-ipv4-egress-gateway": str(settings.egress_gateway).lower(),
        "enable-bgp-control-plane": str(settings.bgp).lower(),
        "enable-l2-announcements": str(settings.l2_announcements).lower(),
        "mtu": str(settings.mtu), "operator-api-serve-addr": "127.0.0.1:9234",
    }
    if not native:
        data["tunnel-protocol"] = settings.tunnel
    else:
        data["ipv4-native-routing-cidr"] = settings.pod_cidr
        data["auto-direct-node-routes"] = "true"
    if settings.hubble:
        data.update({"hubble-listen-address": ":4244", "hubble-disable-tls": "true"})
    if settings.devices:
        data["devices"] = " ".join(settings.devices)
    if settings.service_host:
        data["k8s-service-host"] = settings.service_host
    if settings.service_port:
        data["k8s-service-port"] = str(settings.service_port)
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cilium-config", "namespace": NAMESPACE, "labels": dict(kube.MANAGED_BY)},
            "data": data}


def _probe(port: int, **timing: int) -> JSON:
    return {"httpGet": {"host": "127.0.0.1", "path": "/healthz", "port": port, "scheme": "HTTP"}, **timing}


def _agent() -> JSON:
    env = [{"name": "K8S_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
           {"name": "CILIUM_K8S_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}]
    mounts = [{"name": n, "mountPath": p} for n, p in (
        ("bpf-maps", "/sys/fs/bpf"), ("cilium-run", "/var/run/cilium"), ("cni-path", "/host/opt/cni/bin"),
        ("etc-cni-netd", "/host/etc/cni/net.d"), ("lib-modules", "/lib/modules"), ("xtables-lock", "/run/xtables.lock"),
        ("cilium-config-path", "/tmp/cilium/config-map"))]
    agent = {"name": "cilium-agent", "image": IMAGES["agent"], "command": ["cilium-agent"],
             "args": ["--config-dir=/tmp/cilium/config-map"], "env": env, "volumeMounts": mounts,
             "securityContext": {"privileged": True},
             "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}},
             "startupProbe": _probe(9879, failureThreshold=105, periodSeconds=2),
             "livenessProbe": _probe(9879, periodSeconds=30, failureThreshold=10, timeoutSeconds=5),
             "readinessProbe": _probe(9879, periodSeconds=30, failureThreshold=3, timeoutSeconds=5)}
    install_cni = {"name": "install-cni-binaries", "image": IMAGES["agent"],
                   "command": ["/install-plugin.sh"], "securityContext": {"privileged": True},
                   "volumeMounts": [{"name": "cni-path", "mountPath": "/host/opt/cni/bin"}]}
    volumes = [kube.host_path("bpf-maps", "/sys/fs/bpf", "DirectoryOrCreate"),
               kube.host_path("cilium-run", "/var/run/cilium", "DirectoryOrCreate"),
               kube.host_path("cni-path", "/opt/cni/bin", "DirectoryOrCreate"),
               kube.host_path("etc-cni-netd", "/etc/cni/net.d", "DirectoryOrCreate"),
               kube.host_path("lib-modules", "/lib/modules"),
               kube.host_path("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
               {"name": "cilium-config-path", "configMap": {"name": "cilium-config"}}]
    template = {"metadata": {"labels": dict(AGENT_LABELS)},
                "spec": {"hostNetwork": True, "serviceAccountName": "cilium",
                         "priorityClassName": "system-node-critical",
                         "nodeSelector": {"kubernetes.io/os": "linux"}, "tolerations": [{"operator": "Exists"}],
                         "terminationGracePeriodSeconds": 1, "initContainers": [install_cni], "containers": [agent],
                         "volumes": volumes}}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "cilium", "namespace": NAMESPACE, "labels": {**kube.MANAGED_BY, **AGENT_LABELS}},
            "spec": {"selector": {"matchLabels": dict(AGENT_LABELS)}, "template": template,
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}}}}


def _operator() -> JSON:
    container = {"name": "cilium-operator", "image": IMAGES["operator"], "command": ["cilium-operator-generic"],
                 "args": ["--config-dir=/tmp/cilium/config-map"],
                 "env": [{"name": "K8S_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                         {"name": "CILIUM_K8S_NAMESPACE", "valueFrom": {"fieldRef": {
                             "fieldPath": "metadata.namespace"}}}],
                 "resources": {"requests": {"cpu": "25m", "memory": "50Mi"}},
                 "livenessProbe": _probe(9234, initialDelaySeconds=60, periodSeconds=10, timeoutSeconds=3),
                 "volumeMounts": [{"name": "cilium-config-path", "mountPath": "/tmp/cilium/config-map",
                                   "readOnly": True}]}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "cilium-operator", "namespace": NAMESPACE,
                         "labels": {**kube.MANAGED_BY, **OPERATOR_LABELS}},
            "spec": {"replicas": 1, "selector": {"matchLabels": dict(OPERATOR_LABELS)},
                     "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}},
                     "template": {"metadata": {"labels": dict(OPERATOR_LABELS)},
                                  "spec": {"hostNetwork": True, "serviceAccountName": "cilium-operator",
                                           "priorityClassName": "system-cluster-critical",
                                           "tolerations": [{"operator": "Exists"}], "containers": [container],
                                           "volumes": [{"name": "cilium-config-path",
                                                        "configMap": {"name": "cilium-config"}}]}}}}


def _peer_service() -> JSON:
    """Hubble's peer service: every agent's Hubble server (port 4244), where the relay finds them."""
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "hubble-peer", "namespace": NAMESPACE, "labels": {**kube.MANAGED_BY, **AGENT_LABELS}},
            "spec": {"selector": dict(AGENT_LABELS), "internalTrafficPolicy": "Local",
                     "ports": [{"name": "peer-service", "port": 80, "protocol": "TCP", "targetPort": 4244}]}}


def _relay() -> JSON:
    container = {"name": "hubble-relay", "image": IMAGES["relay"], "command": ["hubble-relay"],
                 "args": ["serve", "--peer-service=hubble-peer.kube-system.svc.cluster.local:80",
                          "--listen-address=:4245", "--disable-client-tls", "--disable-server-tls"],
                 "ports": [{"name": "grpc", "containerPort": 4245}],
                 "readinessProbe": {"tcpSocket": {"port": "grpc"}}, "livenessProbe": {"tcpSocket": {"port": "grpc"}}}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "hubble-relay", "namespace": NAMESPACE, "labels": {**kube.MANAGED_BY, **RELAY_LABELS}},
            "spec": {"replicas": 1, "selector": {"matchLabels": dict(RELAY_LABELS)},
                     "template": {"metadata": {"labels": dict(RELAY_LABELS)},
                                  "spec": {"serviceAccountName": "hubble-relay", "containers": [container]}}}}


def _relay_service() -> JSON:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "hubble-relay", "namespace": NAMESPACE, "labels": {**kube.MANAGED_BY, **RELAY_LABELS}},
            "spec": {"selector": dict(RELAY_LABELS), "ports": [{"port": 80, "protocol": "TCP", "targetPort": 4245}]}}
