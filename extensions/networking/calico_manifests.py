"""Calico for a shoot: the objects Gardener's networking-calico deploys into the shoot, rendered from its
``NetworkConfig`` (``calico.networking.extensions.gardener.cloud/v1alpha1``) with Gardener's defaults.

Called by ``extensions.networking.calico``. calico-node (DaemonSet, with the CNI installer), calico-kube-controllers,
Typha (unless switched off), their RBAC, ``calico-config`` and the default IP pool of the shoot's pod network.
Images are the Calico release Gardener ships for every Kubernetes version it supports.
"""

from __future__ import annotations

import dataclasses
import json

from extensions.contract import JSON
from extensions.networking import kube
from extensions.networking.kube import NAMESPACE

VERSION = "v3.31.6"
IMAGES = {"node": f"quay.io/calico/node:{VERSION}", "cni": f"quay.io/calico/cni:{VERSION}",
          "typha": f"quay.io/calico/typha:{VERSION}",
          "kube-controllers": f"quay.io/calico/kube-controllers:{VERSION}"}
GROUP = "crd.projectcalico.org"
# (kind, plural, namespaced) of the kinds calico-node and calico-kube-controllers use.
CRDS = (("BGPConfiguration", "bgpconfigurations", False), ("BGPFilter", "bgpfilters", False),
        ("BGPPeer", "bgppeers", False), ("BlockAffinity", "blockaffinities", False),
        ("CalicoNodeStatus", "caliconodestatuses", False), ("ClusterInformation", "clusterinformations", False),
        ("FelixConfiguration", "felixconfigurations", False), ("GlobalNetworkPolicy", "globalnetworkpolicies", False),
        ("GlobalNetworkSet", "globalnetworksets", False), ("HostEndpoint", "hostendpoints", False),
        ("IPAMBlock", "ipamblocks", False), ("IPAMConfig", "ipamconfigs", False), ("IPAMHandle", "ipamhandles", False),
        ("IPPool", "ippools", False), ("IPReservation", "ipreservations", False),
        ("KubeControllersConfiguration", "kubecontrollersconfigurations", False),
        ("NetworkPolicy", "networkpolicies", True), ("NetworkSet", "networksets", True), ("Tier", "tiers", False))
NODE_LABELS = {"k8s-app": "calico-node"}
CONTROLLERS_LABELS = {"k8s-app": "calico-kube-controllers"}
TYPHA_LABELS = {"k8s-app": "calico-typha"}


@dataclasses.dataclass(frozen=True)
class Settings:
    pod_cidr: str
    node_cidr: str | None = None
    backend: str = "bird"
    ipam: str = "host-local"
    pool: str = "ipip"
    mode: str = "Always"
    overlay: bool = True
    typha: bool = True
    veth_mtu: str = "0"
    ebpf: bool = False
    snat_to_upstream_dns: bool = True
    wireguard: bool = False
    autodetection: str | None = None

    @classmethod
    def of(cls, config: JSON, *, pod_cidr: str, node_cidr: str | None) -> Settings:
        """Gardener's defaults for what ``config`` leaves open (no overlay: no tunnel, no BGP backend)."""
        overlay = bool((config.get("overlay") or {}).get("enabled", True))
        ipv4 = config.get("ipv4") or {}
        vxlan = bool((config.get("vxlan") or {}).get("enabled")) or ipv4.get("pool") == "vxlan"
        backend = config.get("backend") or ("vxlan" if vxlan else "bird" if overlay else "none")
        return cls(pod_cidr=pod_cidr, node_cidr=node_cidr, backend=backend,
                   ipam=(config.get("ipam") or {}).get("type") or "host-local",
                   pool="vxlan" if vxlan else "ipip",
                   mode=ipv4.get("mode") or config.get("ipip") or ("Always" if overlay else "Never"),
                   overlay=overlay, typha=bool((config.get("typha") or {}).get("enabled", True)),
                   veth_mtu=str(config.get("vethMTU") or "0"),
                   ebpf=bool((config.get("ebpfDataplane") or {}).get("enabled")),
                   snat_to_upstream_dns=bool((config.get("snatToUpstreamDNS") or {}).get("enabled", True)),
                   wireguard=bool(config.get("wireguardEncryption")),
                   autodetection=ipv4.get("autoDetectionMethod") or config.get("ipAutodetectionMethod"))


