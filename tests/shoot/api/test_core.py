"""Tests for shoot.api.core: core v1 Namespace and Secret."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shoot.api.core import Namespace, Secret


def test_secret_decodes_base64_data() -> None:
    secret = Secret.model_validate({"metadata": {"name": "s"}, "type": "Opaque", "data": {"key": "ZGF0YQo="}})

    assert secret.decoded() == {"key": b"data\n"}


def test_secret_rejects_data_that_is_not_base64() -> None:
    with pytest.raises(ValidationError, match="illegal base64 data"):
        Secret.model_validate({"metadata": {"name": "s"}, "data": {"key": "not base64!"}})


def test_secret_keeps_string_data_under_its_wire_name() -> None:
    secret = Secret.model_validate({"metadata": {"name": "s"}, "stringData": {"kubeconfig": "apiVersion: v1"}})

    assert secret.to_wire()["stringData"] == {"kubeconfig": "apiVersion: v1"}


def test_namespace_needs_no_spec_and_keeps_its_phase() -> None:
    namespace = Namespace.model_validate({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "garden-dev"}})
    terminating = Namespace.model_validate({"metadata": {"name": "n"}, "status": {"phase": "Terminating"}})

    assert namespace.to_wire() == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "garden-dev"}}
    assert terminating.status is not None
    assert terminating.status.phase == "Terminating"
