"""The scheduler's seed filters, one by one, on wire dicts shaped like Gardener's example manifests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from garden.scheduler import filters
from garden.scheduler.filters import FilterContext, PreparedSeed
from tests.garden.scheduler.builders import make_seed, make_shoot, merged


def run(
    seed_filter: filters.Filter,
    shoot: Mapping[str, Any],
    *seeds: Mapping[str, Any],
    cloud_profile: Mapping[str, Any] | None = None,
    counts: Mapping[str, int] | None = None,
) -> tuple[list[str], dict[str, str]]:
    ctx = FilterContext(cloud_profile=cloud_profile, shoot_counts=counts or {})
    kept, removed = seed_filter(shoot, [filters.prepare_seed(seed) for seed in seeds], ctx)
    return [seed.name for seed in kept], removed


def conditions(**statuses: str) -> dict[str, Any]:
    return {"status": {"conditions": [{"type": kind, "status": status} for kind, status in statuses.items()]}}


# --- usable seeds -------------------------------------------------------------------------------------------------


def test_usable_seeds_drops_deleting_invisible_and_unready_seeds() -> None:
    kept, removed = run(
        filters.usable_seeds,
        make_shoot(),
        make_seed("ok"),
        make_seed("gone", metadata={"deletionTimestamp": "2025-01-01T00:00:00Z"}),
        make_seed("hidden", spec={"settings": {"scheduling": {"visible": False}}}),
        make_seed("stale", **conditions(GardenletReady="Unknown")),
        make_seed("silent", status={"conditions": []}),
    )
    assert kept == ["ok"]
    assert removed == {
        "gone": "is being deleted",
        "hidden": "is invisible to the scheduler",
        "stale": "is not ready",
        "silent": "is not ready",
    }


def test_usable_seeds_require_ready_backup_buckets_only_for_backed_up_seeds() -> None:
    backup = {"provider": "aws", "region": "eu-1"}
    kept, removed = run(
        filters.usable_seeds,
        make_shoot(),
        make_seed("plain"),
        make_seed("backed", spec={"backup": backup}, **conditions(GardenletReady="True", BackupBucketsReady="True")),
        make_seed("unbacked", spec={"backup": backup}),
    )
    assert kept == ["plain", "backed"]
    assert removed == {"unbacked": "has backup buckets that are not ready"}


def test_usable_seeds_reject_false_but_not_unknown_system_conditions() -> None:
    kept, removed = run(
        filters.usable_seeds,
        make_shoot(),
        make_seed("unknown", **conditions(GardenletReady="True", SeedSystemComponentsHealthy="Unknown")),
        make_seed("sick", **conditions(GardenletReady="True", SeedSystemComponentsHealthy="False")),
        make_seed("fresh", **conditions(GardenletReady="True", Bootstrapped="False")),
    )
    assert kept == ["unknown"]
    assert removed == {"sick": "has unhealthy system components", "fresh": "is not bootstrapped"}


def test_not_deleting_accepts_invisible_and_unready_seeds() -> None:
    kept, removed = run(
        filters.not_deleting,
        make_shoot(),
        make_seed("hidden", spec={"settings": {"scheduling": {"visible": False}}}, status={"conditions": []}),
        make_seed("gone", metadata={"deletionTimestamp": "2025-01-01T00:00:00Z"}),
    )
    assert (kept, removed) == (["hidden"], {"gone": "is being deleted"})


# --- label selectors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ({"matchLabels": {"env": "prod"}}, ["prod-eu"]),
        ({"matchExpressions": [{"key": "env", "operator": "In", "values": ["dev", "prod"]}]}, ["prod-eu", "dev"]),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}, ["dev", "bare"]),
        ({"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}, ["prod-eu"]),
        ({"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}]}, ["dev", "bare"]),
        ({}, ["prod-eu", "dev", "bare"]),
        (None, ["prod-eu", "dev", "bare"]),
    ],
)
def test_label_selector_matches_like_kubernetes(selector: dict[str, Any] | None, expected: list[str]) -> None:
    labels = {"prod-eu": {"env": "prod", "gpu": "a100"}, "dev": {"env": "dev"}, "bare": {}}
    compiled = filters.compile_selector(selector)
    assert [name for name, seed_labels in labels.items() if compiled.matches(seed_labels)] == expected


def test_label_selector_prints_like_kubernetes() -> None:
    selector = filters.compile_selector(
        {
            "matchLabels": {"env": "prod"},
            "matchExpressions": [
                {"key": "tier", "operator": "NotIn", "values": ["b", "a"]},
                {"key": "gpu", "operator": "DoesNotExist"},
            ],
        }
    )
    assert str(selector) == "env=prod,!gpu,tier notin (a,b)"


@pytest.mark.parametrize(
    "expression",
    [
        {"key": "env", "operator": "Gt", "values": ["1"]},
        {"key": "env", "operator": "In", "values": []},
        {"key": "env", "operator": "Exists", "values": ["x"]},
    ],
)
def test_label_selector_rejects_malformed_expressions(expression: dict[str, Any]) -> None:
    with pytest.raises(filters.SelectorError):
        filters.compile_selector({"matchExpressions": [expression]})


# --- selectors and provider ---------------------------------------------------------------------------------------


def test_cloud_profile_selector_keeps_matching_seeds_only() -> None:
    profile = {"spec": {"type": "aws", "seedSelector": {"matchLabels": {"landscape": "live"}}}}
    kept, removed = run(
        filters.cloud_profile_selector,
        make_shoot(),
        make_seed("live", metadata={"labels": {"landscape": "live"}}),
        make_seed("canary", metadata={"labels": {"landscape": "canary"}}),
        cloud_profile=profile,
    )
    assert kept == ["live"]
    assert removed == {"canary": "does not match the CloudProfile's seed selector 'landscape=live'"}


def test_cloud_profile_selector_with_provider_types_only_keeps_every_seed() -> None:
    profile = {"spec": {"seedSelector": {"providerTypes": ["*"]}}}
    assert run(filters.cloud_profile_selector, make_shoot(), make_seed("a"), cloud_profile=profile) == (["a"], {})


def test_shoot_selector_keeps_matching_seeds_only() -> None:
    shoot = make_shoot(seedSelector={"matchExpressions": [{"key": "gpu", "operator": "Exists"}]})
    kept, removed = run(
        filters.shoot_selector, shoot, make_seed("gpu", metadata={"labels": {"gpu": "a100"}}), make_seed("cpu")
    )
    assert (kept, removed) == (["gpu"], {"cpu": "does not match the Shoot's seed selector 'gpu'"})


def test_shoot_selector_that_is_malformed_removes_every_seed() -> None:
    shoot = make_shoot(seedSelector={"matchExpressions": [{"key": "gpu", "operator": "Gt", "values": ["1"]}]})
    kept, removed = run(filters.shoot_selector, shoot, make_seed("a"))
    assert kept == []
    assert removed["a"].startswith("cannot be matched by the Shoot's invalid seed selector")


def test_provider_type_keeps_seeds_of_the_shoot_provider() -> None:
    kept, removed = run(
        filters.provider_type, make_shoot(provider_type="aws"), make_seed("aws1"), make_seed("gcp1", provider="gcp")
    )
    assert (kept, removed) == (["aws1"], {"gcp1": "has a different provider type"})


def test_provider_type_follows_the_cloud_profile_provider_types() -> None:
    seeds = (make_seed("aws1"), make_seed("gcp1", provider="gcp"), make_seed("os1", provider="openstack"))
    listed = {"spec": {"seedSelector": {"providerTypes": ["gcp", "openstack"]}}}
    kept, removed = run(filters.provider_type, make_shoot(provider_type="aws"), *seeds, cloud_profile=listed)
    assert (kept, removed) == (["gcp1", "os1"], {"aws1": "has a provider type the CloudProfile does not allow"})
    anything = {"spec": {"seedSelector": {"providerTypes": ["*"]}}}
    assert run(filters.provider_type, make_shoot(), *seeds, cloud_profile=anything) == (["aws1", "gcp1", "os1"], {})


# --- zones, access restrictions, domains, emergency stop -----------------------------------------------------------


def test_zonal_control_plane_needs_three_seed_zones() -> None:
    shoot = make_shoot(controlPlane={"highAvailability": {"failureTolerance": {"type": "zone"}}})
    two_zones = make_seed("small", spec={"provider": {"zones": ["eu-1a", "eu-1b"]}})
    kept, removed = run(filters.zonal_control_plane, shoot, make_seed("big"), two_zones)
    assert (kept, removed) == (["big"], {"small": "has fewer than 3 zones for a zone-tolerant control plane"})
    assert run(filters.zonal_control_plane, make_shoot(), two_zones) == (["small"], {})


def test_zone_selection_requires_pinned_control_plane_zones() -> None:
    shoot = make_shoot(controlPlane={"zones": ["eu-1a", "eu-1c"]})
    partial = make_seed("partial", spec={"provider": {"zones": ["eu-1a", "eu-1b"]}})
    kept, removed = run(filters.zone_selection, shoot, make_seed("full"), partial)
    assert (kept, removed) == (["full"], {"partial": "does not offer the control-plane zones eu-1a, eu-1c"})


def test_zone_selection_enforce_needs_a_worker_zone_and_prefer_yields_to_overlapping_seeds() -> None:
    def seed(name: str, zone: str, mode: str | None) -> dict[str, Any]:
        return make_seed(name, spec={"provider": {"zones": [zone]}, "settings": {"zoneSelection": {"mode": mode}}})

    shoot = make_shoot()  # workers in eu-1a
    seeds = (seed("match", "eu-1a", "Enforce"), seed("enforce", "eu-1x", "Enforce"), seed("prefer", "eu-1x", "Prefer"))
    kept, removed = run(filters.zone_selection, shoot, *seeds, seed("free", "eu-1x", None))
    assert kept == ["match", "free"]
    assert removed == {
        "enforce": "shares no zone with the shoot's workers (zone selection Enforce)",
        "prefer": "shares no zone with the shoot's workers (zone selection Prefer)",
    }
    assert run(filters.zone_selection, shoot, seed("prefer", "eu-1x", "Prefer")) == (["prefer"], {})


def test_access_restrictions_must_all_be_supported_by_the_seed() -> None:
    shoot = make_shoot(accessRestrictions=[{"name": "eu-access-only", "options": {}}])
    eu = make_seed("eu", spec={"accessRestrictions": [{"name": "eu-access-only"}]})
    kept, removed = run(filters.access_restrictions, shoot, eu, make_seed("any"))
    assert (kept, removed) == (["eu"], {"any": "does not support the access restrictions eu-access-only"})
    assert run(filters.access_restrictions, make_shoot(), make_seed("any")) == (["any"], {})


def test_dns_domain_under_a_seed_default_domain_must_be_shoot_dot_project() -> None:
    seed = make_seed("dns", spec={"dns": {"defaults": [{"domain": "shoot.example.com"}]}})
    good = make_shoot(dns={"domain": "crazy-botany.dev.shoot.example.com"})
    bad = make_shoot(dns={"domain": "other.dev.shoot.example.com"})
    own = make_shoot(dns={"domain": "botany.example.org"})
    assert run(filters.dns_domain, good, seed) == (["dns"], {})
    assert run(filters.dns_domain, own, seed) == (["dns"], {})
    assert run(filters.dns_domain, bad, seed) == (
        [],
        {"dns": "requires shoot domains under shoot.example.com to be crazy-botany.dev.shoot.example.com"},
    )


def test_emergency_stop_annotation_removes_the_seed() -> None:
    stopped = make_seed("stopped", metadata={"annotations": {filters.EMERGENCY_STOP_ANNOTATION: "true"}})
    kept, removed = run(filters.emergency_stop, make_shoot(), make_seed("ok"), stopped)
    assert (kept, removed) == (["ok"], {"stopped": "has shoot reconciliations emergency-stopped"})


# --- networks -----------------------------------------------------------------------------------------------------


def test_networks_remove_seeds_whose_networks_intersect_the_shoot() -> None:
    shoot = make_shoot(networking={"nodes": "10.241.0.0/24"})
    kept, removed = run(
        filters.networks, shoot, make_seed("clash"), make_seed("apart", spec={"networks": {"services": "10.9.0.0/16"}})
    )
    assert kept == ["apart"]
    assert removed == {
        "clash": "has networks intersecting the shoot's: "
        "shoot node network 10.241.0.0/24 intersects with seed service network"
    }


def test_networks_use_seed_shoot_defaults_for_unset_pods_and_services() -> None:
    shoot = make_shoot(networking={"pods": None, "services": None})
    defaults = {"pods": "10.241.128.0/18", "services": "100.64.0.0/13"}
    clash = make_seed("clash", spec={"networks": {"shootDefaults": defaults}})
    fine = make_seed(
        "fine", spec={"networks": {"shootDefaults": {"pods": "100.96.0.0/11", "services": "100.64.0.0/13"}}}
    )
    kept, removed = run(filters.networks, shoot, clash, fine, make_seed("nodefaults"))
    assert kept == ["fine", "nodefaults"]
    assert removed == {
        "clash": "has networks intersecting the shoot's: "
        "shoot pod network 10.241.128.0/18 intersects with seed pod network"
    }


def test_networks_ignore_defaults_of_another_ip_family_and_pods_of_workerless_shoots() -> None:
    v6 = make_seed("v6", spec={"networks": {"pods": "fd00::/64", "shootDefaults": {"pods": "fd00::/80"}}})
    shoot = make_shoot(networking={"pods": None})
    assert run(filters.networks, shoot, v6) == (["v6"], {})
    v4 = make_seed("v4", spec={"networks": {"shootDefaults": {"pods": "10.241.128.0/18"}}})
    workerless = make_shoot(networking={"pods": None}, provider={"workers": []})
    assert run(filters.networks, workerless, v4) == (["v4"], {})


def test_networks_check_status_networks_and_skip_shoots_without_networking() -> None:
    running = merged(make_shoot(), {"status": {"networking": {"pods": ["10.241.130.0/24"]}}})
    kept, removed = run(filters.networks, running, make_seed("s"))
    assert kept == []
    assert "shoot pod network 10.241.130.0/24 intersects with seed pod network" in removed["s"]
    assert run(filters.networks, make_shoot(networking=None), make_seed("s")) == (["s"], {})


def test_prepare_seed_parses_cidrs_once_into_integer_ranges() -> None:
    seed: PreparedSeed = filters.prepare_seed(make_seed("s"))
    assert dict(seed.networks)["pod"] == filters.Net(4, 0x0AF18000, 0x0AF1FFFF, "10.241.128.0/17")
    assert filters.parse_net("not-a-cidr") is None


# --- taints and capacity ------------------------------------------------------------------------------------------


def test_taints_need_tolerations_with_the_same_key_and_value() -> None:
    protected = make_seed("protected", spec={"taints": [{"key": "seed.gardener.cloud/protected"}]})
    valued = make_seed("valued", spec={"taints": [{"key": "team", "value": "blue"}]})
    seeds = (make_seed("open"), protected, valued)
    kept, removed = run(filters.taints, make_shoot(tolerations=[{"key": "team", "value": "red"}]), *seeds)
    assert kept == ["open"]
    assert removed == {
        "protected": "has taints the shoot does not tolerate: seed.gardener.cloud/protected",
        "valued": "has taints the shoot does not tolerate: team",
    }
    tolerant = make_shoot(
        tolerations=[{"key": "seed.gardener.cloud/protected", "value": "x"}, {"key": "team", "value": "blue"}]
    )
    assert run(filters.taints, tolerant, *seeds) == (["open", "protected", "valued"], {})


def test_capacity_removes_full_seeds_but_not_the_seed_a_shoot_runs_on() -> None:
    seeds = (
        make_seed("full", status={"allocatable": {"shoots": "2"}}),
        make_seed("room"),
        make_seed("unbounded", status={"allocatable": None}),
    )
    counts = {"full": 2, "room": 249, "unbounded": 10_000}
    kept, removed = run(filters.capacity, make_shoot(), *seeds, counts=counts)
    assert (kept, removed) == (["room", "unbounded"], {"full": "does not have available capacity for shoots"})
    running = merged(make_shoot(), {"status": {"seedName": "full"}})
    assert run(filters.capacity, running, seeds[0], counts=counts) == (["full"], {})


# --- IP families --------------------------------------------------------------------------------------------------


def test_ip_family_needs_a_seed_serving_every_family_of_the_shoot() -> None:
    ipv4 = make_seed("ipv4")
    ipv6 = make_seed("ipv6", spec={"networks": {"ipFamilies": ["IPv6"]}})
    dual = make_seed("dual", spec={"networks": {"ipFamilies": ["IPv4", "IPv6"]}})
    v6_shoot = make_shoot(networking={"ipFamilies": ["IPv6"]})
    kept, removed = run(filters.ip_family, v6_shoot, ipv4, ipv6, dual)
    assert kept == ["ipv6", "dual"]
    assert removed == {"ipv4": "does not match the shoot's IP families [IPv6] (seed: [IPv4])"}
    assert run(filters.ip_family, make_shoot(), ipv4, ipv6, dual)[0] == ["ipv4", "dual"]
    dual_shoot = make_shoot(networking={"ipFamilies": ["IPv4", "IPv6"]})
    assert run(filters.ip_family, dual_shoot, ipv4, ipv6, dual)[0] == ["dual"]
