"""``choose_seed`` end to end: filter chain, strategy, least-loaded pick, explicit seed names, messages."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from garden.scheduler import placement
from garden.scheduler.placement import choose_seed
from tests.garden.scheduler.builders import make_seed, make_shoot, merged

PROFILE: dict[str, Any] = {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "CloudProfile", "spec": {"type": "aws"}}
UNREADY: dict[str, Any] = {"conditions": [{"type": "GardenletReady", "status": "Unknown"}]}


def test_chooses_the_least_loaded_seed_in_the_shoot_region() -> None:
    seeds = [make_seed("eu-a"), make_seed("eu-b"), make_seed("us-a", region="us-1")]
    decision = choose_seed(make_shoot(), seeds, cloud_profile=PROFILE, shoot_counts={"eu-a": 7, "eu-b": 3})
    assert decision.seed == "eu-b"
    assert decision.message == "Scheduled to seed 'eu-b'"
    assert [(o.filter, dict(o.removed)) for o in decision.reasons] == [
        ("strategy-SameRegion", {"us-a": "is not in region eu-1"})
    ]


def test_unschedulable_message_names_every_removal_in_filter_order() -> None:
    seeds = [
        make_seed("aws-eu1", status=UNREADY),
        make_seed("gcp-us1", provider="gcp", region="us-1"),
        make_seed("gcp-eu1", provider="gcp"),
    ]
    decision = choose_seed(make_shoot(), seeds, cloud_profile=PROFILE)
    assert decision.seed is None
    assert decision.message == (
        "0/3 seeds are available: 1 seed is not ready (aws-eu1), "
        "2 seeds have a different provider type (gcp-us1, gcp-eu1)"
    )
    assert [o.filter for o in decision.reasons] == ["usable-seeds", "provider-type"]


def test_unschedulable_when_no_seed_is_in_the_shoot_region() -> None:
    seeds = [make_seed("us-a", region="us-1"), make_seed("us-b", region="us-1")]
    decision = choose_seed(make_shoot(region="eu-1"), seeds, cloud_profile=PROFILE, strategy="Default")
    assert decision.seed is None
    assert decision.message == "0/2 seeds are available: 2 seeds are not in region eu-1 (us-a, us-b)"


def test_minimal_distance_places_a_shoot_without_a_seed_in_its_region() -> None:
    seeds = [make_seed("central", region="europe-central-1"), make_seed("us", region="us-west-1")]
    shoot = make_shoot(region="europe-west-1")
    distances = {"europe-west-1": {"europe-central-1": 50, "us-west-1": 220}}
    decision = choose_seed(shoot, seeds, cloud_profile=PROFILE, strategy="MinimalDistance", region_distances=distances)
    assert decision.seed == "central"


def test_full_seeds_are_skipped_and_a_full_fleet_is_explained() -> None:
    seeds = [make_seed("small", status={"allocatable": {"shoots": "1"}}), make_seed("big")]
    counts = {"small": 1, "big": 100}
    assert choose_seed(make_shoot(), seeds, cloud_profile=PROFILE, shoot_counts=counts).seed == "big"
    decision = choose_seed(make_shoot(), seeds, cloud_profile=PROFILE, shoot_counts={"small": 1, "big": 250})
    assert decision.seed is None
    assert decision.message == (
        "0/2 seeds are available: 2 seeds do not have available capacity for shoots (small, big)"
    )
    assert decision.reasons[0].filter == "capacity"


def test_message_groups_reasons_across_filters_and_truncates_long_name_lists() -> None:
    seeds = [make_seed(f"s{i:02}", status=UNREADY) for i in range(12)]
    decision = choose_seed(make_shoot(), seeds, cloud_profile=PROFILE)
    assert decision.message == (
        "0/12 seeds are available: 12 seeds are not ready (s00, s01, s02, s03, s04, s05, s06, s07, s08, s09 and 2 more)"
    )
    assert (
        choose_seed(make_shoot(), [], cloud_profile=PROFILE).message
        == "0/0 seeds are available: no seeds are registered"
    )


def test_named_seed_is_validated_not_rechosen() -> None:
    hidden = make_seed("hidden", region="us-1", spec={"settings": {"scheduling": {"visible": False}}})
    tainted = make_seed("tainted", spec={"taints": [{"key": "seed.gardener.cloud/protected"}]})
    seeds = [make_seed("better"), hidden, tainted]
    accepted = choose_seed(make_shoot(seedName="hidden"), seeds, cloud_profile=PROFILE)
    assert (accepted.seed, accepted.reasons) == ("hidden", [])
    refused = choose_seed(make_shoot(seedName="tainted"), seeds, cloud_profile=PROFILE)
    assert refused.seed is None
    assert refused.message == (
        "0/1 seed is available: 1 seed has taints the shoot does not tolerate: seed.gardener.cloud/protected (tainted)"
    )
    missing = choose_seed(make_shoot(seedName="nowhere"), seeds, cloud_profile=PROFILE)
    assert missing.message == "0/1 seed is available: 1 seed does not exist (nowhere)"


def test_deleting_shoots_and_shoots_of_other_schedulers_are_not_placed() -> None:
    deleting = merged(make_shoot(), {"metadata": {"deletionTimestamp": "2025-01-01T00:00:00Z"}})
    assert choose_seed(deleting, [make_seed("a")], cloud_profile=PROFILE).seed is None
    custom = choose_seed(make_shoot(schedulerName="my-scheduler"), [make_seed("a")], cloud_profile=PROFILE)
    assert (custom.seed, custom.message) == (None, "shoot is left to scheduler 'my-scheduler'")


def test_prepared_seeds_are_reusable_and_names_must_be_unique() -> None:
    prepared = placement.prepare_seeds([make_seed("a"), make_seed("b")])
    assert choose_seed(make_shoot(), prepared, cloud_profile=PROFILE, shoot_counts={"a": 1}).seed == "b"
    assert choose_seed(make_shoot(), prepared, cloud_profile=PROFILE, shoot_counts={"b": 1}).seed == "a"
    with pytest.raises(ValueError, match="unique"):
        placement.prepare_seeds([make_seed("a"), make_seed("a")])


def test_unknown_strategy_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="unknown scheduling strategy"):
        choose_seed(make_shoot(), [make_seed("a")], cloud_profile=PROFILE, strategy="Random")


def test_sixty_shoots_spread_over_three_seeds_by_provider_region_and_load() -> None:
    seeds = placement.prepare_seeds(
        [make_seed("aws-eu1a"), make_seed("aws-eu1b"), make_seed("gcp-us1", provider="gcp", region="us-1")]
    )
    shoots = [make_shoot(f"aws-{i}") for i in range(40)] + [
        make_shoot(f"gcp-{i}", provider_type="gcp", region="us-1") for i in range(20)
    ]
    counts: Counter[str] = Counter()
    placed: dict[str, str | None] = {}
    for shoot in shoots:
        decision = choose_seed(shoot, seeds, cloud_profile=PROFILE, shoot_counts=counts)
        assert decision.seed is not None, decision.message
        placed[shoot["metadata"]["name"]] = decision.seed
        counts[decision.seed] += 1
    assert counts == {"aws-eu1a": 20, "aws-eu1b": 20, "gcp-us1": 20}
    assert [placed["aws-0"], placed["aws-1"], placed["aws-2"]] == ["aws-eu1a", "aws-eu1b", "aws-eu1a"]
    assert all(seed.startswith("gcp") == name.startswith("gcp") for name, seed in placed.items() if seed)
