"""Tests for shoot.api.seed: the Seed model."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shoot.api.seed import RESOURCE_SHOOTS, Seed
from shoot.quantity import parse_quantity


def _seed() -> dict[str, Any]:
    return {
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "Seed",
        "metadata": {"name": "local"},
        "spec": {
            "provider": {"type": "local", "region": "local", "zones": ["0"]},
            "networks": {"pods": "10.1.0.0/16", "services": "10.2.0.0/16", "shootDefaults": {"pods": "100.96.0.0/11"}},
        },
    }


def test_capacity_and_allocatable_keep_quantities_as_written() -> None:
    document = _seed()
    document["status"] = {"capacity": {RESOURCE_SHOOTS: "250"}, "allocatable": {RESOURCE_SHOOTS: 200}}

    seed = Seed.model_validate(document)

    assert seed.status is not None
    assert seed.status.allocatable is not None
    assert parse_quantity(seed.status.allocatable[RESOURCE_SHOOTS]) == 200
    assert seed.to_wire() == document


def test_settings_use_gardener_names_including_class() -> None:
    document = _seed()
    document["spec"]["settings"] = {
        "scheduling": {"visible": False},
        "loadBalancerServices": {"class": "internal", "proxyProtocol": {"allowed": True}},
        "excessCapacityReservation": {"configs": [{"resources": {"cpu": "4", "memory": "16Gi"}}]},
    }
    document["spec"]["networks"]["blockCIDRs"] = ["169.254.169.254/32"]

    seed = Seed.model_validate(document)

    assert seed.spec.settings is not None
    assert seed.spec.settings.load_balancer_services is not None
    assert seed.spec.settings.load_balancer_services.class_ == "internal"
    assert seed.to_wire() == document


def test_requires_pod_and_service_networks() -> None:
    document = _seed()
    del document["spec"]["networks"]["services"]

    with pytest.raises(ValidationError) as caught:
        Seed.model_validate(document)

    assert [error["loc"] for error in caught.value.errors()] == [("spec", "networks", "services")]
