"""Seed filters of the garden scheduler, in Gardener's order (``pkg/scheduler/controller/shoot/reconciler.go``).

Each filter is a pure function ``(shoot, seeds, ctx) -> (kept, removed)`` over camelCase wire dicts; ``removed`` maps a
seed name to a short reason starting with a verb ("is not ready"), which ``placement`` groups into its message. Seeds
arrive pre-parsed (``prepare_seed``, CIDRs as integer ranges from ``cidrs``) so that one decision costs O(seeds).
Seed selectors are ``apiserver.selectors`` label selectors, with Kubernetes' semantics and validation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apiserver import errors, selectors
from garden.scheduler import cidrs
from garden.scheduler.cidrs import Net as Net  # re-exported with parse_net: tests read them here
from garden.scheduler.cidrs import parse_net as parse_net

EMERGENCY_STOP_ANNOTATION = "shoot.gardener.cloud/emergency-stop-reconciliations"


def dig(obj: Any, *path: str) -> Any:
    """``obj[path[0]][path[1]]...``, or None as soon as a level is missing or not an object."""
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


# --- pre-parsed seeds -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreparedSeed:
    """What the filters and strategies read from one Seed, parsed once."""

    name: str
    provider_type: str
    region: str
    zones: frozenset[str]
    labels: Mapping[str, str]
    taints: tuple[tuple[str, str | None], ...]
    networks: tuple[tuple[str, Net], ...]  # ("pod" | "service" | "node", cidr)
    shoot_defaults: Mapping[str, Net]  # "pods" / "services"
    access_restrictions: frozenset[str]
    allocatable_shoots: int | None
    deleting: bool
    unusable: str | None  # why the scheduler may not pick it on its own, None when usable
    emergency_stop: bool
    default_domains: tuple[str, ...]
    zone_selection: str | None
    ip_families: tuple[str, ...]  # spec.networks.ipFamilies, IPv4 when unset
    raw: Mapping[str, Any]


def prepare_seed(seed: Mapping[str, Any]) -> PreparedSeed:
    nets = dig(seed, "spec", "networks")
    defaults = {field: parse_net(dig(nets, "shootDefaults", field)) for field in ("pods", "services")}
    return PreparedSeed(
        name=str(dig(seed, "metadata", "name") or ""),
        provider_type=str(dig(seed, "spec", "provider", "type") or ""),
        region=str(dig(seed, "spec", "provider", "region") or ""),
        zones=frozenset(dig(seed, "spec", "provider", "zones") or ()),
        labels=dict(dig(seed, "metadata", "labels") or {}),
        taints=tuple((t.get("key", ""), t.get("value")) for t in dig(seed, "spec", "taints") or ()),
        networks=_seed_networks(*(_str_or_none(dig(nets, field)) for _, field in _SEED_NETWORKS)),
        shoot_defaults={field: net for field, net in defaults.items() if net is not None},
        access_restrictions=frozenset(r.get("name") for r in dig(seed, "spec", "accessRestrictions") or ()),
        allocatable_shoots=_int_or_none(dig(seed, "status", "allocatable", "shoots")),
        deleting=dig(seed, "metadata", "deletionTimestamp") is not None,
        unusable=_unusable_reason(seed),
        emergency_stop=str(dig(seed, "metadata", "annotations", EMERGENCY_STOP_ANNOTATION)).lower() == "true",
        default_domains=tuple(d["domain"] for d in dig(seed, "spec", "dns", "defaults") or () if d.get("domain")),
        zone_selection=dig(seed, "spec", "settings", "zoneSelection", "mode"),
        ip_families=ip_families(dig(nets, "ipFamilies")),
        raw=seed,
    )


_SEED_NETWORKS = (("node", "nodes"), ("pod", "pods"), ("service", "services"))


@functools.lru_cache(maxsize=4096)
def _seed_networks(nodes: str | None, pods: str | None, services: str | None) -> tuple[tuple[str, Net], ...]:
    """Parsed seed networks, interned: seeds with one layout share one tuple, which ``networks`` memoises on."""
    parsed = ((kind, parse_net(text)) for (kind, _), text in zip(_SEED_NETWORKS, (nodes, pods, services), strict=True))
    return tuple((kind, net) for kind, net in parsed if net is not None)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _unusable_reason(seed: Mapping[str, Any]) -> str | None:
    if dig(seed, "metadata", "deletionTimestamp") is not None:
        return "is being deleted"
    if dig(seed, "spec", "settings", "scheduling", "visible") is False:
        return "is invisible to the scheduler"
    status = {c.get("type"): c.get("status") for c in dig(seed, "status", "conditions") or ()}
    if status.get("GardenletReady") != "True":
        return "is not ready"
    if dig(seed, "spec", "backup") is not None and status.get("BackupBucketsReady") != "True":
        return "has backup buckets that are not ready"
    if status.get("SeedSystemComponentsHealthy") == "False":
        return "has unhealthy system components"
    if status.get("Bootstrapped") == "False":
        return "is not bootstrapped"
    return None


# --- label selectors --------------------------------------------------------------------------------------------


class SelectorError(ValueError):
    """A malformed ``metav1.LabelSelector``."""


def compile_selector(selector: Mapping[str, Any] | None) -> selectors.LabelSelector:
    """Compile ``matchLabels`` + ``matchExpressions``; other keys (``providerTypes``) are ignored.

    None or ``{}`` selects every seed, as Gardener's nil seed selector does. The apiserver refuses a malformed
    selector with a 400; the scheduler reports it as a reason instead, so it is a ``SelectorError`` here.
    """
    try:
        return selectors.label_selector_from_json(selector)
    except errors.ApiError as exc:
        raise SelectorError(exc.message) from None


# --- the filters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilterContext:
    """What a filter needs beyond the shoot and the seeds; ``shoot_counts`` are shoots per seed name."""

    cloud_profile: Mapping[str, Any] | None
    shoot_counts: Mapping[str, int]
    now: datetime | None = None


FilterResult = tuple[list[PreparedSeed], dict[str, str]]
Filter = Callable[[Mapping[str, Any], Sequence[PreparedSeed], FilterContext], FilterResult]


def split_seeds(seeds: Sequence[PreparedSeed], reason_of: Callable[[PreparedSeed], str | None]) -> FilterResult:
    """Keep the seeds ``reason_of`` has no objection to; the others map to its reason."""
    reasons = [reason_of(seed) for seed in seeds]
    if not any(reasons):  # the common case, kept cheap: every decision runs a dozen filters over every seed
        return list(seeds), {}
    kept = [seed for seed, reason in zip(seeds, reasons, strict=True) if reason is None]
    return kept, {seed.name: reason for seed, reason in zip(seeds, reasons, strict=True) if reason is not None}


def usable_seeds(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """Not being deleted, visible, and ready (``GardenletReady`` True, backup buckets ready when backed up)."""
    return split_seeds(seeds, lambda seed: seed.unusable)


def not_deleting(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """For an explicit ``spec.seedName``: invisible or unready seeds may be chosen, deleting ones may not."""
    return split_seeds(seeds, lambda seed: "is being deleted" if seed.deleting else None)


def cloud_profile_selector(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    return _selector_filter(dig(ctx.cloud_profile, "spec", "seedSelector"), seeds, kind="CloudProfile")


def shoot_selector(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    return _selector_filter(dig(shoot, "spec", "seedSelector"), seeds, kind="Shoot")


def _selector_filter(raw: Mapping[str, Any] | None, seeds: Sequence[PreparedSeed], *, kind: str) -> FilterResult:
    try:
        selector = compile_selector(raw)
    except SelectorError as exc:
        return [], {seed.name: f"cannot be matched by the {kind}'s invalid seed selector: {exc}" for seed in seeds}
    if not selector.requirements:
        return list(seeds), {}
    reason = f"does not match the {kind}'s seed selector '{selector}'"
    return split_seeds(seeds, lambda seed: None if selector.matches(seed.labels) else reason)


def provider_type(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """The shoot's provider type, or the CloudProfile's ``seedSelector.providerTypes`` (``*`` for any) when set."""
    allowed = dig(ctx.cloud_profile, "spec", "seedSelector", "providerTypes") or []
    if "*" in allowed:
        return list(seeds), {}
    if allowed:
        reason = "has a provider type the CloudProfile does not allow"
        return split_seeds(seeds, lambda seed: None if seed.provider_type in allowed else reason)
    wanted = dig(shoot, "spec", "provider", "type")
    return split_seeds(seeds, lambda seed: None if seed.provider_type == wanted else "has a different provider type")


def zonal_control_plane(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """A control plane tolerating zone failures needs a seed with at least three zones."""
    if dig(shoot, "spec", "controlPlane", "highAvailability", "failureTolerance", "type") != "zone":
        return list(seeds), {}
    reason = "has fewer than 3 zones for a zone-tolerant control plane"
    return split_seeds(seeds, lambda seed: None if len(seed.zones) >= 3 else reason)


def zone_selection(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """Pinned ``controlPlane.zones`` must all be seed zones; else a seed's ``zoneSelection.mode`` weighs worker zones.

    ``Enforce`` seeds must share a zone with the workers; ``Prefer`` seeds that share none are dropped only while
    another remaining seed does share one.
    """
    pinned = frozenset(dig(shoot, "spec", "controlPlane", "zones") or ())
    if pinned:
        reason = f"does not offer the control-plane zones {', '.join(sorted(pinned))}"
        return split_seeds(seeds, lambda seed: None if pinned <= seed.zones else reason)
    workers = dig(shoot, "spec", "provider", "workers") or ()
    worker_zones = frozenset(zone for worker in workers for zone in worker.get("zones") or ())
    if not worker_zones or not any(seed.zone_selection for seed in seeds):
        return list(seeds), {}
    any_overlap = any(seed.zones & worker_zones for seed in seeds)

    def reason_of(seed: PreparedSeed) -> str | None:
        if seed.zones & worker_zones or seed.zone_selection not in ("Enforce", "Prefer"):
            return None
        if seed.zone_selection == "Prefer" and not any_overlap:
            return None
        return f"shares no zone with the shoot's workers (zone selection {seed.zone_selection})"

    return split_seeds(seeds, reason_of)


def access_restrictions(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    wanted = frozenset(r.get("name") for r in dig(shoot, "spec", "accessRestrictions") or ())
    if not wanted:
        return list(seeds), {}

    def reason_of(seed: PreparedSeed) -> str | None:
        missing = wanted - seed.access_restrictions
        return f"does not support the access restrictions {', '.join(sorted(missing))}" if missing else None

    return split_seeds(seeds, reason_of)


def dns_domain(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """A shoot domain under a seed's default domain must be ``<shoot>.<project>.<default domain>``."""
    domain, project = dig(shoot, "spec", "dns", "domain"), _project_name(shoot)
    if not domain or project is None:
        return list(seeds), {}
    prefix = f"{dig(shoot, 'metadata', 'name')}.{project}."

    def reason_of(seed: PreparedSeed) -> str | None:
        for default in seed.default_domains:
            if domain.endswith("." + default) and domain != prefix + default:
                return f"requires shoot domains under {default} to be {prefix}{default}"
        return None

    return split_seeds(seeds, reason_of)


