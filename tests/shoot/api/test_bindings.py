"""Tests for shoot.api.bindings: SecretBinding, CredentialsBinding, WorkloadIdentity."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shoot.api.bindings import CredentialsBinding, SecretBinding, WorkloadIdentity


def test_secret_binding_fields_sit_at_the_top_level() -> None:
    binding = SecretBinding.model_validate(
        {"metadata": {"name": "b"}, "provider": {"type": "aws"}, "secretRef": {"name": "s"}, "quotas": []}
    )

    assert binding.secret_ref.name == "s"
    with pytest.raises(ValidationError):
        SecretBinding.model_validate({"metadata": {"name": "b"}, "spec": {"secretRef": {"name": "s"}}})


def test_credentials_binding_is_in_the_security_group() -> None:
    binding = CredentialsBinding.model_validate(
        {
            "apiVersion": "security.gardener.cloud/v1alpha1",
            "kind": "CredentialsBinding",
            "metadata": {"name": "b", "namespace": "garden-dev"},
            "provider": {"type": "local"},
            "credentialsRef": {"apiVersion": "v1", "kind": "Secret", "name": "local"},
        }
    )

    assert binding.credentials_ref.kind == "Secret"
    with pytest.raises(ValidationError):
        CredentialsBinding.model_validate(binding.to_wire() | {"apiVersion": "core.gardener.cloud/v1beta1"})


def test_workload_identity_keeps_target_system_config() -> None:
    document = {
        "apiVersion": "security.gardener.cloud/v1alpha1",
        "kind": "WorkloadIdentity",
        "metadata": {"name": "w", "namespace": "garden-dev"},
        "spec": {"audiences": ["sts.example"], "targetSystem": {"type": "aws", "providerConfig": {"roleARN": "x"}}},
        "status": {"sub": "gardener.cloud:workloadidentity:garden-dev:w:uid"},
    }

    assert WorkloadIdentity.model_validate(document).to_wire() == document
