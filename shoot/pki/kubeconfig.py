"""Kubeconfigs with embedded client certificates, as plain dicts and YAML.

Pure. Used by ``shoot.pki.plan`` (the controllers' ``shoot-access-*`` kubeconfigs) and by the garden's
``shoots/adminkubeconfig`` / ``viewerkubeconfig`` (one cluster per advertised address).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Sequence
from typing import Any

import yaml

JSON = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One way to reach the cluster: a kubeconfig cluster ``name`` with ``server`` and the CA to trust (None to
    trust the system's roots, as for Gardener's ``wildcard-tls-seed-bound`` address)."""

    name: str
    server: str
    ca_pem: bytes | None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def with_client_certificate(endpoints: Sequence[Endpoint], *, user: str, cert_pem: bytes, key_pem: bytes) -> JSON:
    """A kubeconfig with one cluster and one context per endpoint, one certificate user, the first context current."""
    if not endpoints:
        raise ValueError("a kubeconfig needs at least one endpoint")
    clusters = []
    for endpoint in endpoints:
        cluster: JSON = {"server": endpoint.server}
        if endpoint.ca_pem is not None:
            cluster["certificate-authority-data"] = _b64(endpoint.ca_pem)
        clusters.append({"name": endpoint.name, "cluster": cluster})
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": clusters,
        "contexts": [{"name": e.name, "context": {"cluster": e.name, "user": user}} for e in endpoints],
        "current-context": endpoints[0].name,
        "users": [{"name": user, "user": {"client-certificate-data": _b64(cert_pem),
                                          "client-key-data": _b64(key_pem)}}],
        "preferences": {},
    }


# libyaml's emitter where PyYAML has it: the pure-Python one spends milliseconds on each long base64 value.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(config: JSON) -> bytes:
    return yaml.dump(config, Dumper=_DUMPER, sort_keys=False).encode("utf-8")
