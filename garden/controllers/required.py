"""Which extensions a seed needs: Gardener's ``ComputeRequiredExtensionsForShoot`` and ``...ForSeed``, as
``<Kind>/<type>`` ids.

Pure functions on the objects as the garden serves them; called by ``garden.controllers.registrations`` for every
seed (its own types plus those of every shoot scheduled on it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

JSON = dict[str, Any]


def extension_id(kind: str, type_: str) -> str:
    return f"{kind}/{type_}"


def for_shoot(shoot: JSON, seed: JSON | None) -> set[str]:
    """The ids one shoot needs on its seed."""
    spec = shoot.get("spec") or {}
    provider = spec.get("provider") or {}
    seed_spec = (seed or {}).get("spec") or {}
    found: set[str] = set()

    def add(kind: str, type_: Any) -> None:
        if isinstance(type_, str) and type_:
            found.add(extension_id(kind, type_))

    backup = (seed_spec.get("backup") or {}).get("provider")
    add("BackupBucket", backup)
    add("BackupEntry", backup)
    # The seed provider's control-plane extension configures how the shoot's control plane is exposed.
    add("ControlPlane", (seed_spec.get("provider") or {}).get("type"))
    workers = provider.get("workers") or []
    if workers:
        for kind in ("ControlPlane", "Infrastructure", "Worker"):
            add(kind, provider.get("type"))
        add("Network", (spec.get("networking") or {}).get("type"))
    for pool in workers:
        add("OperatingSystemConfig", ((pool.get("machine") or {}).get("image") or {}).get("name"))
        for runtime in (pool.get("cri") or {}).get("containerRuntimes") or []:
            add("ContainerRuntime", runtime.get("type"))
    add("DNSRecord", _primary_dns_type(spec.get("dns") or {}))
    for extension in spec.get("extensions") or []:
        if not extension.get("disabled"):
            add("Extension", extension.get("type"))
    return found


def for_seed(seed: JSON) -> set[str]:
    """The ids a seed needs for itself: its DNS provider, its own provider's kinds, its backup provider."""
    spec = seed.get("spec") or {}
    found: set[str] = set()
    dns_type = ((spec.get("dns") or {}).get("provider") or {}).get("type")
    if dns_type:
        found.add(extension_id("DNSRecord", dns_type))
    provider_type = (spec.get("provider") or {}).get("type")
    if provider_type:
        found |= {extension_id(kind, provider_type) for kind in ("ControlPlane", "Infrastructure", "Worker")}
    backup = (spec.get("backup") or {}).get("provider")
    if backup:
        found |= {extension_id("BackupBucket", backup), extension_id("BackupEntry", backup)}
    for extension in spec.get("extensions") or []:
        if extension.get("type") and not extension.get("disabled"):
            found.add(extension_id("Extension", extension["type"]))
    return found


def for_seed_and_shoots(seed: JSON, shoots: Iterable[JSON]) -> set[str]:
    """Everything ``seed`` needs: its own ids and those of the shoots scheduled on it."""
    name = seed["metadata"]["name"]
    found = for_seed(seed)
    for shoot in shoots:
        spec = shoot.get("spec") or {}
        if name in (spec.get("seedName"), (shoot.get("status") or {}).get("seedName")):
            found |= for_shoot(shoot, seed)
    return found


def _primary_dns_type(dns: JSON) -> str | None:
    providers = dns.get("providers") or []
    primary = [p for p in providers if p.get("primary")]
    chosen = primary[0] if primary else (providers[0] if providers else None)
    return (chosen or {}).get("type") or None
