"""Candidate-determination strategies of the garden scheduler, and the final least-loaded pick.

``SameRegion`` (Gardener's default, alias ``Default``) keeps seeds of the shoot's provider type in its region;
``MinimalDistance`` keeps the nearest seeds by the region-distance table or, without one, by Gardener's
Levenshtein-plus-orientation heuristic (``pkg/scheduler/controller/shoot/distance.go``). Called by ``placement``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from garden.scheduler import filters
from garden.scheduler.filters import FilterResult, PreparedSeed

SAME_REGION = "SameRegion"
MINIMAL_DISTANCE = "MinimalDistance"
STRATEGIES = (SAME_REGION, MINIMAL_DISTANCE)
_ALIASES = {"Default": SAME_REGION}

RegionDistances = Mapping[str, Mapping[str, int]]


def canonical(strategy: str) -> str:
    """The strategy a configured name stands for; raises ValueError for an unknown one."""
    name = _ALIASES.get(strategy, strategy)
    if name not in STRATEGIES:
        raise ValueError(f"unknown scheduling strategy {strategy!r}, valid strategies are {list(STRATEGIES)}")
    return name


def apply_strategy(
    shoot: Mapping[str, Any],
    seeds: Sequence[PreparedSeed],
    *,
    strategy: str,
    region_distances: RegionDistances | None = None,
) -> FilterResult:
    """Narrow the filtered seeds to the candidates; ``purpose: testing`` shoots take any region of their provider."""
    if filters.dig(shoot, "spec", "purpose") == "testing":
        return same_provider(shoot, seeds)
    if canonical(strategy) == SAME_REGION:
        return same_region(shoot, seeds)
    return minimal_distance(shoot, seeds, region_distances=region_distances)


def same_provider(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed]) -> FilterResult:
    wanted, reason = filters.dig(shoot, "spec", "provider", "type"), "has a different provider type"
    return filters.split_seeds(seeds, lambda seed: None if seed.provider_type == wanted else reason)


def same_region(shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed]) -> FilterResult:
    """Seeds of the shoot's provider type (even where the CloudProfile allows others) in the shoot's region."""
    wanted, region = filters.dig(shoot, "spec", "provider", "type"), filters.dig(shoot, "spec", "region")

    def reason_of(seed: PreparedSeed) -> str | None:
        if seed.provider_type != wanted:
            return "has a different provider type"
        return None if seed.region == region else f"is not in region {region}"

    return filters.split_seeds(seeds, reason_of)


def minimal_distance(
    shoot: Mapping[str, Any], seeds: Sequence[PreparedSeed], *, region_distances: RegionDistances | None
) -> FilterResult:
    """The seeds nearest to the shoot's region: by the distance table when it knows any of them, else by name."""
    region = str(filters.dig(shoot, "spec", "region") or "")
    table = dict((region_distances or {}).get(region) or {})
    if table:
        # As in Gardener: unless configured otherwise, a region is nearest to itself.
        table.setdefault(region, 0)
        known = [seed for seed in seeds if seed.region in table]
        if known:
            kept, removed = _nearest(known, {seed.name: table[seed.region] for seed in known}, region=region)
            reason = f"has a region missing from the distance table of {region}"
            return kept, {seed.name: reason for seed in seeds if seed.region not in table} | removed
    shoot_type = filters.dig(shoot, "spec", "provider", "type")
    # Gardener's fallback counts a different provider type as two more edits.
    scores = {s.name: region_distance(s.region, region) + (2 if s.provider_type != shoot_type else 0) for s in seeds}
    return _nearest(seeds, scores, region=region)


def _nearest(seeds: Sequence[PreparedSeed], scores: Mapping[str, int], *, region: str) -> FilterResult:
    best = min(scores[seed.name] for seed in seeds)
    kept = [seed for seed in seeds if scores[seed.name] == best]
    removed = {
        seed.name: f"is farther from region {region} than the nearest seeds (distance {scores[seed.name]} > {best})"
        for seed in seeds
        if scores[seed.name] != best
    }
    return kept, removed


def least_loaded(seeds: Sequence[PreparedSeed], shoot_counts: Mapping[str, int]) -> PreparedSeed:
    """The candidate hosting the fewest shoots; ties go to the first name, so decisions are reproducible."""
    return min(seeds, key=lambda seed: (shoot_counts.get(seed.name, 0), seed.name))


_ORIENTATIONS = ("north", "south", "east", "west", "central")


def orientation(region: str) -> tuple[str, str]:
    """Split off the first orientation word: ``europe-west1`` -> (``europe-:1``, ``west``)."""
    for word in _ORIENTATIONS:
        before, found, after = region.partition(word)
        if found:
            return f"{before}:{after}", word
    return region, ""


@functools.lru_cache(maxsize=65536)
def region_distance(seed_region: str, shoot_region: str) -> int:
    """Twice the Levenshtein distance of the base names, plus 1 if one orientation is missing, 2 if they differ."""
    seed_base, seed_orient = orientation(seed_region)
    shoot_base, shoot_orient = orientation(shoot_region)
    dist = 2 * levenshtein(seed_base, shoot_base)
    if seed_orient == shoot_orient:
        return dist
    return dist + (1 if not seed_orient or not shoot_orient else 2)


def levenshtein(a: str, b: str) -> int:
    """Edit distance with unit cost for insertion, deletion and substitution."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]
