"""The built-in kinds the local seed cluster serves, as ``ResourceType``s with Kubernetes' own names, columns,
field selectors, subresources, defaults and schemas.

Called by ``seed.local.server`` (``builtin_types``). Namespace and Secret are ``apiserver.kinds``'; schemas of the
rest come from ``schemas.json`` (the official client's models), so unknown fields prune as on a real server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from apiserver import kinds as core_kinds
from apiserver.registry import Admission, PrinterColumn, ResourceType
from seed.local import admission, cells, defaults, schemas

JSON = dict[str, Any]
ALL = ("all",)


def col(name: str, path: str, type_: str = "string", *, priority: int = 0, description: str = "") -> PrinterColumn:
    return PrinterColumn(name=name, path=path, type=type_, priority=priority, description=description)


def wide(name: str, path: str = "", type_: str = "string") -> PrinterColumn:
    return col(name, path or f".{name.lower()}", type_, priority=1)


def kind(
    group: str,
    version: str,
    name: str,
    plural: str,
    *,
    namespaced: bool = True,
    short: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    subresources: tuple[str, ...] = ("status",),
    columns: tuple[PrinterColumn, ...] = (),
    fields: Mapping[str, str] | None = None,
    normalize: Callable[[JSON], JSON] | None = None,
    computed: Callable[[JSON], Mapping[str, Any]] | None = None,
    admit: tuple[Admission, ...] = (),
    name_rule: str = "subdomain",
) -> ResourceType:
    api_version = f"{group}/{version}" if group else version
    return ResourceType(
        group=group, version=version, kind=name, plural=plural, namespaced=namespaced, short_names=short,
        categories=categories, subresources=subresources, printer_columns=columns,
        field_selectors=dict(fields or {}), schema=schemas.kind_schema(api_version, name), normalize=normalize,
        cells=computed, admission=admit, name_rule=name_rule,
    )


def _same(*paths: str) -> dict[str, str]:
    return {p: p for p in paths}


# --- core/v1 ---------------------------------------------------------------------------------------------------


def core_types(*, services: Admission) -> list[ResourceType]:
    return [
        core_kinds.NAMESPACE,
        core_kinds.SECRET,
        kind("", "v1", "ConfigMap", "configmaps", short=("cm",), subresources=(),
             columns=(col("Data", ".data", "integer"),)),
        kind("", "v1", "ServiceAccount", "serviceaccounts", short=("sa",), subresources=("token",),
             columns=(col("Secrets", ".secrets", "integer"),)),
        kind("", "v1", "Service", "services", short=("svc",), categories=ALL, normalize=defaults.service,
             computed=cells.service, admit=(services,), fields=_same("spec.clusterIP", "spec.type"),
             columns=(col("Type", ".spec.type"), col("Cluster-IP", ".spec.clusterIP"),
                      col("External-IP", ".status.loadBalancer.ingress"), col("Port(s)", ".spec.ports"),
                      wide("Selector", ".spec.selector"))),
        kind("", "v1", "Endpoints", "endpoints", short=("ep",), subresources=(), computed=cells.endpoints,
             columns=(col("Endpoints", ".subsets"),)),
        kind("", "v1", "Pod", "pods", short=("po",), categories=ALL, normalize=defaults.pod, computed=cells.pod,
             subresources=("status", "log", "exec", "attach", "portforward"),
             admit=(admission.pod_status,),
             fields=_same("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                          "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
             columns=(col("Ready", ".status.containerStatuses"), col("Status", ".status.phase"),
                      col("Restarts", ".status.containerStatuses"), wide("IP", ".status.podIP"),
                      wide("Node", ".spec.nodeName"), wide("Nominated Node", ".status.nominatedNodeName"),
                      wide("Readiness Gates", ".spec.readinessGates"))),
        kind("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",),
             normalize=defaults.persistent_volume_claim, computed=cells.persistent_volume_claim,
             columns=(col("Status", ".status.phase"), col("Volume", ".spec.volumeName"),
                      col("Capacity", ".status.capacity.storage"), col("Access Modes", ".status.accessModes"),
                      col("StorageClass", ".spec.storageClassName"),
                      col("VolumeAttributesClass", ".spec.volumeAttributesClassName"),
                      wide("VolumeMode", ".spec.volumeMode"))),
        kind("", "v1", "PersistentVolume", "persistentvolumes", namespaced=False, short=("pv",),
             normalize=defaults.persistent_volume, computed=cells.persistent_volume,
             columns=(col("Capacity", ".spec.capacity.storage"), col("Access Modes", ".spec.accessModes"),
                      col("Reclaim Policy", ".spec.persistentVolumeReclaimPolicy"), col("Status", ".status.phase"),
                      col("Claim", ".spec.claimRef"), col("StorageClass", ".spec.storageClassName"),
                      col("VolumeAttributesClass", ".spec.volumeAttributesClassName"),
                      col("Reason", ".status.reason"), wide("VolumeMode", ".spec.volumeMode"))),
        kind("", "v1", "Node", "nodes", namespaced=False, short=("no",), computed=cells.node,
             fields=_same("spec.unschedulable"),
             columns=(col("Status", ".status.conditions"), col("Roles", ".metadata.labels"),
                      col("Age", ".metadata.creationTimestamp", "date"),
                      col("Version", ".status.nodeInfo.kubeletVersion"),
                      wide("Internal-IP", ".status.addresses"), wide("External-IP", ".status.addresses"),
                      wide("OS-Image", ".status.nodeInfo.osImage"),
                      wide("Kernel-Version", ".status.nodeInfo.kernelVersion"),
                      wide("Container-Runtime", ".status.nodeInfo.containerRuntimeVersion"))),
        kind("", "v1", "Event", "events", short=("ev",), subresources=(), computed=cells.event,
             normalize=defaults.namespaced_event,
             fields={**_same(*(f"involvedObject.{f}" for f in ("kind", "namespace", "name", "uid", "apiVersion",
                                                               "resourceVersion", "fieldPath")),
                             "reason", "reportingComponent", "type"), "source": "source.component"},
             columns=(col("Last Seen", ".lastTimestamp", "date"), col("Type", ".type"), col("Reason", ".reason"),
                      col("Object", ".involvedObject.name"), wide("Subobject", ".involvedObject.fieldPath"),
                      wide("Source", ".source.component"), col("Message", ".message"),
                      wide("First Seen", ".firstTimestamp", "date"), wide("Count", ".count", "integer"))),
    ]


# --- apps/v1 ---------------------------------------------------------------------------------------------------

_IMAGES = (wide("Containers", ".spec.template.spec.containers"), wide("Images", ".spec.template.spec.containers"),
           wide("Selector", ".spec.selector"))


def apps_types() -> list[ResourceType]:
    deployment = kind("apps", "v1", "Deployment", "deployments", short=("deploy",), categories=ALL,
                      subresources=("status", "scale"), normalize=defaults.deployment, computed=cells.deployment,
                      columns=(col("Ready", ".status.readyReplicas"), col("Up-to-date", ".status.updatedReplicas",
                                                                          "integer"),
                               col("Available", ".status.availableReplicas", "integer"), *_IMAGES))
    replica_set = kind("apps", "v1", "ReplicaSet", "replicasets", short=("rs",), categories=ALL,
                       subresources=("status", "scale"), normalize=defaults.replica_set, computed=cells.replica_set,
                       fields=_same("status.replicas"),
                       columns=(col("Desired", ".spec.replicas", "integer"),
                                col("Current", ".status.replicas", "integer"),
                                col("Ready", ".status.readyReplicas", "integer"), *_IMAGES))
    stateful_set = kind("apps", "v1", "StatefulSet", "statefulsets", short=("sts",), categories=ALL,
                        subresources=("status", "scale"), normalize=defaults.stateful_set,
                        computed=cells.stateful_set,
                        columns=(col("Ready", ".status.readyReplicas"), *_IMAGES[:2]))
    daemon_set = kind("apps", "v1", "DaemonSet", "daemonsets", short=("ds",), categories=ALL,
                      normalize=defaults.daemon_set, computed=cells.daemon_set,
                      columns=(col("Desired", ".status.desiredNumberScheduled", "integer"),
                               col("Current", ".status.currentNumberScheduled", "integer"),
                               col("Ready", ".status.numberReady", "integer"),
                               col("Up-to-date", ".status.updatedNumberScheduled", "integer"),
                               col("Available", ".status.numberAvailable", "integer"),
                               col("Node Selector", ".spec.template.spec.nodeSelector"), *_IMAGES))
    # Admission needs the finished ResourceType (for its kind and group in errors): attach it afterwards.
    return [_with_admission(rt, admission.workload(rt)) for rt in (deployment, replica_set, stateful_set, daemon_set)]


def _with_admission(rt: ResourceType, admit: Admission) -> ResourceType:
    return dataclasses.replace(rt, admission=(*rt.admission, admit))


# --- the other groups ------------------------------------------------------------------------------------------


def other_types() -> list[ResourceType]:
    rbac = "rbac.authorization.k8s.io"
    created = (col("Created At", ".metadata.creationTimestamp"),)
    binding_columns = (col("Role", ".roleRef.name"), wide("Users", ".subjects"), wide("Groups", ".subjects"),
                       wide("ServiceAccounts", ".subjects"))
    return [
        kind("coordination.k8s.io", "v1", "Lease", "leases", subresources=(),
             columns=(col("Holder", ".spec.holderIdentity"),)),
        kind(rbac, "v1", "Role", "roles", subresources=(), columns=created, name_rule="path-segment"),
        kind(rbac, "v1", "ClusterRole", "clusterroles", namespaced=False, subresources=(), columns=created,
             name_rule="path-segment"),
        kind(rbac, "v1", "RoleBinding", "rolebindings", subresources=(), computed=cells.role_binding,
             columns=binding_columns, name_rule="path-segment"),
        kind(rbac, "v1", "ClusterRoleBinding", "clusterrolebindings", namespaced=False, subresources=(),
             computed=cells.role_binding, columns=binding_columns, name_rule="path-segment"),
        kind("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", short=("netpol",), subresources=(),
             computed=cells.network_policy, columns=(col("Pod-Selector", ".spec.podSelector"),)),
        kind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short=("pdb",),
             computed=cells.pod_disruption_budget,
             columns=(col("Min Available", ".spec.minAvailable"), col("Max Unavailable", ".spec.maxUnavailable"),
                      col("Allowed Disruptions", ".status.disruptionsAllowed", "integer"))),
        kind("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", short=("hpa",),
             categories=ALL, computed=cells.horizontal_pod_autoscaler,
             columns=(col("Reference", ".spec.scaleTargetRef"), col("Targets", ".spec.metrics"),
                      col("MinPods", ".spec.minReplicas", "integer"), col("MaxPods", ".spec.maxReplicas", "integer"),
                      col("Replicas", ".status.currentReplicas", "integer"))),
        kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
             namespaced=False, short=("crd", "crds"), categories=("api-extensions",), columns=created),
    ]


def builtin_types(*, services: Admission) -> list[ResourceType]:
    """Every built-in kind; ``services`` allocates Service cluster IPs and node ports (it reads the store)."""
    return [*core_types(services=services), *apps_types(), *other_types()]
