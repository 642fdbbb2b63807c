"""One case per validation rule of ``docs/validation-rules.md``: how to break exactly that rule of a valid shoot,
and the rejection the garden's API must answer with (code, reason, the exact ``details.causes[].field`` paths).

Used by ``tests/garden/test_admission_rules.py``, which sends each case through the real HTTPS API. The objects
here (CloudProfile ``rules``, project ``rules``, seeds, a quota) are richer than Gardener's local setup so that
every rule against references has something to break.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from typing import Any, Literal

JSON = dict[str, Any]
Edit = Callable[[JSON], None]
Action = Literal["create", "update", "bind", "delete", "project", "delete-cloudprofile", "delete-secret"]

CORE = "core.gardener.cloud/v1beta1"
PROJECT = "rules"
NAMESPACE = f"garden-{PROJECT}"
CLOUDPROFILE = "rules"
BINDING = "rules"
QUOTA_BINDING = "quoted"
# The shoot every case may lean on: another shoot's domain (rule 35), a user of the CloudProfile and the secret.
ANCHOR = "anchor"
EXPIRATION = "shoot.gardener.cloud/expiration-timestamp"

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in _STEP.findall(path)]


def put(path: str, value: Any) -> Edit:
    """Set ``spec.provider.workers[0].maximum``-style ``path`` to ``value``, creating missing mappings."""
    *parents, last = _steps(path)

    def edit(obj: JSON) -> None:
        target: Any = obj
        for step in parents:
            target = target[step] if isinstance(step, int) else target.setdefault(step, {})
        target[last] = copy.deepcopy(value)
    return edit


def drop(path: str) -> Edit:
    *parents, last = _steps(path)

    def edit(obj: JSON) -> None:
        target: Any = obj
        for step in parents:
            target = target[step]
        del target[last]
    return edit


def annotate(key: str, value: str) -> Edit:
    def edit(obj: JSON) -> None:
        obj["metadata"].setdefault("annotations", {})[key] = value
    return edit


def both(*edits: Edit) -> Edit:
    def edit(obj: JSON) -> None:
        for each in edits:
            each(obj)
    return edit


def _nothing(obj: JSON) -> None:
    """The default edit: a case whose break is the action itself (a binding, a deletion)."""


@dataclasses.dataclass(frozen=True)
class Case:
    """``action`` on a valid shoot edited by ``breaks`` is refused with ``code``/``reason`` and causes at exactly
    ``fields``. UPDATE, binding and deletion first create the valid shoot edited by ``before``, bound to ``seed``
    and already being deleted (``deleting``) where the case says so."""

    rule: int
    slug: str
    fields: tuple[str, ...]
    breaks: Edit = _nothing
    action: Action = "create"
    before: Edit = _nothing
    seed: str | None = None
    deleting: bool = False
    code: int = 422
    reason: str = "Invalid"
    message: str = ""
    kubectl: bool = False

    @property
    def id(self) -> str:
        return f"rule-{self.rule:02d}-{self.slug}"


def valid_shoot(name: str) -> JSON:
    """A shoot that passes every rule: two zones, a volume, DNS, hibernation, maintenance, rotation, kubelet."""
    return {
        "apiVersion": CORE,
        "kind": "Shoot",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "cloudProfile": {"name": CLOUDPROFILE},
            "credentialsBindingName": BINDING,
            "region": "local",
            "purpose": "development",
            "networking": {"type": "calico", "nodes": "10.0.0.0/16", "pods": "100.96.0.0/11",
                           "services": "100.64.0.0/13"},
            "provider": {"type": "local", "workers": [{
                "name": "pool",
                "machine": {"type": "local", "image": {"name": "local", "version": "1.0.0"}},
                "cri": {"name": "containerd"},
                "minimum": 1,
                "maximum": 2,
                "maxSurge": 1,
                "maxUnavailable": 0,
                "zones": ["0", "1"],
                "volume": {"type": "default", "size": "20Gi"},
            }]},
            "kubernetes": {"version": "1.32.8", "kubelet": {"podPidsLimit": 1024},
                           "kubeAPIServer": {"requests": {"maxNonMutatingInflight": 400}}},
            "dns": {"domain": f"{name}.rules.example.com"},
            "maintenance": {
                "timeWindow": {"begin": "220000+0000", "end": "230000+0000"},
                "autoRotation": {"credentials": {"sshKeypair": {"rotationPeriod": "168h"}}},
            },
            "hibernation": {"schedules": [{"start": "00 20 * * 1,2,3,4,5", "end": "00 08 * * 1,2,3,4,5",
                                           "location": "Europe/Berlin"}]},
        },
    }


def reference_objects() -> list[JSON]:
    """What the shoots reference, in creation order (the project's namespace is made by the test's fixture)."""
    zones = [{"name": "0"}, {"name": "1"}, {"name": "2", "unavailableMachineTypes": ["zonal"]}]
    return [
        {"apiVersion": CORE, "kind": "CloudProfile", "metadata": {"name": CLOUDPROFILE}, "spec": {
            "type": "local",
            "kubernetes": {"versions": [
                {"version": "1.33.4"}, {"version": "1.32.8"}, {"version": "1.31.12"},
                {"version": "1.30.14", "expirationDate": "2024-01-01T00:00:00Z"}]},
            "machineImages": [{"name": "local", "versions": [
                {"version": "1.0.0", "cri": [{"name": "containerd"}], "architectures": ["amd64", "arm64"]},
                {"version": "0.9.0", "expirationDate": "2024-01-01T00:00:00Z", "cri": [{"name": "containerd"}],
                 "architectures": ["amd64"]}]}],
            "machineTypes": [
                {"name": "local", "cpu": "2", "gpu": "0", "memory": "4Gi", "usable": True, "architecture": "amd64"},
                {"name": "zonal", "cpu": "2", "gpu": "0", "memory": "4Gi", "usable": True, "architecture": "amd64"}],
            "volumeTypes": [{"name": "default", "class": "standard", "usable": True, "minSize": "10Gi"}],
            "regions": [{"name": "local", "zones": zones}, {"name": "other", "zones": zones}, {"name": "flat"}],
            "limits": {"maxNodesTotal": 10},
        }},
        {"apiVersion": CORE, "kind": "Project", "metadata": {"name": PROJECT}, "spec": {
            "namespace": NAMESPACE, "tolerations": {"whitelist": [{"key": "allowed"}]}}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": BINDING, "namespace": NAMESPACE},
         "type": "Opaque", "stringData": {"provider": "local"}},
        {"apiVersion": "security.gardener.cloud/v1alpha1", "kind": "CredentialsBinding",
         "metadata": {"name": BINDING, "namespace": NAMESPACE}, "provider": {"type": "local"},
         "credentialsRef": {"apiVersion": "v1", "kind": "Secret", "name": BINDING, "namespace": NAMESPACE}},
        {"apiVersion": CORE, "kind": "SecretBinding", "metadata": {"name": BINDING, "namespace": NAMESPACE},
         "provider": {"type": "local"}, "secretRef": {"name": BINDING, "namespace": NAMESPACE}},
        # Room for one shoot of the valid size (2 machines x 2 cpu) and a lifetime of a week.
        {"apiVersion": CORE, "kind": "Quota", "metadata": {"name": "tight", "namespace": NAMESPACE}, "spec": {
            "scope": {"apiVersion": "v1", "kind": "Secret"}, "clusterLifetimeDays": 7, "metrics": {"cpu": "4"}}},
        {"apiVersion": "security.gardener.cloud/v1alpha1", "kind": "CredentialsBinding",
         "metadata": {"name": QUOTA_BINDING, "namespace": NAMESPACE}, "provider": {"type": "local"},
         "credentialsRef": {"apiVersion": "v1", "kind": "Secret", "name": BINDING, "namespace": NAMESPACE},
         "quotas": [{"name": "tight", "namespace": NAMESPACE}]},
        _seed("three-zones", ["0", "1", "2"]),
        _seed("one-zone", ["0"]),
    ]


def _seed(name: str, zones: list[str]) -> JSON:
    return {"apiVersion": CORE, "kind": "Seed", "metadata": {"name": name}, "spec": {
        "provider": {"type": "local", "region": "local", "zones": zones},
        "networks": {"nodes": "172.18.0.0/16", "pods": "10.1.0.0/16", "services": "10.2.0.0/16"}}}


W0 = "spec.provider.workers[0]"
_VALID = valid_shoot("valid")["spec"]

CASES: tuple[Case, ...] = (
    Case(1, "name-with-two-consecutive-hyphens", ("metadata.name",), put("metadata.name", "two--hyphens"),
         kubectl=True),
    Case(2, "project-and-shoot-name-longer-than-21", ("metadata.name",),
         put("metadata.name", "seventeen-chars-x")),
    Case(3, "project-name-longer-than-10", ("metadata.name",), put("metadata.name", "elevenchars"),
         action="project"),
    Case(4, "worker-name-longer-than-15", (f"{W0}.name",), put(f"{W0}.name", "sixteen-chars-xx")),
    # Zones belong to a region: an unknown region's zones would break rule 18 as well.
    Case(5, "region-the-cloudprofile-does-not-offer", ("spec.region",),
         both(put("spec.region", "nowhere"), drop(f"{W0}.zones"))),
    Case(5, "region-is-immutable", ("spec.region",), put("spec.region", "other"), action="update"),
    Case(6, "provider-type-other-than-the-cloudprofiles", ("spec.provider.type",),
         put("spec.provider.type", "openstack")),  # no plugin: that error names the same field
    Case(7, "unknown-cloudprofile-kind", ("spec.cloudProfile.kind",), put("spec.cloudProfile.kind", "Profile")),
    Case(8, "missing-credentials-binding", ("spec.credentialsBindingName",),
         put("spec.credentialsBindingName", "missing")),
    Case(8, "both-bindings", ("spec.secretBindingName",), put("spec.secretBindingName", BINDING)),
    # A workerless shoot has no binding and no networking; giving it workers brings both back.
    Case(9, "workerless-to-workers", ("spec.provider.workers",),
         both(put("spec.provider.workers", _VALID["provider"]["workers"]),
              put("spec.networking", _VALID["networking"]), put("spec.credentialsBindingName", BINDING)),
         action="update",
         before=both(put("spec.provider.workers", []), drop("spec.networking"), drop("spec.credentialsBindingName"))),
    Case(10, "expired-kubernetes-version", ("spec.kubernetes.version",),
         put("spec.kubernetes.version", "1.30.14")),
    Case(11, "kubernetes-downgrade", ("spec.kubernetes.version",), put("spec.kubernetes.version", "1.31.12"),
         action="update"),
    Case(11, "skipped-minor-version", ("spec.kubernetes.version",), put("spec.kubernetes.version", "1.33.4"),
         action="update", before=put("spec.kubernetes.version", "1.31.12")),
    Case(12, "worker-version-newer-than-control-plane", (f"{W0}.kubernetes.version",),
         put(f"{W0}.kubernetes.version", "1.33.4")),
    # 1.30 completes to no version: its only patch is expired, so the partial version stays and is refused.
    Case(13, "partial-version-with-only-an-expired-patch", ("spec.kubernetes.version",),
         put("spec.kubernetes.version", "1.30")),
    Case(14, "maximum-below-minimum", (f"{W0}.maximum",), put(f"{W0}.minimum", 3), kubectl=True),
    Case(15, "max-surge-and-max-unavailable-both-zero", (f"{W0}.maxUnavailable",), put(f"{W0}.maxSurge", 0)),
    Case(16, "unknown-machine-type", (f"{W0}.machine.type",), put(f"{W0}.machine.type", "huge")),
    Case(16, "expired-machine-image-version", (f"{W0}.machine.image",),
         put(f"{W0}.machine.image.version", "0.9.0")),
    Case(17, "volume-size-not-in-gi", (f"{W0}.volume.size",), put(f"{W0}.volume.size", "20GB"), kubectl=True),
    Case(18, "zone-outside-the-region", (f"{W0}.zones[1]",), put(f"{W0}.zones", ["0", "9"])),
    Case(19, "no-pool-for-system-components", ("spec.provider.workers",),
         put(f"{W0}.systemComponents", {"allow": False})),
    Case(20, "unsupported-container-runtime", (f"{W0}.cri.name",), put(f"{W0}.cri.name", "docker")),
    Case(21, "pool-maximum-above-the-node-limit", (f"{W0}.maximum",), put(f"{W0}.maximum", 11)),
    Case(22, "pod-pids-limit-below-100", ("spec.kubernetes.kubelet.podPidsLimit",),
         put("spec.kubernetes.kubelet.podPidsLimit", 50)),
    Case(22, "kube-reserved-cpu-at-the-machine-capacity", ("spec.kubernetes.kubelet.kubeReserved.cpu",),
         put("spec.kubernetes.kubelet.kubeReserved", {"cpu": "2"})),
    Case(23, "networking-type-is-immutable", ("spec.networking.type",), put("spec.networking.type", "cilium"),
         action="update"),
    Case(24, "non-canonical-nodes-cidr", ("spec.networking.nodes",), put("spec.networking.nodes", "10.0.0.1/16"),
         kubectl=True),
    Case(25, "pods-overlapping-nodes", ("spec.networking.nodes",), put("spec.networking.pods", "10.0.128.0/17")),
    Case(26, "pods-overlapping-the-seed-pod-network", ("spec.networking.pods",), action="bind",
         before=put("spec.networking.pods", "10.1.0.0/16"), seed="three-zones"),
    Case(27, "node-cidr-mask-size-out-of-range", ("spec.kubernetes.kubeControllerManager.nodeCIDRMaskSize",),
         put("spec.kubernetes.kubeControllerManager.nodeCIDRMaskSize", 30)),
    Case(28, "time-window-shorter-than-30-minutes", ("spec.maintenance.timeWindow",),
         put("spec.maintenance.timeWindow.end", "221000+0000")),
    Case(29, "rotation-period-shorter-than-30-minutes",
         ("spec.maintenance.autoRotation.credentials.sshKeypair.rotationPeriod",),
         put("spec.maintenance.autoRotation.credentials.sshKeypair.rotationPeriod", "10m")),
    Case(30, "invalid-cron-spec", ("spec.hibernation.schedules[0].start",),
         put("spec.hibernation.schedules[0].start", "every evening")),
    Case(31, "unknown-failure-tolerance-type", ("spec.controlPlane.highAvailability.failureTolerance.type",),
         put("spec.controlPlane", {"highAvailability": {"failureTolerance": {"type": "region"}}})),
    Case(31, "zone-failure-tolerance-on-a-seed-with-one-zone",
         ("spec.controlPlane.highAvailability.failureTolerance.type",), action="bind",
         before=put("spec.controlPlane", {"highAvailability": {"failureTolerance": {"type": "zone"}}}),
         seed="one-zone"),
    Case(32, "unknown-purpose", ("spec.purpose",), put("spec.purpose", "fun")),
    Case(33, "seed-name-changed-by-an-update", ("spec.seedName",), put("spec.seedName", "one-zone"),
         action="update", seed="three-zones"),
    Case(34, "toleration-outside-the-project-whitelist", ("spec.tolerations[0]",),
         put("spec.tolerations", [{"key": "forbidden"}])),
    Case(35, "subdomain-of-another-shoots-domain", ("spec.dns.domain",),
         put("spec.dns.domain", f"api.{ANCHOR}.rules.example.com")),
    Case(36, "deletion-without-confirmation", ("metadata.annotations[confirmation.gardener.cloud/deletion]",),
         action="delete"),
    Case(36, "spec-change-after-deletion-started", ("spec",), put(f"{W0}.maximum", 3), action="update",
         before=both(put("metadata.finalizers", ["test.hortus/hold"]),
                     annotate("confirmation.gardener.cloud/deletion", "true")), deleting=True),
    Case(36, "cloudprofile-in-use", (), action="delete-cloudprofile", code=403, reason="Forbidden",
         message=f"still used by shoot(s) {NAMESPACE}/"),
    Case(36, "secret-in-use", (), action="delete-secret", code=403, reason="Forbidden",
         message=f"still used by binding(s) {NAMESPACE}/"),
    Case(37, "non-mutating-inflight-above-5000", ("spec.kubernetes.kubeAPIServer.requests.maxNonMutatingInflight",),
         put("spec.kubernetes.kubeAPIServer.requests.maxNonMutatingInflight", 6000)),
    # The quota counts only shoots charged to it: none but this one, so the overrun is exactly 6 - 4.
    Case(38, "cpu-beyond-the-quota", ("spec.provider.workers",),
         both(put("spec.credentialsBindingName", QUOTA_BINDING), put(f"{W0}.maximum", 3)),
         message="other shoots use 0, which exceeds the limit of 4 by 2"),
    Case(38, "expiration-beyond-the-cluster-lifetime", (f"metadata.annotations[{EXPIRATION}]",),
         both(put("spec.credentialsBindingName", QUOTA_BINDING), annotate(EXPIRATION, "2099-01-01T00:00:00Z"))),
    Case(39, "unknown-operation", ("metadata.annotations[gardener.cloud/operation]",),
         annotate("gardener.cloud/operation", "frobnicate")),
)
