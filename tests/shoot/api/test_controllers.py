"""Tests for shoot.api.controllers: ControllerRegistration, ControllerDeployment, ControllerInstallation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shoot.api.controllers import ControllerDeployment, ControllerInstallation, ControllerRegistration


def test_registration_lists_kind_type_pairs_with_extension_options() -> None:
    registration = ControllerRegistration.model_validate(
        {
            "metadata": {"name": "provider-local"},
            "spec": {
                "resources": [
                    {"kind": "Infrastructure", "type": "local"},
                    {
                        "kind": "Extension",
                        "type": "local-ext-seed",
                        "lifecycle": {"reconcile": "BeforeKubeAPIServer"},
                        "autoEnable": ["shoot"],
                        "workerlessSupported": True,
                    },
                ],
                "deployment": {"policy": "Always", "deploymentRefs": [{"name": "provider-local"}]},
            },
        }
    )

    assert registration.spec.resources is not None
    assert [(r.kind, r.type) for r in registration.spec.resources] == [
        ("Infrastructure", "local"),
        ("Extension", "local-ext-seed"),
    ]


def test_deployment_keeps_arbitrary_helm_values() -> None:
    values = {"image": {"tag": "v1"}, "replicas": 2, "list": [1, None]}

    deployment = ControllerDeployment.model_validate(
        {"metadata": {"name": "d"}, "helm": {"ociRepository": {"ref": "r:1"}, "values": values}}
    )

    assert deployment.helm is not None
    assert deployment.to_wire()["helm"]["values"] == values


def test_deployment_is_served_as_core_v1() -> None:
    with pytest.raises(ValidationError):
        ControllerDeployment.model_validate({"apiVersion": "core.gardener.cloud/v1beta1", "metadata": {"name": "d"}})


def test_installation_requires_a_registration_reference() -> None:
    with pytest.raises(ValidationError) as caught:
        ControllerInstallation.model_validate({"metadata": {"name": "i"}, "spec": {"seedRef": {"name": "local"}}})

    assert caught.value.errors()[0]["loc"] == ("spec", "registrationRef")
