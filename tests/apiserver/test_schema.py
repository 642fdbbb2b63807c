from __future__ import annotations

import json
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

from apiserver import errors, schema


class Container(BaseModel):
    name: str
    image: str | None = None


class Worker(BaseModel):
    name: str
    minimum: int = 1
    maximum: int = 1

    @field_validator("maximum")
    @classmethod
    def _not_huge(cls, value: int) -> int:
        if value > 100:
            raise ValueError("must be at most 100")
        return value


class Provider(BaseModel):
    type: str
    workers: list[Worker] = []


class WidgetSpec(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    region: str
    containers: list[Container] = []
    provider: Provider | None = None
    labels: dict[str, str] = {}
    by_name: dict[str, Container] = Field(default_factory=dict, alias="byName")
    config: dict[str, Any] | None = None


class Widget(schema.KubeObject):
    spec: WidgetSpec


class Node(BaseModel):
    value: int
    children: list[Node] = []


WIDGET_SCHEMA = schema.model_schema(Widget)


def widget(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "test.hortus.dev/v1alpha1",
        "kind": "Widget",
        "metadata": {"name": "w1", "namespace": "default", "labels": {"a": "b"}},
        "spec": {"region": "eu", **spec},
    }


def test_model_schema_inlines_every_ref() -> None:
    text = json.dumps(WIDGET_SCHEMA)
    assert "$ref" not in text
    assert "$defs" not in text
    spec = WIDGET_SCHEMA["properties"]["spec"]
    assert spec["properties"]["containers"]["items"]["properties"]["name"] == {"type": "string"}


def test_model_schema_uses_aliases_and_camel_case_metadata() -> None:
    assert "byName" in WIDGET_SCHEMA["properties"]["spec"]["properties"]
    meta = WIDGET_SCHEMA["properties"]["metadata"]["properties"]
    assert {"generateName", "resourceVersion", "ownerReferences", "creationTimestamp"} <= set(meta)


def test_model_schema_turns_optional_into_nullable() -> None:
    provider = WIDGET_SCHEMA["properties"]["spec"]["properties"]["provider"]
    assert "anyOf" not in provider
    assert provider["nullable"] is True
    assert provider["type"] == "object"
    assert "workers" in provider["properties"]


def test_model_schema_leaves_free_form_object_at_recursion() -> None:
    node = schema.model_schema(Node)
    child = node["properties"]["children"]["items"]
    assert child == {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    assert node["properties"]["value"]["type"] == "integer"


def test_prune_keeps_a_valid_object_unchanged() -> None:
    obj = widget(
        containers=[{"name": "c", "image": "i"}], provider={"type": "aws", "workers": [{"name": "w"}]}
    )
    pruned, unknown = schema.prune(obj, WIDGET_SCHEMA)
    assert pruned == obj
    assert unknown == []


def test_prune_drops_unknown_spec_field() -> None:
    pruned, unknown = schema.prune(widget(bogus=1), WIDGET_SCHEMA)
    assert unknown == ["spec.bogus"]
    assert pruned["spec"] == {"region": "eu"}


def test_prune_drops_unknown_top_level_field() -> None:
    obj = {**widget(), "extra": {"x": 1}}
    pruned, unknown = schema.prune(obj, WIDGET_SCHEMA)
    assert unknown == ["extra"]
    assert "extra" not in pruned


def test_prune_reports_unknown_field_in_array_items_with_index() -> None:
    obj = widget(containers=[{"name": "a"}, {"name": "b", "foo": True}])
    pruned, unknown = schema.prune(obj, WIDGET_SCHEMA)
    assert unknown == ["spec.containers[1].foo"]
    assert pruned["spec"]["containers"] == [{"name": "a"}, {"name": "b"}]


def test_prune_looks_into_optional_submodels() -> None:
    obj = widget(provider={"type": "aws", "zone": "z", "workers": [{"name": "w", "max": 3}]})
    pruned, unknown = schema.prune(obj, WIDGET_SCHEMA)
    assert unknown == ["spec.provider.zone", "spec.provider.workers[0].max"]
    assert pruned["spec"]["provider"] == {"type": "aws", "workers": [{"name": "w"}]}


def test_prune_checks_metadata_against_object_meta() -> None:
    obj = widget()
    obj["metadata"]["labelz"] = {"x": "y"}
    obj["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "K", "name": "n", "uid": "u", "bad": 1}
    ]
    pruned, unknown = schema.prune(obj, WIDGET_SCHEMA)
    assert unknown == ["metadata.labelz", "metadata.ownerReferences[0].bad"]
    assert pruned["metadata"]["labels"] == {"a": "b"}
    assert pruned["apiVersion"] == "test.hortus.dev/v1alpha1"
    assert pruned["kind"] == "Widget"


def test_prune_checks_metadata_even_when_the_schema_does_not_declare_it() -> None:
    obj = {"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "t", "nam": "x"}, "data": {}}
    _, unknown = schema.prune(obj, {"type": "object", "properties": {"data": {"type": "object"}}})
    assert unknown == ["metadata.nam"]


def test_prune_keeps_any_key_of_free_form_maps() -> None:
    obj = widget(labels={"anything": "goes"}, config={"deep": {"nested": [1, {"x": 2}]}})
    obj["metadata"]["managedFields"] = [{"manager": "kubectl", "fieldsV1": {"f:spec": {}}}]
    pruned, unknown = schema.prune(obj, WIDGET_SCHEMA)
    assert unknown == []
    assert pruned == obj


def test_prune_checks_values_of_additional_properties_schema() -> None:
    obj = widget(byName={"x": {"name": "x", "colour": "red"}})
    pruned, unknown = schema.prune(obj, WIDGET_SCHEMA)
    assert unknown == ["spec.byName.x.colour"]
    assert pruned["spec"]["byName"] == {"x": {"name": "x"}}


def test_prune_keeps_unknown_fields_where_preserved() -> None:
    open_schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}},
            }
        },
    }
    obj = {"spec": {"free": 1, "known": {"a": "x", "b": "y"}}}
    pruned, unknown = schema.prune(obj, open_schema)
    assert unknown == ["spec.known.b"]
    assert pruned == {"spec": {"free": 1, "known": {"a": "x"}}}


