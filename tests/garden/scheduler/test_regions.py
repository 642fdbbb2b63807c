"""Region distances come from Gardener's region-config ConfigMaps (example 31), by CloudProfile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from garden.scheduler import regions

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "gardener-examples" / "31-scheduler-region-configmap.yaml"


def _configmap(profiles: str) -> dict[str, Any]:
    cm: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    cm["metadata"]["annotations"][regions.PROFILES_ANNOTATION] = profiles
    return cm


def test_reads_gardeners_example_region_config_for_the_profiles_it_names() -> None:
    table = regions.distances_for([_configmap("other, cloudprofile1")], "cloudprofile1")
    assert table == {"europe-west-1": {"europe-central-1": 50, "europe-north-1": 60, "europe-south-1": 70,
                                       "europe-east-1": 120, "us-west-1": 220}}


def test_no_table_for_a_profile_no_region_config_names() -> None:
    assert regions.distances_for([_configmap("cloudprofile1")], "cloudprofile2") is None
    assert regions.distances_for([], "cloudprofile1") is None
