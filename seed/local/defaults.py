"""Kubernetes' defaulting for the local seed cluster's built-in kinds (``SetDefaults_*`` of core/v1 and apps/v1).

Pure functions on JSON objects, used as ``ResourceType.normalize`` hooks by ``seed.local.kinds``; each returns a
new object and is idempotent, because it runs on every write (spec and status) of its kind.
"""

from __future__ import annotations

import copy
from typing import Any

JSON = dict[str, Any]


def _containers(spec: JSON) -> list[JSON]:
    return [c for key in ("initContainers", "containers") for c in spec.get(key) or [] if isinstance(c, dict)]


def image_pull_policy(image: str) -> str:
    """``Always`` for ``:latest`` or an untagged image (not pinned by digest), else ``IfNotPresent``."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def default_container(container: JSON) -> None:
    container.setdefault("imagePullPolicy", image_pull_policy(str(container.get("image") or "")))
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in container.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for env in container.get("env") or []:
        ref = (env.get("valueFrom") or {}).get("fieldRef") if isinstance(env, dict) else None
        if isinstance(ref, dict):
            ref.setdefault("apiVersion", "v1")


def default_pod_spec(spec: JSON) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    if spec.get("serviceAccountName") and not spec.get("serviceAccount"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    spec.setdefault("enableServiceLinks", True)
    for container in _containers(spec):
        default_container(container)
    for volume in spec.get("volumes") or []:
        for source in ("secret", "configMap"):
            if isinstance(volume, dict) and isinstance(volume.get(source), dict):
                volume[source].setdefault("defaultMode", 420)


def _template_spec(obj: JSON) -> None:
    template = obj.setdefault("spec", {}).setdefault("template", {})
    template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    default_pod_spec(template.setdefault("spec", {}))


def pod(obj: JSON) -> JSON:
    out = copy.deepcopy(obj)
    spec = out.setdefault("spec", {})
    default_pod_spec(spec)
    spec.setdefault("tolerations", [
        {"key": f"node.kubernetes.io/{taint}", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        for taint in ("not-ready", "unreachable")
    ])
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    # The ServiceAccount admission plugin's default (and the deprecated field it mirrors).
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec.update(serviceAccountName=account, serviceAccount=account)
    return out


def deployment(obj: JSON) -> JSON:
    out = copy.deepcopy(obj)
    spec = out.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template_spec(out)
    return out


def replica_set(obj: JSON) -> JSON:
    out = copy.deepcopy(obj)
    out.setdefault("spec", {}).setdefault("replicas", 1)
    _template_spec(out)
    return out


def stateful_set(obj: JSON) -> JSON:
    out = copy.deepcopy(obj)
    spec = out.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    retention = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    for claim in spec.get("volumeClaimTemplates") or []:
        if isinstance(claim, dict):
            claim.setdefault("apiVersion", "v1")
            claim.setdefault("kind", "PersistentVolumeClaim")
            claim.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
            claim.setdefault("status", {"phase": "Pending"})
    _template_spec(out)
    return out


def daemon_set(obj: JSON) -> JSON:
    out = copy.deepcopy(obj)
    spec = out.setdefault("spec", {})
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    _template_spec(out)
    return out


def service(obj: JSON) -> JSON:
    """Type, session affinity, port protocol and targetPort; the cluster IP is allocated by admission."""
    out = copy.deepcopy(obj)
    spec = out.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    if spec["type"] == "ExternalName":
        return out
    spec.setdefault("sessionAffinity", "None")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if "port" in port:
                port.setdefault("targetPort", port["port"])
    out.setdefault("status", {}).setdefault("loadBalancer", {})
    return out


def persistent_volume_claim(obj: JSON) -> JSON:
    out = copy.deepcopy(obj)
    out.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
    out.setdefault("status", {}).setdefault("phase", "Pending")
    return out


def persistent_volume(obj: JSON) -> JSON:
    out = copy.deepcopy(obj)
    spec = out.setdefault("spec", {})
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    out.setdefault("status", {}).setdefault("phase", "Pending")
    return out


def namespaced_event(obj: JSON) -> JSON:
    out = copy.deepcopy(obj)
    involved = out.get("involvedObject")
    if isinstance(involved, dict) and "namespace" not in involved and out["metadata"].get("namespace"):
        involved["namespace"] = out["metadata"]["namespace"]
    return out