def manifests(settings: Settings) -> list[JSON]:
    """Every object, CRDs first (they must be served before the IP pool is written)."""
    out: list[JSON] = [kube.open_crd(GROUP, kind, plural, namespaced=ns) for kind, plural, ns in CRDS]
    out += [kube.service_account(n) for n in ("calico-node", "calico-cni-plugin", "calico-kube-controllers")]
    out += _rbac()
    out.append(_config(settings))
    out.append(_node(settings))
    out += [_kube_controllers(), kube.pdb("calico-kube-controllers", CONTROLLERS_LABELS)]
    if settings.typha:
        out += [kube.service_account("calico-typha"), _typha(), _typha_service(), kube.pdb("calico-typha",
                                                                                          TYPHA_LABELS)]
    out += _pools(settings)
    return out


def _rbac() -> list[JSON]:
    calico_all = kube.rule([GROUP], ["*"], ["get", "list", "watch", "create", "update", "patch", "delete"])
    watch = ["get", "list", "watch"]
    node = kube.cluster_role("calico-node", [
        kube.rule([""], ["pods", "nodes", "namespaces", "serviceaccounts", "endpoints", "services", "configmaps"],
                  watch),
        kube.rule([""], ["nodes/status", "pods/status"], ["patch", "update"]),
        kube.rule(["discovery.k8s.io"], ["endpointslices"], watch),
        kube.rule(["networking.k8s.io"], ["networkpolicies"], watch),
        kube.rule(["apps"], ["daemonsets"], ["get"]), calico_all])
    cni = kube.cluster_role("calico-cni-plugin", [
        kube.rule([""], ["pods", "nodes", "namespaces"], ["get"]), kube.rule([""], ["pods/status"], ["patch"]),
        kube.rule([GROUP], ["blockaffinities", "ipamblocks", "ipamhandles", "clusterinformations", "ippools",
                            "ipreservations", "ipamconfigs"], ["get", "list", "create", "update", "delete"])])
    controllers = kube.cluster_role("calico-kube-controllers", [
        kube.rule([""], ["nodes", "pods", "namespaces", "serviceaccounts"], watch),
        kube.rule(["networking.k8s.io"], ["networkpolicies"], watch), calico_all])
    return [node, cni, controllers,
            kube.cluster_role_binding("calico-node", role="calico-node", account="calico-node"),
            kube.cluster_role_binding("calico-cni-plugin", role="calico-cni-plugin", account="calico-cni-plugin"),
            kube.cluster_role_binding("calico-kube-controllers", role="calico-kube-controllers",
                                      account="calico-kube-controllers")]


def _config(settings: Settings) -> JSON:
    ipam: JSON = {"type": settings.ipam}
    if settings.ipam == "host-local":
        ipam["subnet"] = "usePodCidr"
    cni = {"name": "k8s-pod-network", "cniVersion": "0.3.1", "plugins": [
        {"type": "calico", "log_level": "error", "datastore_type": "kubernetes", "nodename": "__KUBERNETES_NODE_NAME__",
         "mtu": "__CNI_MTU__", "ipam": ipam, "policy": {"type": "k8s"},
         "kubernetes": {"kubeconfig": "__KUBECONFIG_FILEPATH__"}},
        {"type": "portmap", "snat": True, "capabilities": {"portMappings": True}}]}
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "calico-config", "namespace": NAMESPACE, "labels": dict(kube.MANAGED_BY)},
            "data": {"typha_service_name": "calico-typha" if settings.typha else "none",
                     "calico_backend": settings.backend, "veth_mtu": settings.veth_mtu,
                     # The installer substitutes the MTU placeholder with a number: it must stand unquoted.
                     "cni_network_config": json.dumps(cni, indent=2).replace('"__CNI_MTU__"', "__CNI_MTU__")}}


def _env(name: str, value: str) -> JSON:
    return {"name": name, "value": value}


def _from_config(name: str, key: str) -> JSON:
    return {"name": name, "valueFrom": {"configMapKeyRef": {"name": "calico-config", "key": key}}}


