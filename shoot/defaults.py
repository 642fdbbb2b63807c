"""Gardener's shoot defaults (``pkg/apis/core/v1beta1/defaults_shoot.go``) on the JSON wire form.

The garden's admission calls ``default_shoot`` before validation. Every default only fills what is absent, so
defaulting twice equals defaulting once. Versions and machine images are completed against the CloudProfile
by the admission (``shoot.validation.versions.complete_version``), not here.
"""

from __future__ import annotations

import copy
import math
import random
from datetime import datetime
from typing import Any

from shoot.validation import versions
from shoot.validation.formats import dig, items

JSON = dict[str, Any]
PROTECTED_TAINT = "seed.gardener.cloud/protected"
DEFAULT_MAX_PODS = 110
# Durations as Go's metav1.Duration prints them, so stored objects read exactly like Gardener's.
KUBE_API_SERVER = {
    "eventTTL": "1h0m0s",
    "defaultNotReadyTolerationSeconds": 300,
    "defaultUnreachableTolerationSeconds": 300,
}
API_SERVER_REQUESTS = {"maxNonMutatingInflight": 400, "maxMutatingInflight": 200}
CLUSTER_AUTOSCALER = {
    "scaleDownDelayAfterAdd": "1h0m0s",
    "scaleDownDelayAfterDelete": "10s",
    "scaleDownDelayAfterFailure": "3m0s",
    "scaleDownUnneededTime": "30m0s",
    "scaleDownUtilizationThreshold": 0.5,
    "scanInterval": "10s",
    "expander": "least-waste",
    "maxNodeProvisionTime": "20m0s",
    "maxGracefulTerminationSeconds": 600,
    "ignoreDaemonsetsUtilization": False,
    "verbosity": 2,
    "newPodScaleUpDelay": "0s",
}
KUBELET = {
    "failSwapOn": True,
    "imageGCHighThresholdPercent": 50,
    "imageGCLowThresholdPercent": 40,
    "serializeImagePulls": True,
}


def default_shoot(shoot: JSON, *, now: datetime | None = None, rng: random.Random | None = None) -> JSON:
    """A copy of ``shoot`` with Gardener's defaults filled in; ``rng`` picks the maintenance window hour.

    ``now`` is accepted for defaults that depend on the time; none of today's does.
    """
    out = copy.deepcopy(shoot)
    spec = _child(out, "spec")
    _cloud_profile(out, spec)
    spec.setdefault("purpose", "evaluation")
    spec.setdefault("schedulerName", "default-scheduler")
    if dig(out, "metadata", "namespace") == "garden":
        _tolerate(spec, PROTECTED_TAINT)
    if isinstance(spec.get("networking"), dict):
        spec["networking"].setdefault("ipFamilies", ["IPv4"])
    _maintenance(_child(spec, "maintenance"), rng=rng or random.Random())
    kubernetes = _child(spec, "kubernetes")
    _kube_api_server(_child(kubernetes, "kubeAPIServer"))
    if isinstance(kubernetes.get("clusterAutoscaler"), dict):
        _fill(kubernetes["clusterAutoscaler"], CLUSTER_AUTOSCALER)
    workers = items(dig(spec, "provider", "workers"))
    if workers:
        _worker_components(spec, kubernetes)
    for worker in workers:
        _worker(worker)
    ssh = dig(spec, "provider", "workersSettings", "sshAccess")
    if isinstance(ssh, dict):
        ssh.setdefault("enabled", True)
    return out


def _child(parent: JSON, key: str) -> JSON:
    value = parent.get(key)
    if not isinstance(value, dict):
        value = parent[key] = {}
    return value


def _fill(target: JSON, defaults: JSON) -> None:
    for key, value in defaults.items():
        target.setdefault(key, copy.deepcopy(value))


