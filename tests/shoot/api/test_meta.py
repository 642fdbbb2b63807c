"""Tests for shoot.api.meta: the model base, wire scalar types and shared pieces."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shoot.api.meta import (
    ApiModel,
    Condition,
    Extension,
    IntOrString,
    LastError,
    ObjectMeta,
    Quantity,
    SeedSelector,
)


class _Holder(ApiModel):
    quantity: Quantity | None = None
    int_or_string: IntOrString | None = None


def test_object_meta_speaks_camel_case_with_rfc3339_times() -> None:
    meta = ObjectMeta(
        name="crazy-botany",
        resource_version="42",
        creation_timestamp=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        owner_references=None,
    )

    assert meta.to_wire() == {
        "name": "crazy-botany",
        "resourceVersion": "42",
        "creationTimestamp": "2024-05-01T12:00:00Z",
    }


def test_object_meta_reads_the_wire_form() -> None:
    meta = ObjectMeta.model_validate(
        {"generateName": "s-", "deletionTimestamp": "2024-05-01T12:00:00+02:00", "generation": 3}
    )

    assert meta.generate_name == "s-"
    assert meta.deletion_timestamp == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert meta.generation == 3


def test_rejects_unknown_metadata_field() -> None:
    with pytest.raises(ValidationError) as caught:
        ObjectMeta.model_validate({"name": "x", "clusterName": "old"})

    assert caught.value.errors()[0]["type"] == "extra_forbidden"
    assert caught.value.errors()[0]["loc"] == ("clusterName",)


def test_rejects_timestamps_without_zone() -> None:
    with pytest.raises(ValidationError):
        ObjectMeta.model_validate({"creationTimestamp": "2024-05-01T12:00:00"})


@pytest.mark.parametrize("value", ["8Gi", "100m", "1e3", 2, "-1"])
def test_quantity_keeps_valid_values_as_given(value: str | int) -> None:
    assert _Holder(quantity=value).quantity == value


@pytest.mark.parametrize("value", ["eight", "8 Gi", True, [1], float("nan")])
def test_quantity_rejects_malformed_values(value: object) -> None:
    with pytest.raises(ValidationError):
        _Holder.model_validate({"quantity": value})


def test_quantity_keeps_bare_json_decimals_as_quantity_text() -> None:
    assert _Holder.model_validate({"quantity": 0.5}).quantity == "0.5"


def test_int_or_string_accepts_both_and_rejects_booleans() -> None:
    assert _Holder(int_or_string=1).int_or_string == 1
    assert _Holder(int_or_string="25%").int_or_string == "25%"
    with pytest.raises(ValidationError):
        _Holder.model_validate({"intOrString": True})


def test_raw_extension_keeps_everything_inside_including_nulls() -> None:
    config = {"apiVersion": "x/v1", "kind": "Conf", "nested": {"list": [1, None], "unset": None}}

    extension = Extension.model_validate({"type": "foobar", "providerConfig": config})

    assert extension.to_wire() == {"type": "foobar", "providerConfig": config}


def test_raw_extension_schema_is_free_form() -> None:
    schema = Extension.model_json_schema(by_alias=True)["properties"]["providerConfig"]

    [object_schema] = [option for option in schema["anyOf"] if option.get("type") == "object"]
    assert "properties" not in object_schema
    assert object_schema["x-kubernetes-preserve-unknown-fields"] is True


def test_last_error_uses_gardener_task_id_name() -> None:
    error = LastError.model_validate({"description": "boom", "taskID": "deploy-etcd", "codes": ["ERR_X"]})

    assert error.task_id == "deploy-etcd"
    assert error.to_wire() == {"description": "boom", "taskID": "deploy-etcd", "codes": ["ERR_X"]}


def test_condition_keeps_codes_and_times() -> None:
    wire = {
        "type": "APIServerAvailable",
        "status": "Progressing",
        "lastTransitionTime": "2024-05-01T12:00:00Z",
        "lastUpdateTime": "2024-05-01T12:01:00Z",
        "reason": "HealthCheckError",
        "message": "not yet",
        "codes": ["ERR_INFRA_UNAUTHORIZED"],
    }

    condition = Condition.model_validate(wire)

    assert condition.last_update_time == datetime(2024, 5, 1, 12, 1, tzinfo=UTC)
    assert condition.to_wire() == wire


def test_seed_selector_is_a_label_selector_with_provider_types() -> None:
    selector = SeedSelector.model_validate(
        {
            "matchLabels": {"env": "prod"},
            "matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}],
            "providerTypes": ["*"],
        }
    )

    assert selector.provider_types == ["*"]
    assert selector.match_expressions is not None
    assert selector.match_expressions[0].operator == "In"
