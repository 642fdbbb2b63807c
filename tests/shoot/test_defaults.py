"""Gardener's shoot defaults (``shoot.defaults``), reference §1.4."""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shoot import defaults
from shoot.validation import maintenance

EXAMPLES = Path(__file__).parents[1] / "data" / "gardener-examples"


def _local() -> dict[str, Any]:
    shoot: dict[str, Any] = yaml.safe_load((EXAMPLES / "provider-local" / "shoot.yaml").read_text())
    return shoot


def _botany() -> dict[str, Any]:
    shoot: dict[str, Any] = yaml.safe_load((EXAMPLES / "90-shoot.yaml").read_text())
    return shoot


@pytest.mark.parametrize("load", [_local, _botany], ids=["provider-local", "90-shoot"])
def test_defaulting_twice_equals_defaulting_once(load: Any) -> None:
    once = defaults.default_shoot(load(), rng=random.Random(1))
    assert defaults.default_shoot(once, rng=random.Random(2)) == once


def test_does_not_modify_its_argument() -> None:
    shoot = _local()
    before = copy.deepcopy(shoot)
    defaults.default_shoot(shoot)
    assert shoot == before


def test_fills_gardener_shoot_defaults() -> None:
    spec = defaults.default_shoot(_local())["spec"]
    assert spec["purpose"] == "evaluation"
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["networking"]["ipFamilies"] == ["IPv4"]
    assert spec["maintenance"]["autoUpdate"] == {"kubernetesVersion": True, "machineImageVersion": True}
    kubernetes = spec["kubernetes"]
    assert kubernetes["kubeControllerManager"] == {"nodeCIDRMaskSize": 24, "nodeMonitorGracePeriod": "40s"}
    assert kubernetes["kubeScheduler"] == {"profile": "balanced"}
    assert kubernetes["kubeProxy"] == {"mode": "IPTables", "enabled": True}
    assert kubernetes["kubeAPIServer"]["eventTTL"] == "1h0m0s"
    assert kubernetes["kubeAPIServer"]["defaultNotReadyTolerationSeconds"] == 300
    assert kubernetes["kubeAPIServer"]["defaultUnreachableTolerationSeconds"] == 300
    assert spec["systemComponents"]["coreDNS"]["autoscaling"]["mode"] == "horizontal"
    assert "tolerations" not in spec


def test_keeps_values_the_user_set() -> None:
    shoot = _botany()
    shoot["spec"]["kubernetes"] = {"kubeProxy": {"mode": "IPVS"}, "kubelet": {"serializeImagePulls": False}}
    spec = defaults.default_shoot(shoot)["spec"]
    assert spec["kubernetes"]["kubeProxy"] == {"mode": "IPVS", "enabled": True}
    assert spec["kubernetes"]["kubelet"]["serializeImagePulls"] is False
    assert spec["maintenance"]["timeWindow"] == {"begin": "220000+0100", "end": "230000+0100"}


def test_random_maintenance_window_is_one_hour_on_the_hour() -> None:
    hours = set()
    for seed in range(200):
        window = defaults.default_shoot(_local(), rng=random.Random(seed))["spec"]["maintenance"]["timeWindow"]
        match = re.fullmatch(r"(\d\d)0000\+0000", window["begin"])
        assert match is not None
        hours.add(int(match[1]))
        assert window["end"] == f"{int(match[1]) + 1:02d}0000+0000"
        assert maintenance.parse_time_window(window["begin"], window["end"]) == (int(match[1]) * 3600, 3600)
    assert hours == set(range(23))


def test_auto_update_without_kubernetes_version_reads_false_like_a_go_bool() -> None:
    shoot = _local()
    shoot["spec"]["maintenance"] = {"autoUpdate": {"machineImageVersion": False}}
    auto_update = defaults.default_shoot(shoot)["spec"]["maintenance"]["autoUpdate"]
    assert auto_update == {"kubernetesVersion": False, "machineImageVersion": False}


def test_worker_defaults_for_rolling_updates() -> None:
    worker = defaults.default_shoot(_botany())["spec"]["provider"]["workers"][0]
    assert worker["cri"] == {"name": "containerd"}
    assert (worker["maxSurge"], worker["maxUnavailable"]) == (1, 0)
    assert worker["updateStrategy"] == "AutoRollingUpdate"
    assert worker["systemComponents"] == {"allow": True}


