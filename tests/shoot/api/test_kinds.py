"""Tests for shoot.api (package level): KindInfo constants, ALL_KINDS, printer columns, field selectors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shoot.api import ALL_KINDS, SEED, SHOOT, ApiModel, KindInfo, Shoot, model_for

_TOKEN = re.compile(r"\.([A-Za-z0-9]+)|\['([^']+)'\]|\[\?\(@\.[A-Za-z]+==\"[^\"]+\"\)\]")


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in node:
        options = [option for option in node["anyOf"] if option.get("type") != "null"]
        node = options[0] if len(options) == 1 else node
    if "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _walk(model: type[ApiModel], path: str) -> dict[str, Any]:
    """Follow a printer-column JSONPath through the model's schema; KeyError if a step does not exist."""
    root = model.model_json_schema(by_alias=True)
    node = root
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        assert match is not None, f"unparsable path {path!r} at {position}"
        node = _resolve(root, node)
        if match[1]:
            node = node["properties"][match[1]]
        elif match[2]:
            node = node["additionalProperties"]
        else:
            node = node["items"]
        position = match.end()
    return _resolve(root, node)


def _cases() -> list[tuple[KindInfo, type[ApiModel], str]]:
    cases = []
    for info, model in ALL_KINDS:
        cases += [(info, model, column.path) for column in info.printer_columns]
        cases += [(info, model, "." + path) for path in info.field_selectors.values()]
    return cases


def test_every_model_declares_the_kind_and_api_version_it_serves() -> None:
    for info, model in ALL_KINDS:
        assert model.model_fields["kind"].default == info.kind
        assert model.model_fields["api_version"].default == info.api_version


def test_kinds_are_unique() -> None:
    assert len({(info.group, info.plural) for info, _ in ALL_KINDS}) == len(ALL_KINDS)
    assert len({(info.group, info.kind) for info, _ in ALL_KINDS}) == len(ALL_KINDS)


def test_all_kinds_can_be_used_as_a_mapping() -> None:
    assert dict(ALL_KINDS)[SHOOT] is Shoot


def test_model_for_matches_api_version_and_kind() -> None:
    assert model_for("core.gardener.cloud/v1beta1", "Shoot") is Shoot
    assert model_for("core.gardener.cloud/v1", "Shoot") is None
    assert model_for("v1", "ConfigMap") is None


def test_scopes_match_gardener() -> None:
    namespaced = {info.kind for info, _ in ALL_KINDS if info.namespaced}

    assert namespaced == {"Shoot", "Quota", "SecretBinding", "CredentialsBinding", "WorkloadIdentity", "Secret"}


def test_shoot_columns_read_like_gardeners_kubectl_get() -> None:
    names = [column.name.upper() for column in SHOOT.printer_columns if column.priority == 0]

    assert names == [
        "CLOUDPROFILE",
        "PROVIDER",
        "REGION",
        "K8S VERSION",
        "HIBERNATION",
        "LAST OPERATION",
        "STATUS",
        "AGE",
    ]


def test_seed_columns_read_like_gardeners_kubectl_get() -> None:
    names = [column.name.upper() for column in SEED.printer_columns if column.priority == 0]

    assert names == ["STATUS", "PROVIDER", "REGION", "AGE", "VERSION", "K8S VERSION"]


def test_shoot_subresources_include_status_and_binding() -> None:
    assert {"status", "binding"} <= set(SHOOT.subresources)
    assert SHOOT.api_version == "core.gardener.cloud/v1beta1"


@pytest.mark.parametrize(
    ("info", "model", "path"), _cases(), ids=[f"{info.plural}:{path}" for info, _, path in _cases()]
)
def test_column_and_selector_paths_exist_in_the_schema(info: KindInfo, model: type[ApiModel], path: str) -> None:
    _walk(model, path)
