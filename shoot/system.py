"""The system components every shoot with workers runs in its ``kube-system``: CoreDNS and kube-proxy.

Pure renderers, called by the seed agent's system-components step (which applies them into the shoot's own API)
and checked against the Kubernetes schemas in tests. Names, labels, images and settings follow Gardener's
``coredns`` and ``kube-proxy`` components: CoreDNS behind Service ``kube-dns`` with two replicas and a PDB,
kube-proxy as a DaemonSet in the shoot's ``kubeProxy.mode`` (IPTables by default), both ``system-cluster-critical``.
"""

from __future__ import annotations

import json
from typing import Any

JSON = dict[str, Any]
NAMESPACE = "kube-system"
COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.1"
KUBE_PROXY_IMAGE = "registry.k8s.io/kube-proxy:v{version}"
MANAGED = {"gardener.cloud/role": "system-component", "resources.gardener.cloud/managed-by": "gardener"}
COREFILE = """\
.:8053 {
  errors
  log . {
    class error
  }
  health {
    lameduck 15s
  }
  ready
  kubernetes {domain} in-addr.arpa ip6.arpa {
    pods insecure
    fallthrough in-addr.arpa ip6.arpa
    ttl 30
  }
  prometheus :9153
  loop
  import custom/*.override
  forward . /etc/resolv.conf
  cache 30
  reload
  loadbalance round_robin
}
import custom/*.server
"""


def _meta(name: str, labels: dict[str, str] | None = None, *, namespaced: bool = True) -> JSON:
    md: JSON = {"name": name, "labels": {**MANAGED, **(labels or {})}}
    if namespaced:
        md["namespace"] = NAMESPACE
    return md


def coredns(*, cluster_domain: str = "cluster.local", replicas: int = 2) -> list[JSON]:
    labels = {"k8s-app": "kube-dns"}
    pod_labels = {**labels, "gardener.cloud/role": "system-component", "origin": "gardener"}
    container = {
        "name": "coredns", "image": COREDNS_IMAGE, "imagePullPolicy": "IfNotPresent",
        "args": ["-conf", "/etc/coredns/Corefile"],
        "ports": [{"name": "dns-udp", "containerPort": 8053, "protocol": "UDP"},
                  {"name": "dns-tcp", "containerPort": 8053, "protocol": "TCP"},
                  {"name": "metrics", "containerPort": 9153, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "50m", "memory": "15Mi"}, "limits": {"memory": "1500Mi"}},
        "livenessProbe": {"httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
                          "initialDelaySeconds": 60, "timeoutSeconds": 5, "successThreshold": 1,
                          "failureThreshold": 5},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"},
                           "initialDelaySeconds": 30, "timeoutSeconds": 2, "periodSeconds": 10,
                           "successThreshold": 1, "failureThreshold": 1},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": True},
                         {"name": "custom-config-volume", "mountPath": "/etc/coredns/custom", "readOnly": True}],
    }
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("coredns")},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": _meta("system:coredns", namespaced=False),
         "rules": [{"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"],
                    "verbs": ["list", "watch"]},
                   {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": _meta("system:coredns", namespaced=False),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:coredns"},
         "subjects": [{"kind": "ServiceAccount", "name": "coredns", "namespace": NAMESPACE}]},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("coredns"),
         "data": {"Corefile": COREFILE.replace("{domain}", cluster_domain)}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("coredns-custom"),
         "data": {"changeme.server": "# checkout the docs on how to use: https://github.com/coredns/coredns",
                  "changeme.override": "# checkout the docs on how to use: https://github.com/coredns/coredns"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("kube-dns", labels),
         "spec": {"selector": dict(labels),
                  "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 8053},
                            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 8053},
                            {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("coredns", labels),
         "spec": {"replicas": replicas, "revisionHistoryLimit": 2, "selector": {"matchLabels": dict(labels)},
                  "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                  "template": {"metadata": {"labels": pod_labels}, "spec": {
                      "priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns",
                      "dnsPolicy": "Default",
                      "securityContext": {"runAsNonRoot": True, "runAsUser": 65534,
                                          "seccompProfile": {"type": "RuntimeDefault"}},
                      "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
                      "containers": [container],
                      "volumes": [{"name": "config-volume", "configMap": {
                                       "name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}},
                                  {"name": "custom-config-volume",
                                   "configMap": {"name": "coredns-custom", "defaultMode": 420}}]}}}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta("coredns", labels),
         "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(labels)},
                  "unhealthyPodEvictionPolicy": "AlwaysAllow"}},
    ]