def _project_name(shoot: Mapping[str, Any]) -> str | None:
    """The project of a conventional namespace (``garden-<project>``, or ``garden``); None when unknowable."""
    namespace = dig(shoot, "metadata", "namespace")
    if namespace == "garden":
        return "garden"
    if isinstance(namespace, str) and namespace.startswith("garden-"):
        return namespace.removeprefix("garden-")
    return None


def ip_families(value: Any) -> tuple[str, ...]:
    """``networking.ipFamilies`` of a shoot or ``networks.ipFamilies`` of a seed: IPv4 when unset (the default)."""
    families = tuple(f for f in value if isinstance(f, str)) if isinstance(value, list) else ()
    return families or ("IPv4",)


def ip_family(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """The seed must serve every IP family of the shoot (an IPv6 shoot needs an IPv6 or dual-stack seed)."""
    wanted = ip_families(dig(shoot, "spec", "networking", "ipFamilies"))

    def reason_of(seed: PreparedSeed) -> str | None:
        if set(wanted) <= set(seed.ip_families):
            return None
        return f"does not match the shoot's IP families [{', '.join(wanted)}] (seed: [{', '.join(seed.ip_families)}])"

    return split_seeds(seeds, reason_of)


def emergency_stop(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    reason = "has shoot reconciliations emergency-stopped"
    return split_seeds(seeds, lambda seed: reason if seed.emergency_stop else None)


def networks(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """Shoot networks must not intersect the seed's; unset pods/services take the seed's ``shootDefaults``.

    A network still unset after defaulting is not checked (admission requires or defaults it).
    """
    networking = dig(shoot, "spec", "networking")
    if not isinstance(networking, Mapping):
        return list(seeds), {}
    versions = {6 if family == "IPv6" else 4 for family in networking.get("ipFamilies") or ["IPv4"]}
    workerless = not dig(shoot, "spec", "provider", "workers")
    fixed = _shoot_networks(shoot)
    wants_default = {"pods": "pod"} if networking.get("pods") is None and not workerless else {}
    if networking.get("services") is None:
        wants_default["services"] = "service"

    # Seeds often share one network layout, and prepare_seed interns layouts, so identity is a cheap memo key.
    verdicts: dict[int, str | None] = {}

    def reason_of(seed: PreparedSeed) -> str | None:
        ours = fixed
        if wants_default and seed.shoot_defaults:
            ours = fixed + [
                (kind, net)
                for field, kind in wants_default.items()
                if (net := seed.shoot_defaults.get(field)) is not None and net.version in versions
            ]
            return cidrs.overlap_reason(ours, seed.networks)
        key = id(seed.networks)
        if key not in verdicts:
            verdicts[key] = cidrs.overlap_reason(ours, seed.networks)
        return verdicts[key]

    return split_seeds(seeds, reason_of)


def _shoot_networks(shoot: Mapping[str, Any]) -> list[tuple[str, Net]]:
    """The shoot's set spec networks, plus those in ``status.networking`` (a shoot that already runs somewhere)."""
    found = [(kind, parse_net(dig(shoot, "spec", "networking", field))) for kind, field in _SEED_NETWORKS]
    for kind, field in _SEED_NETWORKS:
        found.extend((kind, parse_net(text)) for text in dig(shoot, "status", "networking", field) or ())
    return [(kind, net) for kind, net in found if net is not None]


def taints(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """Every seed taint needs a toleration with its key, and with its value when the taint has one."""
    tolerated = {t.get("key"): t.get("value") or "" for t in dig(shoot, "spec", "tolerations") or ()}

    def reason_of(seed: PreparedSeed) -> str | None:
        if not seed.taints:
            return None
        bad = [key for key, value in seed.taints if key not in tolerated or value not in (None, tolerated[key])]
        return f"has taints the shoot does not tolerate: {', '.join(bad)}" if bad else None

    return split_seeds(seeds, reason_of)


def capacity(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], ctx: FilterContext) -> FilterResult:
    """``status.allocatable.shoots`` bounds the shoots a seed hosts; the seed a shoot already runs on is exempt."""
    counts, current = ctx.shoot_counts, dig(shoot, "status", "seedName")

    def reason_of(seed: PreparedSeed) -> str | None:
        full = seed.allocatable_shoots is not None and counts.get(seed.name, 0) >= seed.allocatable_shoots
        return "does not have available capacity for shoots" if full and seed.name != current else None

    return split_seeds(seeds, reason_of)


SCHEDULING_FILTERS: tuple[tuple[str, Filter], ...] = (
    ("usable-seeds", usable_seeds),
    ("cloudprofile-seed-selector", cloud_profile_selector),
    ("shoot-seed-selector", shoot_selector),
    ("provider-type", provider_type),
    ("zonal-control-plane", zonal_control_plane),
    ("zone-selection", zone_selection),
    ("access-restrictions", access_restrictions),
    ("dns-domain", dns_domain),
    ("emergency-stop", emergency_stop),
    ("ip-families", ip_family),
    ("networks", networks),
    ("taints", taints),
    ("capacity", capacity),
)

# What Gardener's ShootValidator re-checks when a shoot names its seed itself.
BINDING_FILTERS: tuple[tuple[str, Filter], ...] = (
    ("not-deleting", not_deleting),
    ("ip-families", ip_family),
    ("cloudprofile-seed-selector", cloud_profile_selector),
    ("taints", taints),
    ("access-restrictions", access_restrictions),
    ("capacity", capacity),
)
