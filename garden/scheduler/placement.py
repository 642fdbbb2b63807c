"""Where a shoot's control plane goes: ``choose_seed`` runs the filters, the strategy and the least-loaded pick.

Pure: plain camelCase dicts in, a ``Decision`` out (seed name or None, what each filter removed, and a message in
the spirit of ``0/3 seeds are available: 1 seed is not ready (aws-eu1)``). The garden scheduler controller calls
it and writes ``shoots/binding``; it should ``prepare_seeds`` once per seed list and reuse the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from garden.scheduler import filters, strategies
from garden.scheduler.filters import FilterContext, PreparedSeed
from garden.scheduler.strategies import RegionDistances

DEFAULT_SCHEDULER = "default-scheduler"
_MAX_NAMES = 10  # seed names listed per message group; a 200-seed fleet must not produce a wall of text


@dataclass(frozen=True, slots=True)
class PreparedSeeds:
    """Seeds parsed once (CIDRs, labels, readiness), reusable across many decisions."""

    seeds: tuple[PreparedSeed, ...]
    by_name: Mapping[str, PreparedSeed]


def prepare_seeds(seeds: Iterable[Mapping[str, Any]]) -> PreparedSeeds:
    prepared = tuple(filters.prepare_seed(seed) for seed in seeds)
    by_name = {seed.name: seed for seed in prepared}
    if len(by_name) != len(prepared):
        raise ValueError("seed names must be unique")
    return PreparedSeeds(seeds=prepared, by_name=by_name)


@dataclass(frozen=True, slots=True)
class FilterOutcome:
    """The seeds one filter (or the strategy) removed, each with a short reason."""

    filter: str
    removed: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Decision:
    seed: str | None
    reasons: list[FilterOutcome]
    message: str


def choose_seed(
    shoot: Mapping[str, Any],
    seeds: Sequence[Mapping[str, Any]] | PreparedSeeds,
    *,
    cloud_profile: Mapping[str, Any] | None,
    strategy: str = strategies.SAME_REGION,
    region_distances: RegionDistances | None = None,
    shoot_counts: Mapping[str, int] | None = None,
    now: datetime | None = None,
) -> Decision:
    """Pick the seed for ``shoot``, or validate the one it names in ``spec.seedName``.

    ``shoot_counts`` are the shoots per seed (``spec.seedName`` or ``status.seedName``), for capacity and load.
    ``region_distances`` maps a shoot region to seed regions and distances (the region ConfigMap's data, parsed).
    ``now`` is passed through to the filters; Gardener's placement rules do not depend on the clock yet.
    Raises ValueError for an unknown strategy, which is a configuration error, not an unschedulable shoot.
    """
    strategy = strategies.canonical(strategy)
    prepared = seeds if isinstance(seeds, PreparedSeeds) else prepare_seeds(seeds)
    ctx = FilterContext(cloud_profile=cloud_profile, shoot_counts=shoot_counts or {}, now=now)
    if filters.dig(shoot, "metadata", "deletionTimestamp") is not None:
        return Decision(seed=None, reasons=[], message="shoot is being deleted, it is not scheduled")
    scheduler = filters.dig(shoot, "spec", "schedulerName") or DEFAULT_SCHEDULER
    if scheduler != DEFAULT_SCHEDULER:
        return Decision(seed=None, reasons=[], message=f"shoot is left to scheduler {scheduler!r}")
    named = filters.dig(shoot, "spec", "seedName")
    if named:
        return _validate_named_seed(shoot, str(named), prepared=prepared, ctx=ctx)
    return _schedule(shoot, prepared=prepared, ctx=ctx, strategy=strategy, region_distances=region_distances)


def _schedule(
    shoot: Mapping[str, Any],
    *,
    prepared: PreparedSeeds,
    ctx: FilterContext,
    strategy: str,
    region_distances: RegionDistances | None,
) -> Decision:
    candidates: Sequence[PreparedSeed] = prepared.seeds
    outcomes: list[FilterOutcome] = []
    for name, seed_filter in filters.SCHEDULING_FILTERS:
        candidates, removed = seed_filter(shoot, candidates, ctx)
        if removed:
            outcomes.append(FilterOutcome(filter=name, removed=removed))
        if not candidates:
            return _unschedulable(outcomes, total=len(prepared.seeds))
    candidates, removed = strategies.apply_strategy(
        shoot, candidates, strategy=strategy, region_distances=region_distances
    )
    if removed:
        outcomes.append(FilterOutcome(filter=f"strategy-{strategy}", removed=removed))
    if not candidates:
        return _unschedulable(outcomes, total=len(prepared.seeds))
    chosen = strategies.least_loaded(candidates, ctx.shoot_counts)
    return Decision(seed=chosen.name, reasons=outcomes, message=f"Scheduled to seed '{chosen.name}'")


def _validate_named_seed(
    shoot: Mapping[str, Any], name: str, *, prepared: PreparedSeeds, ctx: FilterContext
) -> Decision:
    """An explicit ``spec.seedName`` is checked like Gardener's admission does, not re-chosen."""
    seed = prepared.by_name.get(name)
    if seed is None:
        outcomes = [FilterOutcome(filter="seed-name", removed={name: "does not exist"})]
        return _unschedulable(outcomes, total=1)
    outcomes = []
    for filter_name, seed_filter in filters.BINDING_FILTERS:
        kept, removed = seed_filter(shoot, [seed], ctx)
        if not kept:
            outcomes.append(FilterOutcome(filter=filter_name, removed=removed))
            return _unschedulable(outcomes, total=1)
    return Decision(seed=name, reasons=[], message=f"Seed '{name}' named by the shoot can host it")


def _unschedulable(outcomes: list[FilterOutcome], *, total: int) -> Decision:
    return Decision(seed=None, reasons=outcomes, message=explain(outcomes, total=total))


def explain(outcomes: Sequence[FilterOutcome], *, total: int) -> str:
    """``0/3 seeds are available: 1 seed is not ready (a), 2 seeds have a different provider type (b, c)``."""
    if total == 0:
        return "0/0 seeds are available: no seeds are registered"
    groups: dict[str, list[str]] = {}
    for outcome in outcomes:
        for seed, reason in outcome.removed.items():
            groups.setdefault(reason, []).append(seed)
    parts = [f"{len(names)} {_agree(reason, len(names))} ({_names(names)})" for reason, names in groups.items()]
    return f"0/{total} {_plural('seed', total)} {'is' if total == 1 else 'are'} available: {', '.join(parts)}"


_PLURAL_VERBS = {"is": "are", "has": "have", "does": "do", "shares": "share", "requires": "require"}


def _agree(reason: str, count: int) -> str:
    """``seed is not ready`` / ``seeds are not ready``: reasons start with a verb in the singular."""
    if count == 1:
        return f"seed {reason}"
    verb, _, rest = reason.partition(" ")
    return f"seeds {_PLURAL_VERBS.get(verb, verb)} {rest}".rstrip()


def _plural(noun: str, count: int) -> str:
    return noun if count == 1 else noun + "s"


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_MAX_NAMES])
    return shown if len(names) <= _MAX_NAMES else f"{shown} and {len(names) - _MAX_NAMES} more"
