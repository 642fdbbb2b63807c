"""Gardener's extension resources (``tests/data/gardener-examples/01-…`` to ``04-…``): each providerConfig validates
against the matching built-in plugin's schema, both as the extension object the seed writes and where a Shoot gives
it; a type hortus has no plugin for is refused at the Shoot's field naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from extensions import validation
from extensions.contract import API_VERSION, Kind
from extensions.registry import Registry
from garden.admission import providerconfigs

JSON = dict[str, Any]
EXAMPLES = Path(__file__).parents[2] / "data" / "gardener-examples"
FILES = sorted(p.name for p in EXAMPLES.glob("0[1-4]-*.yaml"))


def _extension_objects() -> list[tuple[str, JSON]]:
    found = []
    for name in FILES:
        for doc in yaml.safe_load_all((EXAMPLES / name).read_text()):
            if doc and doc.get("apiVersion") == API_VERSION and doc.get("kind") in {k.value for k in Kind}:
                found.append((f"{name}:{doc['kind']}/{doc['spec']['type']}", doc))
    return found


OBJECTS = _extension_objects()


def _shoot_for(obj: JSON) -> tuple[JSON, str, str]:
    """A Shoot using the object's type and providerConfig where Gardener's Shoot gives them; the type's and the
    config's field paths."""
    kind, spec = obj["kind"], obj["spec"]
    config = spec.get("providerConfig")
    pool: JSON = {"name": "w", "machine": {"type": "m", "image": {"name": "local"}}}
    shoot: JSON = {"spec": {"provider": {"type": "local", "workers": [pool]}, "networking": {"type": "calico"}}}
    provider = shoot["spec"]["provider"]
    if kind in ("Infrastructure", "Worker", "ControlPlane"):
        provider["type"] = spec["type"]
        field = {"Infrastructure": "infrastructureConfig", "ControlPlane": "controlPlaneConfig"}.get(kind)
        if field and config is not None:
            provider[field] = config
        if kind == "Worker":
            for i, p in enumerate(spec.get("pools") or []):
                if p.get("providerConfig") is not None:
                    provider["workers"][i]["providerConfig"] = p["providerConfig"]
        return shoot, "spec.provider.type", f"spec.provider.{field or 'workers[0].providerConfig'}"
    if kind == "Network":
        shoot["spec"]["networking"] = {"type": spec["type"], **({"providerConfig": config} if config else {})}
        return shoot, "spec.networking.type", "spec.networking.providerConfig"
    if kind == "OperatingSystemConfig":
        pool["machine"]["image"] = {"name": spec["type"], **({"providerConfig": config} if config else {})}
        return shoot, "spec.provider.workers[0].machine.image.name", "spec.provider.workers[0].machine.image." \
                                                                      "providerConfig"
    raise AssertionError(f"no Shoot field for {kind}")


def test_the_examples_hold_the_extension_resources_expected() -> None:
    assert FILES == ["01-registration-provider-local.yaml", "02-infrastructure-aws.yaml",
                     "03-operatingsystemconfig-gardenlinux.yaml", "04-worker-aws-and-network-calico.yaml"]
    assert [label for label, _ in OBJECTS] == [
        "02-infrastructure-aws.yaml:Infrastructure/aws", "03-operatingsystemconfig-gardenlinux.yaml:"
        "OperatingSystemConfig/gardenlinux", "04-worker-aws-and-network-calico.yaml:Worker/aws",
        "04-worker-aws-and-network-calico.yaml:Network/calico"]


@pytest.mark.parametrize(("label", "obj"), OBJECTS, ids=[label for label, _ in OBJECTS])
def test_each_provider_config_validates_or_its_type_is_refused(label: str, obj: JSON) -> None:
    registry = Registry.load()
    registration = registry.find(kind=obj["kind"], type=obj["spec"]["type"])
    shoot, type_field, config_field = _shoot_for(obj)
    found = providerconfigs.check(shoot, registry, set)
    if registration is None:
        # hortus has no plugin for it: refused at the Shoot's type, naming what is supported.
        (error,) = [e for e in found if e.field == type_field]
        assert error.message.startswith(f'Unsupported value: "{obj["spec"]["type"]}"'), error
        return
    # As the extension object the seed agent writes, and where the Shoot gives it.
    assert validation.provider_config_errors(registration, obj["spec"].get("providerConfig"),
                                             path="spec.providerConfig") == []
    assert [e for e in found if e.field.startswith((config_field, type_field))] == []


def test_the_calico_network_config_is_served_by_a_built_in() -> None:
    (_, network) = next((label, o) for label, o in OBJECTS if o["kind"] == "Network")
    assert Registry.load().find(kind="Network", type="calico") is not None
    assert network["spec"]["providerConfig"]["kind"] == "NetworkConfig"


def test_a_mistake_in_an_example_is_refused_with_its_field_path() -> None:
    (_, network) = next((label, o) for label, o in OBJECTS if o["kind"] == "Network")
    broken = {**network, "spec": {**network["spec"], "providerConfig": {
        **network["spec"]["providerConfig"], "overlay": {"enabled": "no"}}}}
    shoot, _, config_field = _shoot_for(broken)
    found = providerconfigs.check(shoot, Registry.load(), set)
    assert [(e.field, e.message) for e in found] == [
        (f"{config_field}.overlay.enabled", 'Invalid value: "no": must be of type boolean')]
