"""What the control-plane manifests are rendered from: the shoot's version, networks, size and settings.

``ControlPlane.of(shoot, namespace=...)`` reads a (defaulted) Shoot; the seed agent adds what only the seed
knows (the health-check token, checksums of the secrets the pods mount, the storage class). Used by every
renderer in ``shoot.controlplane``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from shoot.validation.formats import dig, items

JSON = dict[str, Any]
# Gardener's defaults for shoots that do not set their networks (``pkg/apis/core/v1beta1/defaults_shoot.go``).
DEFAULT_SERVICES, DEFAULT_PODS = "100.64.0.0/13", "100.96.0.0/11"
MIN_MINOR = 30
_VERSION = re.compile(r"^1\.(\d+)\.(\d+)$")


@dataclasses.dataclass(frozen=True)
class ControlPlane:
    """One shoot's control plane.

    ``version`` is the full Kubernetes version (``1.31.2``: the image tag); ``api_hostname`` the name the
    kube-apiserver calls itself (``--external-hostname``, the service-account issuer); ``secret_checksums``
    name -> checksum of mounted Secrets, written on pod templates so that a changed secret rolls the pods.
    """

    namespace: str
    version: str
    api_hostname: str
    service_cidrs: Sequence[str] = (DEFAULT_SERVICES,)
    pod_cidrs: Sequence[str] = (DEFAULT_PODS,)
    hibernated: bool = False
    high_availability: bool = False
    workers: bool = True
    health_check_token: str = ""
    secret_checksums: Mapping[str, str] = dataclasses.field(default_factory=dict)
    storage_class: str | None = None
    encrypted_resources: Sequence[str] = ("secrets",)
    admission_plugins: Sequence[str] = ()
    disabled_admission_plugins: Sequence[str] = ()
    apiserver_feature_gates: Mapping[str, bool] = dataclasses.field(default_factory=dict)
    controller_manager_feature_gates: Mapping[str, bool] = dataclasses.field(default_factory=dict)
    scheduler_feature_gates: Mapping[str, bool] = dataclasses.field(default_factory=dict)
    event_ttl: str = "1h0m0s"
    apiserver_service_type: str = "ClusterIP"

    def __post_init__(self) -> None:
        if self.minor < MIN_MINOR:
            raise ValueError(f"Kubernetes {self.version} is not supported: the control plane needs 1.{MIN_MINOR} "
                             f"or newer")

    @property
    def minor(self) -> int:
        match = _VERSION.match(self.version)
        if match is None:
            raise ValueError(f"{self.version!r} is not a full Kubernetes version (1.<minor>.<patch>)")
        return int(match.group(1))

    @property
    def etcd_replicas(self) -> int:
        return 0 if self.hibernated else 3 if self.high_availability else 1

    @property
    def apiserver_replicas(self) -> int:
        """Gardener's HPA minimum for a new kube-apiserver: 2, 3 with a highly available control plane."""
        return 0 if self.hibernated else 3 if self.high_availability else 2

    @property
    def controller_replicas(self) -> int:
        return 0 if self.hibernated else 2 if self.high_availability else 1

    @classmethod
    def of(cls, shoot: Mapping[str, Any], *, namespace: str, api_hostname: str, **seed_side: Any) -> ControlPlane:
        """The control plane of a defaulted ``shoot``; ``seed_side`` sets the fields only the seed knows."""
        spec = shoot.get("spec") or {}
        apiserver = dig(spec, "kubernetes", "kubeAPIServer") or {}
        plugins = items(apiserver.get("admissionPlugins"))
        return cls(
            namespace=namespace,
            version=str(dig(spec, "kubernetes", "version")),
            api_hostname=api_hostname,
            service_cidrs=_cidrs(dig(spec, "networking", "services"), DEFAULT_SERVICES),
            pod_cidrs=_cidrs(dig(spec, "networking", "pods"), DEFAULT_PODS),
            hibernated=bool(dig(spec, "hibernation", "enabled")),
            high_availability=bool(dig(spec, "controlPlane", "highAvailability")),
            workers=bool(items(dig(spec, "provider", "workers"))),
            encrypted_resources=_encrypted(apiserver),
            admission_plugins=tuple(p["name"] for p in plugins if p.get("name") and not p.get("disabled")),
            disabled_admission_plugins=tuple(p["name"] for p in plugins if p.get("name") and p.get("disabled")),
            apiserver_feature_gates=_gates(apiserver),
            controller_manager_feature_gates=_gates(dig(spec, "kubernetes", "kubeControllerManager")),
            scheduler_feature_gates=_gates(dig(spec, "kubernetes", "kubeScheduler")),
            event_ttl=str(apiserver.get("eventTTL") or "1h0m0s"),
            **seed_side,
        )


def _cidrs(value: Any, default: str) -> tuple[str, ...]:
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list) and value:
        return tuple(str(v) for v in value)
    return (default,)


def _encrypted(apiserver: Mapping[str, Any]) -> tuple[str, ...]:
    extra = items(dig(apiserver, "encryptionConfig", "resources"))
    return tuple(dict.fromkeys(["secrets", *(str(r) for r in extra)]))


def _gates(component: Any) -> dict[str, bool]:
    gates = (component or {}).get("featureGates") if isinstance(component, Mapping) else None
    return {str(k): bool(v) for k, v in gates.items()} if isinstance(gates, Mapping) else {}