def _cloud_profile(shoot: JSON, spec: JSON) -> None:
    """Keep ``cloudProfile`` and the legacy ``cloudProfileName`` in sync, as SyncCloudProfileFields does.

    Kubernetes 1.34 forbids the legacy field: from then on a copy that merely mirrors ``cloudProfile`` (kept
    from older versions) is dropped, while one the user set alone stays for validation to reject.
    """
    legacy, reference = spec.get("cloudProfileName"), spec.get("cloudProfile")
    modern = versions.at_least(shoot, 1, 34)
    if legacy and not isinstance(reference, dict):
        if modern:
            return
        reference = spec["cloudProfile"] = {"kind": "CloudProfile", "name": legacy}
    if not isinstance(reference, dict):
        return
    reference.setdefault("kind", "CloudProfile")
    if reference["kind"] != "CloudProfile" or (modern and legacy == reference.get("name")):
        spec.pop("cloudProfileName", None)
    elif versions.shoot_version(shoot) is not None and not modern and reference.get("name"):
        spec["cloudProfileName"] = reference["name"]


def _tolerate(spec: JSON, key: str) -> None:
    tolerations = spec.setdefault("tolerations", [])
    if not any(isinstance(t, dict) and t.get("key") == key for t in tolerations):
        tolerations.append({"key": key})


def _maintenance(maintenance: JSON, *, rng: random.Random) -> None:
    auto_update = maintenance.get("autoUpdate")
    if not isinstance(auto_update, dict):
        maintenance["autoUpdate"] = {"kubernetesVersion": True, "machineImageVersion": True}
    else:
        # kubernetesVersion is a plain Go bool: an autoUpdate without it decodes as false in Gardener.
        auto_update.setdefault("kubernetesVersion", False)
        auto_update.setdefault("machineImageVersion", True)
    if not isinstance(maintenance.get("timeWindow"), dict):
        hour = rng.randrange(0, 23)
        maintenance["timeWindow"] = {"begin": f"{hour:02d}0000+0000", "end": f"{hour + 1:02d}0000+0000"}


def _kube_api_server(config: JSON) -> None:
    _fill(config, KUBE_API_SERVER)
    _fill(_child(config, "requests"), API_SERVER_REQUESTS)


def _worker_components(spec: JSON, kubernetes: JSON) -> None:
    """Defaults of the components that only shoots with nodes run."""
    manager = _child(kubernetes, "kubeControllerManager")
    manager.setdefault("nodeCIDRMaskSize", node_cidr_mask_size(spec))
    manager.setdefault("nodeMonitorGracePeriod", "40s")
    _child(kubernetes, "kubeScheduler").setdefault("profile", "balanced")
    _fill(_child(kubernetes, "kubeProxy"), {"mode": "IPTables", "enabled": True})
    _fill(_child(kubernetes, "kubelet"), KUBELET)
    autoscaling = _child(_child(_child(spec, "systemComponents"), "coreDNS"), "autoscaling")
    autoscaling.setdefault("mode", "horizontal")


def node_cidr_mask_size(spec: JSON) -> int:
    """``32 - ceil(log2(2 * maxPods))``: room for twice the pods, so addresses are not reused at once."""
    if dig(spec, "networking", "ipFamilies") == ["IPv6"]:
        return 64
    pods = [dig(spec, "kubernetes", "kubelet", "maxPods")]
    pods += [dig(worker, "kubernetes", "kubelet", "maxPods") for worker in items(dig(spec, "provider", "workers"))]
    max_pods = max([p for p in pods if isinstance(p, int) and p > 0] or [DEFAULT_MAX_PODS])
    return 32 - math.ceil(math.log2(max_pods * 2))


def _worker(worker: Any) -> None:
    if not isinstance(worker, dict):
        return
    _child(worker, "cri").setdefault("name", "containerd")
    worker.setdefault("updateStrategy", "AutoRollingUpdate")
    if worker["updateStrategy"] == "AutoInPlaceUpdate":
        _fill(worker, {"maxSurge": 0, "maxUnavailable": 1})
    elif worker["updateStrategy"] != "ManualInPlaceUpdate":
        _fill(worker, {"maxSurge": 1, "maxUnavailable": 0})
    _child(worker, "systemComponents").setdefault("allow", True)