def test_prune_treats_a_field_as_known_if_any_branch_knows_it() -> None:
    either = {
        "type": "object",
        "properties": {
            "spec": {
                "anyOf": [
                    {"type": "object", "properties": {"a": {"type": "string"}}},
                    {"type": "object", "properties": {"b": {"type": "string"}}},
                    {"type": "null"},
                ]
            }
        },
    }
    _, unknown = schema.prune({"spec": {"a": "1", "b": "2", "c": "3"}}, either)
    assert unknown == ["spec.c"]


def test_prune_looks_into_optional_in_pydantic_any_of_form() -> None:
    container = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    optional = {"anyOf": [container, {"type": "null"}], "default": None, "title": "Inner"}
    spec = {"type": "object", "properties": {"inner": optional}}
    pruned, unknown = schema.prune({"spec": {"inner": {"name": "n", "z": 1}}}, {"properties": {"spec": spec}})
    assert unknown == ["spec.inner.z"]
    assert pruned == {"spec": {"inner": {"name": "n"}}}


def test_prune_without_schema_keeps_everything() -> None:
    obj = {**widget(bogus=1), "extra": True}
    obj["metadata"]["labelz"] = {}
    pruned, unknown = schema.prune(obj, None)
    assert pruned == obj
    assert unknown == []


def test_prune_does_not_modify_its_input() -> None:
    obj = widget(bogus=1, containers=[{"name": "a", "foo": 1}])
    before = json.dumps(obj, sort_keys=True)
    pruned, _ = schema.prune(obj, WIDGET_SCHEMA)
    pruned["spec"]["containers"][0]["name"] = "changed"
    assert json.dumps(obj, sort_keys=True) == before


def test_object_meta_model_reads_camel_case_and_field_names() -> None:
    by_alias = schema.ObjectMeta.model_validate({"name": "n", "generateName": "g-", "resourceVersion": "5"})
    by_name = schema.ObjectMeta(name="n", generate_name="g-", resource_version="5")
    assert by_alias == by_name
    assert by_alias.model_dump(by_alias=True, exclude_none=True) == {
        "name": "n",
        "generateName": "g-",
        "resourceVersion": "5",
    }


def test_object_meta_schema_describes_owner_references() -> None:
    owner = schema.OBJECT_META_SCHEMA["properties"]["ownerReferences"]["items"]["properties"]
    assert set(owner) == {"apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"}


def _invalid(obj: dict[str, Any]) -> errors.ApiError:
    with pytest.raises(errors.ApiError) as info:
        schema.validate_with_model(obj, Widget, "Widget", "w1")
    assert info.value.code == 422
    assert info.value.details is not None
    return info.value


def test_validate_with_model_accepts_a_valid_object() -> None:
    schema.validate_with_model(widget(provider={"type": "aws"}), Widget, "Widget", "w1")


def test_validate_with_model_builds_dotted_paths_with_indices() -> None:
    obj = widget(provider={"type": "aws", "workers": [{"name": "a", "maximum": "abc"}]})
    error = _invalid(obj)
    assert error.details == {
        "name": "w1",
        "kind": "Widget",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": 'Invalid value: "abc": must be an integer',
                "field": "spec.provider.workers[0].maximum",
            }
        ],
    }
    assert (
        error.message == 'Widget "w1" is invalid: spec.provider.workers[0].maximum: Invalid value: "abc": '
        "must be an integer"
    )


def test_validate_with_model_reports_required_value() -> None:
    obj = widget(containers=[{"image": "i"}])
    del obj["spec"]["region"]
    causes = _invalid(obj).details["causes"]  # type: ignore[index]
    assert {(c["field"], c["message"], c["reason"]) for c in causes} == {
        ("spec.region", "Required value", "FieldValueRequired"),
        ("spec.containers[0].name", "Required value", "FieldValueRequired"),
    }


def test_validate_with_model_keeps_validator_message_without_prefix() -> None:
    obj = widget(provider={"type": "aws", "workers": [{"name": "a", "maximum": 500}]})
    cause = _invalid(obj).details["causes"][0]  # type: ignore[index]
    assert cause["field"] == "spec.provider.workers[0].maximum"
    assert cause["message"] == "Invalid value: 500: must be at most 100"


def test_field_path_drops_union_tags() -> None:
    obj = {"spec": {"value": "x"}}
    assert schema.field_path(obj, ("spec", "value", "int")) == "spec.value"
    assert schema.field_path(obj, ("spec", "function-after[check()]", "value")) == "spec.value"


def test_model_schema_of_tagged_union_leaves_no_dangling_refs() -> None:
    class Aws(BaseModel):
        type: Literal["aws"]
        region: str

    class Local(BaseModel):
        type: Literal["local"]

    class Infra(BaseModel):
        provider: Aws | Local = Field(discriminator="type")
        pair: tuple[Container, int] | None = None

    text = json.dumps(schema.model_schema(Infra))
    assert "$defs" not in text
    assert "$ref" not in text
    _, unknown = schema.prune(
        {"provider": {"type": "aws", "region": "r", "zone": "z"}}, schema.model_schema(Infra)
    )
    assert unknown == ["provider.zone"]
