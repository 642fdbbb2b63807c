"""Scheduling strategies (SameRegion, MinimalDistance, testing purpose) and the least-loaded tie-break."""

from __future__ import annotations

from typing import Any

import pytest

from garden.scheduler import filters, strategies
from garden.scheduler.filters import PreparedSeed
from tests.garden.scheduler.builders import make_seed, make_shoot


def prepared(*seeds: dict[str, Any]) -> list[PreparedSeed]:
    return [filters.prepare_seed(seed) for seed in seeds]


def names(seeds: list[PreparedSeed]) -> list[str]:
    return [seed.name for seed in seeds]


# The region ConfigMap of 31-scheduler-region-configmap.yaml, parsed.
DISTANCES = {
    "europe-west-1": {
        "europe-central-1": 50,
        "europe-north-1": 60,
        "europe-south-1": 70,
        "europe-east-1": 120,
        "us-west-1": 220,
    }
}


def test_default_is_an_alias_of_same_region_and_unknown_strategies_raise() -> None:
    assert strategies.canonical("Default") == "SameRegion"
    assert strategies.canonical("MinimalDistance") == "MinimalDistance"
    with pytest.raises(ValueError, match="unknown scheduling strategy 'Nearest'"):
        strategies.canonical("Nearest")


def test_same_region_keeps_seeds_of_the_shoot_provider_in_its_region() -> None:
    seeds = prepared(make_seed("here"), make_seed("there", region="us-1"), make_seed("gcp", provider="gcp"))
    kept, removed = strategies.apply_strategy(make_shoot(region="eu-1"), seeds, strategy="SameRegion")
    assert names(kept) == ["here"]
    assert removed == {"there": "is not in region eu-1", "gcp": "has a different provider type"}


def test_testing_purpose_takes_any_region_of_the_shoot_provider() -> None:
    seeds = prepared(make_seed("there", region="us-1"), make_seed("gcp", provider="gcp"))
    kept, removed = strategies.apply_strategy(make_shoot(purpose="testing"), seeds, strategy="SameRegion")
    assert (names(kept), removed) == (["there"], {"gcp": "has a different provider type"})


def test_minimal_distance_uses_the_region_distance_table() -> None:
    seeds = prepared(
        make_seed("north", region="europe-north-1"),
        make_seed("central", region="europe-central-1"),
        make_seed("central-2", region="europe-central-1"),
        make_seed("mars", region="mars-1"),
    )
    shoot = make_shoot(region="europe-west-1")
    kept, removed = strategies.apply_strategy(shoot, seeds, strategy="MinimalDistance", region_distances=DISTANCES)
    assert names(kept) == ["central", "central-2"]
    assert removed == {
        "north": "is farther from region europe-west-1 than the nearest seeds (distance 60 > 50)",
        "mars": "has a region missing from the distance table of europe-west-1",
    }


def test_minimal_distance_puts_the_shoot_region_at_distance_zero_unless_configured() -> None:
    seeds = prepared(make_seed("home", region="europe-west-1"), make_seed("central", region="europe-central-1"))
    shoot = make_shoot(region="europe-west-1")
    kept, _ = strategies.minimal_distance(shoot, seeds, region_distances=DISTANCES)
    assert names(kept) == ["home"]
    far_home = {"europe-west-1": {**DISTANCES["europe-west-1"], "europe-west-1": 99}}
    kept, _ = strategies.minimal_distance(shoot, seeds, region_distances=far_home)
    assert names(kept) == ["central"]


def test_minimal_distance_falls_back_to_region_names_without_a_table_entry() -> None:
    seeds = prepared(
        make_seed("eu-west", region="europe-west1"),
        make_seed("eu-east", region="europe-east1"),
        make_seed("asia", region="asia-east1"),
    )
    kept, removed = strategies.minimal_distance(make_shoot(region="europe-west2"), seeds, region_distances=DISTANCES)
    assert names(kept) == ["eu-west"]
    assert set(removed) == {"eu-east", "asia"}


def test_minimal_distance_fallback_counts_a_different_provider_as_two_edits() -> None:
    seeds = prepared(make_seed("gcp-same", provider="gcp", region="eu-1"), make_seed("aws-near", region="eu-2"))
    kept, _ = strategies.minimal_distance(make_shoot(provider_type="aws", region="eu-1"), seeds, region_distances=None)
    assert names(kept) == ["gcp-same", "aws-near"]  # one edit (2) ties with the provider penalty (0 + 2)
    seeds = prepared(make_seed("gcp-same", provider="gcp", region="eu-1"), make_seed("aws-far", region="eu-22"))
    kept, _ = strategies.minimal_distance(make_shoot(provider_type="aws", region="eu-1"), seeds, region_distances=None)
    assert names(kept) == ["gcp-same"]


@pytest.mark.parametrize(
    ("seed_region", "shoot_region", "distance"),
    [
        ("europe", "asia", 12),
        ("europe-west", "asia-west", 12),
        ("europe-west", "asia-east", 14),
        ("europe-west", "europe-east", 2),
        ("europe-west", "europe-:", 1),
        ("europe-west", "europe-west", 0),
    ],
)
def test_region_distance_matches_gardener(seed_region: str, shoot_region: str, distance: int) -> None:
    assert strategies.region_distance(seed_region, shoot_region) == distance


def test_orientation_and_levenshtein_match_gardener() -> None:
    assert strategies.orientation("west_europe") == (":_europe", "west")
    assert strategies.orientation("middle-west-europe") == ("middle-:-europe", "west")
    assert strategies.orientation("europe") == ("europe", "")
    assert strategies.levenshtein("kitten", "sitting") == 3
    assert strategies.levenshtein("", "abc") == 3


def test_least_loaded_picks_fewest_shoots_then_first_name() -> None:
    seeds = prepared(make_seed("b"), make_seed("a"), make_seed("c"))
    assert strategies.least_loaded(seeds, {"a": 5, "b": 3, "c": 3}).name == "b"
    assert strategies.least_loaded(seeds, {}).name == "a"
