"""provider-aws's configs as the aws plugin publishes and checks them: Gardener's examples are accepted as they
are, mistakes are refused with the field path into the Shoot (admission) or the extension object (driver)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from extensions import plugins, validation
from extensions.contract import Kind
from extensions.registry import Registry
from shoot import errors
from shoot.errors import ErrorCode
from tests.extensions.aws.conftest import Shoot, registry

JSON = dict[str, Any]
ROOT = "spec.provider.infrastructureConfig"
API = "aws.provider.extensions.gardener.cloud/v1alpha1"
# The providerConfig of Gardener's example Infrastructure (provider-aws example/30-infrastructure.yaml).
GARDENER_EXAMPLE: JSON = {
    "apiVersion": API, "kind": "InfrastructureConfig", "enableECRAccess": True, "dualStack": {"enabled": False},
    "networks": {"vpc": {"cidr": "10.250.0.0/16"}, "zones": [
        {"name": "eu-west-1a", "internal": "10.250.112.0/22", "public": "10.250.96.0/22",
         "workers": "10.250.0.0/19"}]}}
SHOOT: JSON = {"spec": {"networking": {"nodes": "10.250.0.0/16", "pods": "100.96.0.0/11",
                                       "services": "100.64.0.0/13"}}}


def _errors(config: JSON, shoot: JSON = SHOOT, kind: Kind = Kind.INFRASTRUCTURE,
            root: str = ROOT) -> dict[str, str]:
    """Field -> its messages (joined by '; ')."""
    registration = registry().get(kind=kind, type="aws")
    out: dict[str, str] = {}
    for e in validation.provider_config_errors(registration, config, path=root, shoot=shoot):
        out[e.field] = f"{out[e.field]}; {e.message}" if e.field in out else e.message
    return out


def _with(**changes: Any) -> JSON:
    config = copy.deepcopy(GARDENER_EXAMPLE)
    for dotted, value in changes.items():
        target: Any = config
        *path, last = dotted.split("__")
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return config


def test_the_plugin_keeps_its_contract_and_is_installed() -> None:
    found = Registry.load()
    plugin = found.plugin_of(kind=Kind.INFRASTRUCTURE, type="aws")
    plugins.check(plugin)
    assert {(str(r.kind), r.type) for r in plugin.resources} == {
        ("Infrastructure", "aws"), ("ControlPlane", "aws"), ("Worker", "aws")}
    assert all(r.provider_config_schema for r in plugin.resources)
    assert not [p for p in found.problems if "aws" in p.plugin]


def test_gardeners_example_configs_are_accepted_as_they_are() -> None:
    assert _errors(GARDENER_EXAMPLE) == {}
    worker = {"apiVersion": API, "kind": "WorkerConfig", "volume": {"iops": 10000},
              "dataVolumes": [{"name": "kubelet-dir", "snapshotID": "snap-13234"}],
              "iamInstanceProfile": {"name": "my-profile"},
              "instanceMetadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2},
              "cpuOptions": {"coreCount": 2, "threadsPerCore": 2, "amdSevSnp": "enabled"}}
    assert _errors(worker, kind=Kind.WORKER, root="spec.provider.workers[0].providerConfig") == {}
    control_plane = {"apiVersion": API, "kind": "ControlPlaneConfig",
                     "cloudControllerManager": {"featureGates": {"SomeKubernetesFeature": True}},
                     "loadBalancerController": {"enabled": True, "ingressClassName": "alb"},
                     "storage": {"managedDefaultClass": True}}
    assert _errors(control_plane, kind=Kind.CONTROL_PLANE, root="spec.provider.controlPlaneConfig") == {}


def test_an_existing_vpc_is_accepted_instead_of_a_cidr() -> None:
    assert _errors(_with(networks__vpc={"id": "vpc-0abc123"})) == {}


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"networks__zones__0__workers": "10.251.0.0/19"}, f"{ROOT}.networks.zones[0].workers",
     "must be a subset of the vpc network 10.250.0.0/16"),
    ({"networks__zones__0__public": "10.250.0.0/22"}, f"{ROOT}.networks.zones[0].public",
     "must not overlap with networks.zones[0].workers"),
    ({"networks__zones__0__internal": "10.250.112.1/22"}, f"{ROOT}.networks.zones[0].internal",
     "must be canonical (10.250.112.0/22)"),
    ({"networks__zones__0__workers": "10.250.0.0/33"}, f"{ROOT}.networks.zones[0].workers",
     "must match the regular expression"),
    ({"networks__vpc": {"id": "vpc-1", "cidr": "10.250.0.0/16"}}, f"{ROOT}.networks.vpc",
     "cannot specify both a vpc id and a cidr"),
    ({"networks__vpc": {}}, f"{ROOT}.networks.vpc", "must specify either a vpc id or a cidr"),
    ({"networks__vpc": {"cidr": "100.96.0.0/16"}}, f"{ROOT}.networks.vpc.cidr",
     "must contain the nodes network 10.250.0.0/16"),
    ({"networks__zones": []}, f"{ROOT}.networks.zones", "must specify at least the networks for one zone"),
    ({"networks__zones__0__elasticIPAllocationID": "eip-1"}, f"{ROOT}.networks.zones[0].elasticIPAllocationID",
     "must match the regular expression"),
    ({"networks__zones__0__availability": "a"}, f"{ROOT}.networks.zones[0].availability", "unknown field"),
    ({"dualStack": {"enabled": True}}, f"{ROOT}.dualStack.enabled", "does not support"),
    ({"networks__zones__0__workersSubnetID": "subnet-1"}, f"{ROOT}.networks.zones[0].workersSubnetID",
     "does not support"),
    ({"kind": "InfrastructureConfiguration"}, f"{ROOT}.kind", "Unsupported value"),
])
def test_mistakes_are_refused_at_the_field(changes: JSON, field: str, words: str) -> None:
    found = _errors(_with(**changes))
    assert field in found, found
    assert words in found[field]


def test_zones_must_not_overlap_each_other_nor_repeat() -> None:
    config = _with()
    config["networks"]["zones"].append(dict(config["networks"]["zones"][0]))
    found = _errors(config)
    assert found[f"{ROOT}.networks.zones[1].name"].startswith("Duplicate value")
    assert "must not overlap with networks.zones[0].workers" in found[f"{ROOT}.networks.zones[1].workers"]


def test_the_workers_must_lie_in_the_shoots_nodes_network() -> None:
    shoot = copy.deepcopy(SHOOT)
    shoot["spec"]["networking"]["nodes"] = "10.250.64.0/19"
    found = _errors(GARDENER_EXAMPLE, shoot)
    assert "must be a subset of the nodes network 10.250.64.0/19" in found[f"{ROOT}.networks.zones[0].workers"]


def test_a_missing_infrastructure_config_is_required() -> None:
    assert _errors(None) == {ROOT: "Required value: Infrastructure/aws needs a providerConfig"}  # type: ignore[arg-type]


def test_worker_config_rules_beyond_the_schema() -> None:
    root = "spec.provider.workers[0].providerConfig"
    found = _errors({"apiVersion": API, "kind": "WorkerConfig", "iamInstanceProfile": {"name": "a", "arn": "arn:b"},
                     "cpuOptions": {"coreCount": 2}}, kind=Kind.WORKER, root=root)
    assert "exactly one of name and arn" in found[f"{root}.iamInstanceProfile"]
    assert "given together" in found[f"{root}.cpuOptions"]


def test_the_driver_refuses_an_invalid_config_before_any_aws_call(aws_shoot: Shoot) -> None:
    aws_shoot.infrastructure_config["networks"]["zones"][0]["workers"] = "10.9.0.0/19"
    with pytest.raises(errors.PermanentError) as raised:
        aws_shoot.run(Kind.INFRASTRUCTURE, aws_shoot.infrastructure_spec())
    assert raised.value.codes == (ErrorCode.CONFIGURATION_PROBLEM,)
    assert "spec.providerConfig.networks.zones[0].workers: Invalid value" in raised.value.message
    assert aws_shoot.moto.tagged(aws_shoot.technical_id) == {}
