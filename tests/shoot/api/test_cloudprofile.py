"""Tests for shoot.api.cloudprofile: the CloudProfile model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from shoot.api.cloudprofile import CloudProfile


def _profile() -> dict[str, Any]:
    return {
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "CloudProfile",
        "metadata": {"name": "local"},
        "spec": {
            "type": "local",
            "kubernetes": {
                "versions": [{"version": "1.33.1"}, {"version": "1.32.5", "expirationDate": "2025-11-30T01:02:03Z"}]
            },
            "machineImages": [
                {
                    "name": "ubuntu",
                    "updateStrategy": "minor",
                    "versions": [
                        {
                            "version": "24.4.0",
                            "classification": "supported",
                            "architectures": ["amd64", "arm64"],
                            "cri": [{"name": "containerd", "containerRuntimes": [{"type": "gvisor"}]}],
                            "kubeletVersionConstraint": ">= 1.30",
                        }
                    ],
                }
            ],
            "machineTypes": [{"name": "local", "cpu": "2", "gpu": "0", "memory": "4Gi", "usable": True}],
            "volumeTypes": [{"name": "default", "class": "standard", "minSize": "20Gi"}],
            "regions": [{"name": "local", "zones": [{"name": "0", "unavailableMachineTypes": ["big"]}]}],
            "seedSelector": {"providerTypes": ["*"]},
            "limits": {"maxNodesTotal": 100},
        },
    }


def test_round_trips_a_full_profile() -> None:
    document = _profile()

    assert CloudProfile.model_validate(document).to_wire() == document


def test_expiration_dates_are_zone_aware_times() -> None:
    profile = CloudProfile.model_validate(_profile())

    assert profile.spec.kubernetes.versions is not None
    assert profile.spec.kubernetes.versions[1].expiration_date == datetime(2025, 11, 30, 1, 2, 3, tzinfo=UTC)


def test_volume_type_class_is_readable_in_python() -> None:
    profile = CloudProfile.model_validate(_profile())

    assert profile.spec.volume_types is not None
    assert profile.spec.volume_types[0].class_ == "standard"


def test_rejects_a_machine_type_with_malformed_memory() -> None:
    document = _profile()
    document["spec"]["machineTypes"][0]["memory"] = "4 GB"

    with pytest.raises(ValidationError) as caught:
        CloudProfile.model_validate(document)

    assert caught.value.errors()[0]["loc"] == ("spec", "machineTypes", 0, "memory")