def _node_env(settings: Settings) -> list[JSON]:
    env = [_env("DATASTORE_TYPE", "kubernetes"), _from_config("FELIX_TYPHAK8SSERVICENAME", "typha_service_name"),
           _env("WAIT_FOR_DATASTORE", "true"),
           {"name": "NODENAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
           _from_config("CALICO_NETWORKING_BACKEND", "calico_backend"), _env("CLUSTER_TYPE", "k8s,bgp"),
           _env("IP", "autodetect"), _env("NO_DEFAULT_POOLS", "true"), _env("CALICO_DISABLE_FILE_LOGGING", "true"),
           _env("FELIX_DEFAULTENDPOINTTOHOSTACTION", "ACCEPT"), _env("FELIX_IPV6SUPPORT", "false"),
           _env("FELIX_HEALTHENABLED", "true"), _env("FELIX_BPFENABLED", str(settings.ebpf).lower()),
           _env("FELIX_WIREGUARDENABLED", str(settings.wireguard).lower()),
           _from_config("FELIX_IPINIPMTU", "veth_mtu"), _from_config("FELIX_VXLANMTU", "veth_mtu")]
    if settings.ipam == "host-local":
        env.append(_env("USE_POD_CIDR", "true"))
    if settings.autodetection:
        env.append(_env("IP_AUTODETECTION_METHOD", settings.autodetection))
    return env


def _node(settings: Settings) -> JSON:
    bird = settings.backend == "bird"
    probe_flags = ["-felix-live", *(["-bird-live"] if bird else [])]
    ready_flags = ["-felix-ready", *(["-bird-ready"] if bird else [])]
    node = {"name": "calico-node", "image": IMAGES["node"], "env": _node_env(settings),
            "securityContext": {"privileged": True},
            "resources": {"requests": {"cpu": "250m", "memory": "100Mi"}},
            "livenessProbe": {"exec": {"command": ["/bin/calico-node", *probe_flags]}, "periodSeconds": 10,
                              "initialDelaySeconds": 10, "failureThreshold": 6, "timeoutSeconds": 10},
            "readinessProbe": {"exec": {"command": ["/bin/calico-node", *ready_flags]}, "periodSeconds": 10,
                               "timeoutSeconds": 10},
            "volumeMounts": [{"mountPath": p, "name": n} for n, p in (
                ("lib-modules", "/lib/modules"), ("xtables-lock", "/run/xtables.lock"),
                ("var-run-calico", "/var/run/calico"), ("var-lib-calico", "/var/lib/calico"),
                ("policysync", "/var/run/nodeagent"), ("sys-fs", "/sys/fs/"), ("cni-log-dir", "/var/log/calico/cni"))]}
    install_cni = {"name": "install-cni", "image": IMAGES["cni"], "command": ["/opt/cni/bin/install"],
                   "env": [_env("CNI_CONF_NAME", "10-calico.conflist"),
                           _from_config("CNI_NETWORK_CONFIG", "cni_network_config"),
                           {"name": "KUBERNETES_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                           _from_config("CNI_MTU", "veth_mtu"), _env("SLEEP", "false")],
                   "volumeMounts": [{"mountPath": "/host/etc/cni/net.d", "name": "cni-net-dir"},
                                    {"mountPath": "/host/opt/cni/bin", "name": "cni-bin-dir"}],
                   "securityContext": {"privileged": True}}
    volumes = [kube.host_path("lib-modules", "/lib/modules"), kube.host_path("var-run-calico", "/var/run/calico"),
               kube.host_path("var-lib-calico", "/var/lib/calico"),
               kube.host_path("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
               kube.host_path("sys-fs", "/sys/fs/", "DirectoryOrCreate"),
               kube.host_path("cni-bin-dir", "/opt/cni/bin"), kube.host_path("cni-net-dir", "/etc/cni/net.d"),
               kube.host_path("cni-log-dir", "/var/log/calico/cni"),
               kube.host_path("policysync", "/var/run/nodeagent", "DirectoryOrCreate")]
    template = {"metadata": {"labels": dict(NODE_LABELS)},
                "spec": {"nodeSelector": {"kubernetes.io/os": "linux"}, "hostNetwork": True,
                         "tolerations": kube.tolerate_everything(), "serviceAccountName": "calico-node",
                         "terminationGracePeriodSeconds": 0, "priorityClassName": "system-node-critical",
                         "initContainers": [install_cni], "containers": [node], "volumes": volumes}}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "calico-node", "namespace": NAMESPACE, "labels": {**kube.MANAGED_BY, **NODE_LABELS}},
            "spec": {"selector": {"matchLabels": dict(NODE_LABELS)}, "template": template,
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}}}}