def kube_proxy(*, version: str, pod_cidr: str | None, mode: str = "IPTables", kubeconfig_server: str) -> list[JSON]:
    """kube-proxy for the shoot's Kubernetes ``version``; it reaches the API at ``kubeconfig_server``."""
    labels = {"app": "kubernetes", "role": "proxy"}
    config: JSON = {"apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration",
                    "clientConnection": {"kubeconfig": "/var/lib/kube-proxy-kubeconfig/kubeconfig"},
                    "mode": mode.lower(), "metricsBindAddress": "0.0.0.0:10249",
                    "conntrack": {"maxPerCore": 524288}}
    if pod_cidr:
        config["clusterCIDR"] = pod_cidr
    kubeconfig = (
        "apiVersion: v1\nkind: Config\ncurrent-context: default\n"
        f"clusters:\n- name: default\n  cluster:\n    server: {kubeconfig_server}\n"
        "    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n"
        "contexts:\n- name: default\n  context:\n    cluster: default\n    user: default\n"
        "users:\n- name: default\n  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n")
    container = {
        "name": "kube-proxy", "image": KUBE_PROXY_IMAGE.format(version=version), "imagePullPolicy": "IfNotPresent",
        "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy-config/config.yaml", "--v=2"],
        "ports": [{"name": "metrics", "containerPort": 10249, "hostPort": 10249, "protocol": "TCP"}],
        "securityContext": {"privileged": True},
        "resources": {"requests": {"cpu": "20m", "memory": "64Mi"}},
        "volumeMounts": [{"name": "kubeconfig", "mountPath": "/var/lib/kube-proxy-kubeconfig"},
                         {"name": "config", "mountPath": "/var/lib/kube-proxy-config"},
                         {"name": "lib-modules", "mountPath": "/lib/modules", "readOnly": True}],
    }
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("kube-proxy")},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": _meta("system:node-proxier", namespaced=False),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:node-proxier"},
         "subjects": [{"kind": "ServiceAccount", "name": "kube-proxy", "namespace": NAMESPACE}]},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("kube-proxy-config"),
         "data": {"config.yaml": json.dumps(config, indent=2, sort_keys=True)}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("kube-proxy-kubeconfig"),
         "data": {"kubeconfig": kubeconfig}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": _meta("kube-proxy", labels),
         "spec": {"selector": {"matchLabels": dict(labels)}, "revisionHistoryLimit": 2,
                  "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                  "template": {"metadata": {"labels": {**labels, "gardener.cloud/role": "system-component",
                                                       "origin": "gardener"}},
                               "spec": {"priorityClassName": "system-node-critical", "hostNetwork": True,
                                        "serviceAccountName": "kube-proxy",
                                        "tolerations": [{"effect": "NoSchedule", "operator": "Exists"},
                                                        {"effect": "NoExecute", "operator": "Exists"}],
                                        "containers": [container],
                                        "volumes": [{"name": "kubeconfig",
                                                     "configMap": {"name": "kube-proxy-kubeconfig"}},
                                                    {"name": "config", "configMap": {"name": "kube-proxy-config"}},
                                                    {"name": "lib-modules",
                                                     "hostPath": {"path": "/lib/modules"}}]}}}},
    ]
