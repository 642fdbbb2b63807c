"""Static validation of shoots and projects: every rule of Gardener's that needs no other object.

The garden's admission calls ``validate_shoot(new, old=old)`` after defaulting and version completion, and
``validate_project``; each returns field errors with wire paths (``spec.provider.workers[0].maximum``) that
become the causes of a 422 Status. ``RULES`` says, per rule number of the reference (§3), what is checked here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shoot.fielderrors import FieldError
from shoot.validation import (
    components,
    controlplane,
    dns,
    kubelet,
    maintenance,
    misc,
    naming,
    networking,
    project,
    provider,
    versions,
    worker_settings,
    workers,
)

Check = Callable[[Mapping[str, Any], Mapping[str, Any] | None], list[FieldError]]

SHOOT_CHECKS: tuple[Check, ...] = (
    naming.validate,
    provider.validate,
    versions.validate,
    workers.validate,
    worker_settings.validate,
    kubelet.validate,
    networking.validate,
    maintenance.validate,
    controlplane.validate,
    dns.validate,
    misc.validate,
    components.validate,
)


def validate_shoot(new: dict[str, Any], *, old: dict[str, Any] | None) -> list[FieldError]:
    """All static errors of a shoot; ``old`` is the stored shoot on UPDATE, None on CREATE."""
    errors: list[FieldError] = []
    for check in SHOOT_CHECKS:
        errors += check(new, old)
    return errors


def validate_project(new: dict[str, Any], *, old: dict[str, Any] | None) -> list[FieldError]:
    """All static errors of a project; ``old`` is the stored project on UPDATE, None on CREATE."""
    return project.validate(new, old)


RULES: dict[int, str] = {
    1: "metadata.name (or generateName) is a DNS-1123 label of at most 63 characters without '--'.",
    2: "static part: on CREATE, project (from the namespace garden-<project>, or garden) + shoot name <= 21 "
    "characters, project + generateName <= 16.",
    3: "static part: Project name <= 10 characters, DNS subdomain, no '--' (validate_project).",
    4: "worker pool names are unique DNS labels <= 15 characters; data volume names unique DNS labels <= 15; "
    "dataVolumes need a volume; kubeletDataVolumeName names a data volume.",
    5: "static part: spec.region is required and immutable.",
    6: "static part: spec.provider.type is required, a DNS label, and immutable.",
    7: "static part: spec.cloudProfile.name (or legacy cloudProfileName) is required, kind is CloudProfile or "
    "NamespacedCloudProfile, cloudProfileName matches and is forbidden for Kubernetes >= 1.34.",
    8: "shoots with workers name exactly one of secretBindingName/credentialsBindingName (secretBindingName "
    "forbidden for Kubernetes >= 1.34); workerless shoots neither; credentialsBindingName cannot be unset, a "
    "secret binding only migrates to a credentials binding.",
    9: "on UPDATE a shoot cannot switch between workerless and with workers.",
    10: "static part: spec.kubernetes.version is not empty.",
    11: "on UPDATE the Kubernetes version is neither downgraded nor skips a minor version.",
    12: "worker pool kubernetes.version is not newer than the control plane's and at most 3 minors behind; on "
    "UPDATE not downgraded, and skips no minor when the pool updates in place.",
    13: "helper only: versions.complete_version completes ''/'1'/'1.33' to the newest non-expired, non-preview "
    "CloudProfile version (the admission calls it).",
    14: "worker minimum and maximum are >= 0 and maximum >= minimum.",
    15: "maxSurge/maxUnavailable are non-negative ints or percentages, maxUnavailable <= 100%, not both 0; "
    "neither set with ManualInPlaceUpdate.",
    16: "static part: machine.type is required; a given machine.image names the image.",
    17: "volume.size and dataVolumes[].size match ^(\\d)+Gi$.",
    19: "at least one pool allows system components with maximum > 0; such pools have maximum >= len(zones).",
    20: "priority >= -1; cri.name containerd; container runtime types set and unique; architecture amd64/arm64; "
    "caBundle PEM certificates; valid labels, annotations and taints; updateStrategy valid and not switched "
    "between rolling and in-place.",
    22: "static part: kubelet podPidsLimit >= 100, imageGC thresholds in [0,100] with low < high, "
    "containerLogMaxFiles >= 2, image pull credential verification only for Kubernetes >= 1.35.",
    23: "networking and networking.type required for shoots with workers (type/pods/nodes forbidden without); "
    "type, pods and services immutable; ipFamilies IPv4/IPv6 without duplicates, only IPv4 <-> dual-stack changes.",
    24: "nodes/pods/services are canonical CIDRs of the shoot's (single-stack) IP family.",
    25: "pods, services and nodes are pairwise disjoint and outside the VPN's reserved ranges (240-244.0.0.0/8, "
    "fd8f:6d53:b97a:1::/96).",
    27: "kubeControllerManager.nodeCIDRMaskSize in [16,28] (IPv6: [64,124]), immutable, and leaves room for the "
    "largest maxPods.",
    28: "maintenance.timeWindow begin/end parse as HHMMSS+ZZZZ and span 30m to 6h (across midnight allowed).",
    29: "autoRotation credential rotationPeriods are 0 or between 30m and 90 days.",
    30: "static part: hibernation schedules have start or end, valid standard cron specs, no duplicate specs, "
    "and a valid IANA location.",
    31: "static part: failureTolerance.type node/zone; once scheduled immutable and not removable; not enabled "
    "while hibernated; controlPlane.zones unique, 3 for zone else 1, immutable except clearing or 1 -> 3.",
    32: "purpose is evaluation/testing/development/production, infrastructure only in namespace garden; addons "
    "only on evaluation shoots with workers and below Kubernetes 1.35.",
    33: "static part: spec.seedName is non-empty if set, and an UPDATE of the shoot cannot change or unset it "
    "(shoots/binding does).",
    34: "static part: tolerations have a valid key, a valid optional value, and no duplicates.",
    35: "static part: dns.domain is a DNS subdomain, required for a managed primary provider, immutable once set; "
    "at most one primary provider; non-primary providers name credentials; type+credentials unique; "
    "secretName forbidden for Kubernetes >= 1.35.",
    36: "static part: on UPDATE the spec cannot change once deletionTimestamp is set; CREATE cannot set the "
    "gardener / reference-protection finalizers.",
    37: "kubeAPIServer.requests maxNonMutatingInflight in [0,5000] and maxMutatingInflight in [0,2500].",
}

__all__ = ["RULES", "validate_project", "validate_shoot"]
