"""The registry: plugins found through entry points, served by (kind, type); contract breaches and duplicates are
refused naming the plugin and the problem, and a broken third-party plugin is left out while the rest is served."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint

import pytest

from extensions.contract import Kind
from extensions.registry import GROUP, ContractError, NotRegistered, Registry
from tests.extensions import sample_plugins


def _ep(name: str, target: str) -> EntryPoint:
    return EntryPoint(name=name, value=f"tests.extensions.sample_plugins:{target}", group=GROUP)


def test_registered_plugins_are_served_by_kind_and_type() -> None:
    registry = Registry()
    registry.register(sample_plugins.good)
    found = registry.get(kind=Kind.INFRASTRUCTURE, type="good")
    assert found.provider_config_schema == {"type": "object"}
    assert registry.get(kind="Worker", type="good").kind is Kind.WORKER
    assert registry.plugin_of(kind="Worker", type="good").name == "provider-good"
    assert registry.find(kind="Network", type="good") is None
    with pytest.raises(NotRegistered, match="no extension serves Network/good"):
        registry.get(kind="Network", type="good")
    assert registry.find(kind="NoSuchKind", type="good") is None


def test_a_duplicate_is_refused_naming_both_plugins() -> None:
    registry = Registry()
    registry.register(sample_plugins.good)
    impostor = sample_plugins.claims_local.__class__(name="provider-impostor", version="1",
                                                     resources=sample_plugins.good.resources[:1])
    with pytest.raises(ContractError) as raised:
        registry.register(impostor)
    assert raised.value.plugin == "provider-impostor"
    assert raised.value.problems == ["Infrastructure/good is served already by plugin 'provider-good'"]
    assert registry.plugins() == [sample_plugins.good]
    with pytest.raises(ContractError, match="a plugin of that name is registered already"):
        registry.register(sample_plugins.good)


def test_contract_breaches_are_listed_one_by_one() -> None:
    with pytest.raises(ContractError) as raised:
        Registry().register(sample_plugins.broken)
    message = str(raised.value)
    assert message.startswith("extension plugin 'Broken_Name': ")
    problems = raised.value.problems
    assert any("is not a DNS label" in p for p in problems)
    assert "it declares no version" in problems
    assert any("kind 'Infra' is not one of Infrastructure, ControlPlane" in p for p in problems)
    assert any("type 'UPPER' is not a lower-case name" in p for p in problems)
    assert any("lacks delete, migrate, restore, health" in p for p in problems)
    assert any("providerConfig schema is not a valid JSON Schema" in p for p in problems)


def test_load_keeps_the_good_plugins_and_reports_the_broken_ones(caplog: pytest.LogCaptureFixture) -> None:
    entry_points = [_ep("good", "good"), _ep("made", "factory"), _ep("number", "not_a_plugin"),
                    _ep("broken", "broken"), _ep("failing", "failing_factory"),
                    EntryPoint(name="missing", value="tests.extensions.no_such_module:plugin", group=GROUP)]
    with caplog.at_level(logging.ERROR):
        registry = Registry.load(entry_points)

    assert [p.name for p in registry.plugins()] == ["os-made", "provider-good"]
    reported = {p.plugin: p.message for p in registry.problems}
    assert "not an extensions.contract.Plugin" in reported["number (tests.extensions.sample_plugins:not_a_plugin)"]
    assert "it declares no version" in reported["Broken_Name"]
    assert "RuntimeError: no configuration found" in reported[
        "failing (tests.extensions.sample_plugins:failing_factory)"]
    assert "cannot be imported: ModuleNotFoundError" in reported["missing (tests.extensions.no_such_module:plugin)"]
    assert len(caplog.records) == 4
    assert all("is left out" in r.getMessage() for r in caplog.records)


def test_the_installed_built_ins_load_without_problems_and_a_third_party_duplicate_is_left_out() -> None:
    installed = Registry.load()
    assert installed.problems == []
    assert installed.get(kind=Kind.INFRASTRUCTURE, type="local") is not None

    import importlib.metadata

    with_impostor = [*importlib.metadata.entry_points(group=GROUP), _ep("impostor", "claims_local")]
    registry = Registry.load(with_impostor)
    assert registry.plugin_of(kind=Kind.INFRASTRUCTURE, type="local").name == "provider-local"
    assert [p.plugin for p in registry.problems] == ["provider-impostor"]
    assert "served already by plugin 'provider-local'" in registry.problems[0].message
