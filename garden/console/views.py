"""What the pages show of seeds, operation steps, manifests and extensions, as plain values for the templates.

Called by ``garden.console.pages``; pure except ``extensions()``, which loads the extension registry.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from garden.console import charts
from garden.console.summary import ShootRow
from shoot import conditions

JSON = dict[str, Any]
GARDENLET_READY = "GardenletReady"
_HIDDEN_METADATA = ("managedFields",)


@dataclasses.dataclass(frozen=True)
class SeedCard:
    name: str
    provider: str
    region: str
    ready: str  # GardenletReady status: True, False, Unknown, or "" when never reported
    heartbeat_age: float | None
    conditions: list[JSON]
    used: int
    allocatable: int | None
    bar: Markup
    issues: int
    visible: bool
    taints: list[str]


def seed_ready(seed: JSON) -> str:
    found = conditions.find((seed.get("status") or {}).get("conditions"), GARDENLET_READY)
    return str(found.get("status")) if found else ""


def seed_card(seed: JSON, used: int, *, now: float, issues: int = 0) -> SeedCard:
    spec, status = seed.get("spec") or {}, seed.get("status") or {}
    ready = conditions.find(status.get("conditions"), GARDENLET_READY)
    beat = conditions.parse_timestamp(ready.get("lastUpdateTime")) if ready else None
    allocatable = (status.get("allocatable") or {}).get("shoots")
    try:
        limit = int(allocatable) if allocatable is not None else None
    except (TypeError, ValueError):
        limit = None
    name = seed["metadata"]["name"]
    return SeedCard(
        name=name, provider=str((spec.get("provider") or {}).get("type") or ""),
        region=str((spec.get("provider") or {}).get("region") or ""), ready=seed_ready(seed),
        heartbeat_age=None if beat is None else max(0.0, now - beat), conditions=list(status.get("conditions") or []),
        used=used, allocatable=limit, bar=charts.capacity(used, limit, label=f"seed {name}"), issues=issues,
        visible=bool(((spec.get("settings") or {}).get("scheduling") or {}).get("visible", True)),
        taints=[str(t.get("key")) for t in spec.get("taints") or () if isinstance(t, Mapping)])


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    state: str
    started: float | None
    finished: float | None
    seconds: float | None
    retries: int
    message: str
    codes: tuple[str, ...]
    offset: float  # percent of the operation's span before the step started
    width: float  # percent of the span the step took


def timeline(steps: Sequence[JSON], *, now: float) -> list[Step]:
    """Each step of ``status.lastOperationSteps`` placed on the operation's time span (a Gantt row)."""
    starts = [conditions.parse_timestamp(s.get("startedAt")) for s in steps]
    ends = [conditions.parse_timestamp(s.get("finishedAt")) for s in steps]
    known = [t for t in (*starts, *ends) if t is not None]
    t0 = min(known) if known else now
    running = any(s.get("state") == "Running" for s in steps)
    t1 = max([*known, now] if running else known or [now])
    span = max(t1 - t0, 1.0)
    out = []
    for step, start, end in zip(steps, starts, ends, strict=True):
        stop = end if end is not None else (now if start is not None and step.get("state") == "Running" else start)
        offset = 0.0 if start is None else 100 * (start - t0) / span
        width = 0.0 if start is None or stop is None else 100 * (stop - start) / span
        out.append(Step(
            name=str(step.get("name") or ""), state=str(step.get("state") or "Pending"), started=start, finished=end,
            seconds=None if start is None or stop is None else stop - start, retries=int(step.get("retries") or 0),
            message=str(step.get("message") or ""), codes=tuple(str(c) for c in step.get("codes") or ()),
            offset=round(min(offset, 100.0), 2), width=round(max(min(width, 100.0 - offset), 0.8), 2)))
    return out


def manifest(obj: JSON) -> JSON:
    """The object as a user would write it: no managedFields, no status."""
    md = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _HIDDEN_METADATA}
    return {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": md, "spec": obj.get("spec")}


@dataclasses.dataclass(frozen=True)
class PluginView:
    name: str
    version: str
    description: str
    resources: list[tuple[str, str, bool, bool]]  # kind, type, primary, has a providerConfig schema


def extensions() -> tuple[list[PluginView], list[tuple[str, str]]]:
    """The installed plugins (``extensions.registry``) and the ones left out, with why."""
    from extensions.registry import Registry

    registry = Registry.load()
    plugins = [PluginView(name=p.name, version=p.version, description=p.description,
                          resources=[(str(r.kind), r.type, r.primary, r.provider_config_schema is not None)
                                     for r in p.resources]) for p in registry.plugins()]
    return plugins, [(problem.plugin, problem.message) for problem in registry.problems]


def extension_use(rows: Sequence[ShootRow], seeds: Sequence[JSON]) -> dict[tuple[str, str], tuple[int, list[str]]]:
    """(kind, type) -> (shoots that need it, seeds that need it): provider kinds by the shoot's and seed's provider
    type, Network by the networking type, OperatingSystemConfig by the workers' machine images."""
    shoots: collections.Counter[tuple[str, str]] = collections.Counter()
    seeds_of: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for row in rows:
        for kind in ("Infrastructure", "ControlPlane", "Worker", "DNSRecord"):
            shoots[(kind, row.provider)] += 1
        if row.network:
            shoots[("Network", row.network)] += 1
        for image in row.images:
            shoots[("OperatingSystemConfig", image)] += 1
        if row.seed:
            for kind in ("Infrastructure", "ControlPlane", "Worker"):
                seeds_of[(kind, row.provider)].add(row.seed)
    for seed in seeds:
        provider = str(((seed.get("spec") or {}).get("provider") or {}).get("type") or "")
        for kind in ("BackupBucket", "BackupEntry", "DNSRecord"):
            seeds_of[(kind, provider)].add(seed["metadata"]["name"])
    keys = set(shoots) | set(seeds_of)
    return {key: (shoots[key], sorted(seeds_of.get(key, ()))) for key in keys}
