"""Kubernetes object builders shared by the CNI manifests: RBAC, ServiceAccounts, host paths, open CRDs.

Used by ``extensions.networking.calico_manifests`` and ``cilium_manifests``; every object they build is checked
against the Kubernetes schemas of each supported version in the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from extensions.contract import JSON

NAMESPACE = "kube-system"
MANAGED_BY = {"app.kubernetes.io/managed-by": "hortus", "gardener.cloud/role": "system-component"}


def service_account(name: str) -> JSON:
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": dict(MANAGED_BY)}}


def rule(groups: Sequence[str], resources: Sequence[str], verbs: Sequence[str]) -> JSON:
    return {"apiGroups": list(groups), "resources": list(resources), "verbs": list(verbs)}


def cluster_role(name: str, rules: Iterable[JSON]) -> JSON:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, "labels": dict(MANAGED_BY)}, "rules": list(rules)}


def cluster_role_binding(name: str, *, role: str, account: str) -> JSON:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name, "labels": dict(MANAGED_BY)},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": NAMESPACE}]}


def host_path(name: str, path: str, kind: str = "") -> JSON:
    source: JSON = {"path": path}
    if kind:
        source["type"] = kind
    return {"name": name, "hostPath": source}


def open_crd(group: str, kind: str, plural: str, *, namespaced: bool = False) -> JSON:
    """A CRD whose objects are kept as given (``x-kubernetes-preserve-unknown-fields``): the projects' own CRDs
    carry full schemas; these serve the kinds so that the components can run against the shoot's API."""
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}", "labels": dict(MANAGED_BY)},
            "spec": {"group": group, "scope": "Namespaced" if namespaced else "Cluster",
                     "names": {"kind": kind, "plural": plural, "singular": kind.lower(), "listKind": f"{kind}List"},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema}}]}}


def pdb(name: str, labels: dict[str, str]) -> JSON:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": dict(MANAGED_BY)},
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(labels)}}}


def tolerate_everything() -> list[JSON]:
    return [{"effect": "NoSchedule", "operator": "Exists"}, {"effect": "NoExecute", "operator": "Exists"},
            {"key": "CriticalAddonsOnly", "operator": "Exists"}]
