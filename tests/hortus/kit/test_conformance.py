"""The conformance kit: every built-in plugin passes it, and plugins that break the contract in the ways a third party
might are caught, each failure naming the step and what is wrong."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from extensions.contract import Context, ExtensionObject, Kind, Outcome, Plugin, Registration
from extensions.registry import GROUP, Registry
from extensions.sdk import BaseActuator
from hortus.kit import conformance, scenarios
from shoot import errors
from shoot.errors import ErrorCode

BUILT_INS = ["local", "calico", "cilium", "ubuntu", "flatcar"]


@pytest.mark.parametrize("name", BUILT_INS)
def test_every_built_in_passes_the_kit(name: str, tmp_path: Path) -> None:
    report = conformance.run(name, directory=tmp_path, timeout=120)
    assert report.passed, report.text()
    steps = {c.step for c in report.checks}
    assert steps == {"create", "reconcile again changes nothing", "invalid providerConfig is a configuration problem",
                     "migrate", "restore", "delete cleans up"}
    plugin = Registry.load().plugin(name)
    assert {c.resource for c in report.checks} == {r.id for r in plugin.resources if r.primary}


def test_the_built_ins_are_the_installed_entry_points() -> None:
    ours = {ep.name for ep in importlib.metadata.entry_points(group=GROUP) if ep.dist and ep.dist.name == "hortus"}
    assert set(BUILT_INS) <= ours


def _config_map(ctx: Context, name: str, **data: str) -> None:
    ctx.seed.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ctx.namespace},
                    "data": data})


class Restless(BaseActuator):
    """Writes a new value on every reconcile."""

    calls = 0

    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        Restless.calls += 1
        _config_map(ctx, "restless", call=str(Restless.calls))
        return Outcome()

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        ctx.seed.delete("v1", "ConfigMap", "restless", namespace=ctx.namespace)


class Leaky(BaseActuator):
    """Forgets what it made when deleting."""

    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        _config_map(ctx, "leaky", a="1")
        return Outcome()

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        pass


class Crashing(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        raise KeyError("region")

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        pass


def _registry(*plugins: Plugin) -> Registry:
    registry = Registry()
    for plugin in plugins:
        registry.register(plugin)
    return registry


def _plugin(name: str, actuator: BaseActuator, schema: dict[str, object] | None = None) -> Plugin:
    return Plugin(name=name, version="1.0", resources=(
        Registration(kind=Kind.EXTENSION, type=name, actuator=actuator, provider_config_schema=schema),))


def _failed(report: conformance.Report) -> dict[str, str]:
    return {c.step: c.detail for c in report.checks if not c.ok}


def test_a_reconcile_that_changes_something_each_time_fails(tmp_path: Path) -> None:
    report = conformance.run("restless", registry=_registry(_plugin("restless", Restless())), directory=tmp_path)
    assert not report.passed
    failed = _failed(report)
    assert failed["reconcile again changes nothing"] == (
        "the second reconcile changed something: changed v1/ConfigMap shoot--kit--0-restless/restless "
        "(in the seed API)")


def test_a_delete_that_leaves_objects_behind_fails(tmp_path: Path) -> None:
    report = conformance.run("leaky", registry=_registry(_plugin("leaky", Leaky())), directory=tmp_path, timeout=3)
    assert set(_failed(report)) == {"delete cleans up"}
    assert "ConfigMap leaky is still there after delete" in _failed(report)["delete cleans up"]


def test_a_schema_that_accepts_anything_fails_the_configuration_check(tmp_path: Path) -> None:
    report = conformance.run("lax", registry=_registry(_plugin("lax", Leaky(), schema={})), directory=tmp_path,
                             timeout=3)
    assert _failed(report)["invalid providerConfig is a configuration problem"] == (
        "a providerConfig that is not even an object was accepted")


def test_a_crash_fails_create_with_the_actuators_message(tmp_path: Path) -> None:
    report = conformance.run("crashing", registry=_registry(_plugin("crashing", Crashing())), directory=tmp_path)
    assert [(c.step, c.ok) for c in report.checks] == [("create", False)]
    assert report.checks[0].detail == "'region'"
    assert "FAIL Extension/crashing create" in report.text()


def test_unknown_and_broken_plugins_are_reported(tmp_path: Path) -> None:
    assert conformance.run("nothing-here", directory=tmp_path).problems == [
        "no extension plugin named 'nothing-here' is installed"]
    broken = Registry.load([importlib.metadata.EntryPoint(name="broken", value="no.such.module:plugin", group=GROUP)])
    report = conformance.run("broken", registry=broken, directory=tmp_path)
    assert not report.passed
    (problem,) = report.problems
    assert problem.startswith("broken (no.such.module:plugin) is not served: cannot be imported: ModuleNotFoundError")
    misnamed = Registry.load([importlib.metadata.EntryPoint(name="misnamed", value="tests.extensions.sample_plugins:"
                                                            "broken", group=GROUP)])
    (problem,) = conformance.run("misnamed", registry=misnamed, directory=tmp_path).problems
    assert problem.startswith("Broken_Name is not served: name 'Broken_Name' is not a DNS label")


class Vpc(BaseActuator):
    """An Infrastructure whose providerStatus the Worker needs."""

    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        if obj.spec["region"] != "eu-kit-1":
            raise errors.PermanentError(f"region {obj.spec['region']!r} is not one of ours",
                                        codes=[ErrorCode.CONFIGURATION_PROBLEM])
        return Outcome(provider_status={"vpc": {"id": "vpc-kit"}})

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        pass


class Machines(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        vpc = (obj.spec.get("infrastructureProviderStatus") or {}).get("vpc", {}).get("id")
        pool = obj.spec["pools"][0]
        if vpc != "vpc-kit" or pool["zones"] != ["eu-kit-1a"] or pool["machineType"] != "m.kit":
            raise errors.PermanentError(f"not on the infrastructure: vpc {vpc}, pool {pool}")
        _config_map(ctx, "machines", vpc=vpc)
        return Outcome()

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        ctx.seed.delete("v1", "ConfigMap", "machines", namespace=ctx.namespace)


def test_a_cloud_provider_runs_in_its_region_with_its_infrastructure_below(tmp_path: Path) -> None:
    plugin = Plugin(name="provider-kit", version="1.0", resources=(
        Registration(kind=Kind.INFRASTRUCTURE, type="kit", actuator=Vpc()),
        Registration(kind=Kind.WORKER, type="kit", actuator=Machines())))
    settings = scenarios.Settings(region="eu-kit-1", zones=("eu-kit-1a",), machine_type="m.kit")
    report = conformance.run("provider-kit", registry=_registry(plugin), directory=tmp_path, settings=settings)
    assert report.passed, report.text()
    assert {c.resource for c in report.checks} == {"Infrastructure/kit", "Worker/kit"}
