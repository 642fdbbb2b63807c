"""Building blocks shared by the control-plane renderers: labels, volumes, security context, rollout annotations.

Used by ``shoot.controlplane.etcd``, ``apiserver`` and ``controllers``. Labels and PriorityClasses are Gardener's
(``gardener.cloud/role: controlplane`` marks what the shoot care checks).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from shoot.controlplane.spec import ControlPlane

JSON = dict[str, Any]
ROLE_LABEL, CONTROLPLANE = "gardener.cloud/role", "controlplane"
ALLOWED = "allowed"
TO_DNS = "networking.gardener.cloud/to-dns"
TO_PUBLIC = "networking.gardener.cloud/to-public-networks"
TO_PRIVATE = "networking.gardener.cloud/to-private-networks"
TO_APISERVER = "networking.resources.gardener.cloud/to-kube-apiserver-tcp-443"
NONROOT = 65532
TLS_CIPHER_SUITES = (
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,"
    "TLS_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"
    "TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305")
# The seed's PriorityClasses, as gardenlet creates them on every seed (value = 999999000 + the suffix).
PRIORITY_CLASSES = ("gardener-system-500", "gardener-system-400", "gardener-system-300", "gardener-system-200",
                    "gardener-system-100")


def to_service(service: str, port: int) -> str:
    """The pod label that allows traffic to a Service port (GRM's ``...gardener.cloud/to-<svc>-tcp-<port>``)."""
    return f"networking.resources.gardener.cloud/to-{service}-tcp-{port}"


def meta(cp: ControlPlane, name: str, labels: Mapping[str, str], **extra: Any) -> JSON:
    return {"name": name, "namespace": cp.namespace, "labels": dict(labels), **extra}


def pod_security_context() -> JSON:
    return {"runAsNonRoot": True, "runAsUser": NONROOT, "runAsGroup": NONROOT, "fsGroup": NONROOT,
            "seccompProfile": {"type": "RuntimeDefault"}}


def container_security_context() -> JSON:
    return {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def secret_volume(name: str, secret: str, *, private: bool = False) -> JSON:
    """A Secret volume; private keys readable by owner and group only (0640), as Gardener mounts them."""
    return {"name": name, "secret": {"secretName": secret, "defaultMode": 0o640 if private else 0o644}}


def config_map_volume(name: str, config_map: str) -> JSON:
    return {"name": name, "configMap": {"name": config_map, "defaultMode": 0o644}}


def mount(name: str, path: str) -> JSON:
    return {"name": name, "mountPath": path, "readOnly": True}


def rollout_annotations(cp: ControlPlane, volumes: Iterable[JSON], configs: Mapping[str, str]) -> JSON:
    """``checksum/secret-<name>`` for every mounted Secret with a known checksum and ``checksum/configmap-<name>``
    for the generated ConfigMaps: a changed secret or config gives a new pod template, so the pods roll."""
    out = {}
    for volume in volumes:
        secret = (volume.get("secret") or {}).get("secretName")
        if secret and secret in cp.secret_checksums:
            out[f"checksum/secret-{secret}"] = cp.secret_checksums[secret]
    out.update({f"checksum/configmap-{name}": checksum(text) for name, text in configs.items()})
    return out


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def feature_gates(gates: Mapping[str, bool]) -> list[str]:
    """``--feature-gates=A=true,B=false`` (sorted), or nothing."""
    if not gates:
        return []
    return ["--feature-gates=" + ",".join(f"{k}={str(v).lower()}" for k, v in sorted(gates.items()))]


def pdb(cp: ControlPlane, name: str, selector: Mapping[str, str], *, labels: Mapping[str, str],
        max_unavailable: int | None = 1, min_available: int | None = None, always_allow: bool = True) -> JSON:
    spec: JSON = {"selector": {"matchLabels": dict(selector)}}
    if min_available is not None:
        spec["minAvailable"] = min_available
    else:
        spec["maxUnavailable"] = max_unavailable
    if always_allow:
        spec["unhealthyPodEvictionPolicy"] = "AlwaysAllow"
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(cp, name, labels),
            "spec": spec}


def priority_classes() -> list[JSON]:
    """The seed-wide PriorityClasses the control-plane pods use (cluster-scoped; deployed once per seed)."""
    return [{"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
             "metadata": {"name": name, "labels": {ROLE_LABEL: "seed"}},
             "value": 999999000 + int(name.rsplit("-", 1)[1]), "globalDefault": False,
             "description": "Used for Gardener-managed components on the seed."} for name in PRIORITY_CLASSES]