def _kube_controllers() -> JSON:
    container = {"name": "calico-kube-controllers", "image": IMAGES["kube-controllers"],
                 "env": [_env("ENABLED_CONTROLLERS", "node"), _env("DATASTORE_TYPE", "kubernetes")],
                 "resources": {"requests": {"cpu": "10m", "memory": "50Mi"}},
                 "livenessProbe": {"exec": {"command": ["/usr/bin/check-status", "-l"]}, "periodSeconds": 10},
                 "readinessProbe": {"exec": {"command": ["/usr/bin/check-status", "-r"]}, "periodSeconds": 10}}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "calico-kube-controllers", "namespace": NAMESPACE,
                         "labels": {**kube.MANAGED_BY, **CONTROLLERS_LABELS}},
            "spec": {"replicas": 1, "strategy": {"type": "Recreate"},
                     "selector": {"matchLabels": dict(CONTROLLERS_LABELS)},
                     "template": {"metadata": {"labels": dict(CONTROLLERS_LABELS)},
                                  "spec": {"serviceAccountName": "calico-kube-controllers",
                                           "priorityClassName": "system-cluster-critical",
                                           "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
                                           "containers": [container]}}}}


def _typha() -> JSON:
    container = {"name": "calico-typha", "image": IMAGES["typha"],
                 "ports": [{"containerPort": 5473, "name": "calico-typha", "protocol": "TCP"}],
                 "env": [_env("TYPHA_LOGSEVERITYSCREEN", "info"), _env("TYPHA_DATASTORETYPE", "kubernetes"),
                         _env("TYPHA_HEALTHENABLED", "true"), _env("TYPHA_K8SNAMESPACE", NAMESPACE)],
                 "resources": {"requests": {"cpu": "200m", "memory": "100Mi"}},
                 "livenessProbe": {"httpGet": {"path": "/liveness", "port": 9098, "host": "localhost"},
                                   "periodSeconds": 30, "initialDelaySeconds": 30},
                 "readinessProbe": {"httpGet": {"path": "/readiness", "port": 9098, "host": "localhost"},
                                    "periodSeconds": 10}}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "calico-typha", "namespace": NAMESPACE, "labels": {**kube.MANAGED_BY, **TYPHA_LABELS}},
            "spec": {"replicas": 1, "revisionHistoryLimit": 2, "selector": {"matchLabels": dict(TYPHA_LABELS)},
                     "template": {"metadata": {"labels": dict(TYPHA_LABELS)},
                                  "spec": {"hostNetwork": True, "serviceAccountName": "calico-typha",
                                           "priorityClassName": "system-cluster-critical",
                                           "tolerations": kube.tolerate_everything(), "containers": [container]}}}}


def _typha_service() -> JSON:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "calico-typha", "namespace": NAMESPACE, "labels": {**kube.MANAGED_BY, **TYPHA_LABELS}},
            "spec": {"selector": dict(TYPHA_LABELS),
                     "ports": [{"port": 5473, "protocol": "TCP", "targetPort": "calico-typha",
                                "name": "calico-typha"}]}}


def _pools(settings: Settings) -> list[JSON]:
    vxlan = settings.pool == "vxlan" and settings.overlay
    spec = {"allowedUses": ["Workload", "Tunnel"], "blockSize": 26, "cidr": settings.pod_cidr, "natOutgoing": True,
            "nodeSelector": "all()", "ipipMode": "Never" if vxlan or not settings.overlay else settings.mode,
            "vxlanMode": settings.mode if vxlan else "Never"}
    pools = [{"apiVersion": f"{GROUP}/v1", "kind": "IPPool", "metadata": {"name": "default-ipv4-ippool"},
              "spec": spec}]
    if not settings.overlay and settings.node_cidr:
        pools.append({"apiVersion": f"{GROUP}/v1", "kind": "IPPool", "metadata": {"name": "no-snat-for-node-cidr"},
                      "spec": {"cidr": settings.node_cidr, "disabled": True, "disableBGPExport": True}})
    return pools
