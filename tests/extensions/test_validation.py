"""A providerConfig against its plugin's schema: field errors at the paths they concern, in Kubernetes' words."""

from __future__ import annotations

from typing import Any

from extensions import validation
from extensions.contract import Kind, Registration
from extensions.sdk import BaseActuator
from shoot import fielderrors

SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["apiVersion", "networks"], "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "x.provider/v1"},
        "networks": {"type": "object", "properties": {
            "vpc": {"type": "object", "properties": {"cidr": {"type": "string", "pattern": "^[0-9./]+$"}},
                    "oneOf": [{"required": ["cidr"]}, {"required": ["id"]}],
                    "errorMessage": "must specify either a vpc id or a cidr"},
            "zones": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["name"],
                                                                 "properties": {"name": {"enum": ["a", "b"]}}}}}},
    },
}


def _registration(**fields: Any) -> Registration:
    return Registration(kind=Kind.INFRASTRUCTURE, type="x", actuator=BaseActuator(), provider_config_schema=SCHEMA,
                        **fields)


def test_errors_name_the_field_in_the_shoot() -> None:
    config = {"apiVersion": "x.provider/v2", "networks": {"vpc": {"cidr": "ten"}, "zones": [{"name": "c"}, {}]},
              "colour": "red"}
    found = {e.field: e for e in validation.provider_config_errors(
        _registration(), config, path="spec.provider.infrastructureConfig")}
    root = "spec.provider.infrastructureConfig"
    assert set(found) == {f"{root}.apiVersion", f"{root}.colour", f"{root}.networks.vpc.cidr",
                          f"{root}.networks.zones[0].name", f"{root}.networks.zones[1].name"}
    assert found[f"{root}.apiVersion"].message == 'Unsupported value: "x.provider/v2": supported values: ' \
                                                  '"x.provider/v1"'
    assert found[f"{root}.colour"].reason == fielderrors.FORBIDDEN
    assert found[f"{root}.networks.zones[1].name"].reason == fielderrors.REQUIRED
    assert "must match the regular expression" in found[f"{root}.networks.vpc.cidr"].message


def test_a_schema_message_replaces_the_generic_one() -> None:
    config = {"apiVersion": "x.provider/v1", "networks": {"vpc": {}}}
    (error,) = validation.provider_config_errors(_registration(), config, path="p")
    assert (error.field, error.message) == ("p.networks.vpc", "Invalid value: {}: must specify either a vpc id or a "
                                                              "cidr")


def test_absent_configs_are_fine_unless_required_and_a_type_without_schema_takes_none() -> None:
    assert validation.provider_config_errors(_registration(), None, path="p") == []
    (required,) = validation.provider_config_errors(_registration(provider_config_required=True), None, path="p")
    assert (required.field, required.reason) == ("p", fielderrors.REQUIRED)
    none = Registration(kind=Kind.INFRASTRUCTURE, type="y", actuator=BaseActuator())
    (forbidden,) = validation.provider_config_errors(none, {"a": 1}, path="p")
    assert forbidden.message == "Forbidden: Infrastructure/y takes no providerConfig"


def test_the_plugins_own_checks_run_after_the_schema_with_paths_below_the_config() -> None:
    def check(config: dict[str, Any], shoot: dict[str, Any]) -> list[fielderrors.FieldError]:
        return [fielderrors.invalid("networks.zones[0].name", "a", f"not a zone of {shoot['spec']['region']}")]

    found = validation.provider_config_errors(
        _registration(validator=check), {"apiVersion": "x.provider/v1", "networks": {"zones": [{"name": "a"}]}},
        path="spec.provider.infrastructureConfig", shoot={"spec": {"region": "eu"}})
    assert [str(e) for e in found] == ['spec.provider.infrastructureConfig.networks.zones[0].name: Invalid value: '
                                       '"a": not a zone of eu']