def test_worker_defaults_for_in_place_updates() -> None:
    shoot = _botany()
    shoot["spec"]["provider"]["workers"][0]["updateStrategy"] = "AutoInPlaceUpdate"
    worker = defaults.default_shoot(shoot)["spec"]["provider"]["workers"][0]
    assert (worker["maxSurge"], worker["maxUnavailable"]) == (0, 1)
    shoot["spec"]["provider"]["workers"][0]["updateStrategy"] = "ManualInPlaceUpdate"
    worker = defaults.default_shoot(shoot)["spec"]["provider"]["workers"][0]
    assert "maxSurge" not in worker and "maxUnavailable" not in worker


@pytest.mark.parametrize(("max_pods", "mask"), [(110, 24), (250, 23), (64, 25), (16, 27)])
def test_node_cidr_mask_size_leaves_room_for_twice_max_pods(max_pods: int, mask: int) -> None:
    shoot = _local()
    shoot["spec"]["provider"]["workers"][0]["kubernetes"] = {"kubelet": {"maxPods": max_pods}}
    spec = defaults.default_shoot(shoot)["spec"]
    assert spec["kubernetes"]["kubeControllerManager"]["nodeCIDRMaskSize"] == mask


def test_node_cidr_mask_size_for_ipv6_single_stack_is_64() -> None:
    shoot = _local()
    shoot["spec"]["networking"]["ipFamilies"] = ["IPv6"]
    assert defaults.default_shoot(shoot)["spec"]["kubernetes"]["kubeControllerManager"]["nodeCIDRMaskSize"] == 64


def test_workerless_shoot_gets_no_node_component_defaults() -> None:
    shoot = _local()
    del shoot["spec"]["provider"]["workers"], shoot["spec"]["networking"]
    kubernetes = defaults.default_shoot(shoot)["spec"]["kubernetes"]
    assert set(kubernetes) == {"kubelet", "kubeAPIServer"}
    assert kubernetes["kubelet"] == shoot["spec"]["kubernetes"]["kubelet"]


def test_shoots_in_garden_namespace_tolerate_protected_seeds_once() -> None:
    shoot = _local()
    shoot["metadata"]["namespace"] = "garden"
    spec = defaults.default_shoot(defaults.default_shoot(shoot))["spec"]
    assert spec["tolerations"] == [{"key": "seed.gardener.cloud/protected"}]


def test_cloud_profile_reference_from_legacy_name() -> None:
    shoot = _local()
    del shoot["spec"]["cloudProfile"]
    shoot["spec"]["cloudProfileName"] = "local"
    shoot["spec"]["kubernetes"]["version"] = "1.33.2"
    spec = defaults.default_shoot(shoot)["spec"]
    assert spec["cloudProfile"] == {"kind": "CloudProfile", "name": "local"}
    assert spec["cloudProfileName"] == "local"


def test_cloud_profile_name_mirrors_reference_below_1_34_only() -> None:
    shoot = _local()
    shoot["spec"]["kubernetes"]["version"] = "1.33.2"
    spec = defaults.default_shoot(shoot)["spec"]
    assert spec["cloudProfileName"] == "local"
    spec["kubernetes"]["version"] = "1.34.0"
    upgraded = defaults.default_shoot({"metadata": {}, "spec": spec})["spec"]
    assert "cloudProfileName" not in upgraded
    assert upgraded["cloudProfile"] == {"kind": "CloudProfile", "name": "local"}


def test_namespaced_cloud_profile_drops_legacy_name() -> None:
    shoot = _local()
    shoot["spec"]["cloudProfile"] = {"kind": "NamespacedCloudProfile", "name": "local-custom"}
    shoot["spec"]["cloudProfileName"] = "local"
    assert "cloudProfileName" not in defaults.default_shoot(shoot)["spec"]


def test_cluster_autoscaler_defaults_when_configured() -> None:
    shoot = _local()
    shoot["spec"]["kubernetes"]["clusterAutoscaler"] = {"expander": "priority"}
    autoscaler = defaults.default_shoot(shoot)["spec"]["kubernetes"]["clusterAutoscaler"]
    assert autoscaler["expander"] == "priority"
    assert autoscaler["scaleDownDelayAfterAdd"] == "1h0m0s"
    assert autoscaler["scanInterval"] == "10s"
