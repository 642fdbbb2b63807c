"""Shoots' extension types and providerConfigs checked at admission against the installed plugins: through kubectl
and raw HTTP, a 422 Status whose causes name the field inside the Shoot."""

from __future__ import annotations

import copy
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from extensions.contract import Kind, Plugin, Registration
from extensions.registry import Registry
from extensions.sdk import BaseActuator
from garden import bootstrap
from tests.e2e.kubectl import Kubectl
from tests.support.garden import Garden, running_garden

JSON = dict[str, Any]
API = "sample.provider.extensions.hortus.dev/v1alpha1"
CIDR = r"^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$"
INFRASTRUCTURE_CONFIG: JSON = {
    "type": "object", "additionalProperties": False, "required": ["apiVersion", "kind", "networks"],
    "properties": {
        "apiVersion": {"const": API}, "kind": {"const": "InfrastructureConfig"},
        "networks": {"type": "object", "required": ["vpc"], "properties": {
            "vpc": {"type": "object", "properties": {"cidr": {"type": "string", "pattern": CIDR}}}}}}}
SAMPLE = Plugin(name="provider-sample", version="1.0.0", resources=tuple(
    Registration(kind=kind, type="sample", actuator=BaseActuator(),
                 provider_config_schema=INFRASTRUCTURE_CONFIG if kind is Kind.INFRASTRUCTURE else None)
    for kind in (Kind.INFRASTRUCTURE, Kind.CONTROL_PLANE, Kind.WORKER)))


def _sample(obj: JSON) -> JSON:
    """A bootstrap object of the local setup, for provider type ``sample``."""
    out = copy.deepcopy(obj)
    out["metadata"]["name"] = "sample"
    if out["kind"] == "CloudProfile":
        out["spec"]["type"] = "sample"
    elif out["kind"] == "Secret":
        out["stringData"] = {"provider": "sample"}
    else:
        out["provider"] = {"type": "sample"}
        out["credentialsRef"]["name"] = "sample"
    return out


@pytest.fixture
def garden(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Garden, Kubectl]]:
    registry = Registry.load()
    registry.register(SAMPLE)
    with running_garden(sqlite_url, tmp_path, extensions=registry) as g:
        bootstrap.ensure_local(g.api.service)
        for obj in (bootstrap.CLOUDPROFILE, bootstrap.SECRET, bootstrap.CREDENTIALS_BINDING):
            bootstrap.ensure(g.api.service, _sample(obj))
        yield g, Kubectl(g.server.kubeconfig, tmp_path)


def shoot(**provider: Any) -> JSON:
    return {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
            "metadata": {"name": "app", "namespace": "garden-local"},
            "spec": {"cloudProfile": {"name": "sample"}, "credentialsBindingName": "sample", "region": "local",
                     "kubernetes": {"version": "1.32"},
                     "networking": {"type": "calico", "nodes": "10.10.0.0/16"},
                     "provider": {"type": "sample", "workers": [{
                         "name": "w", "minimum": 1, "maximum": 1,
                         "machine": {"type": "local", "image": {"name": "local"}}}], **provider}}}


def _post(g: Garden, body: JSON) -> tuple[int, JSON]:
    request = urllib.request.Request(f"{g.server.url}/apis/core.gardener.cloud/v1beta1/namespaces/garden-local/shoots",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {g.server.token}",
                                              "Content-Type": "application/json"})
    context = ssl.create_default_context(cafile=str(g.server.ca_file))
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_an_invalid_infrastructure_config_is_refused_with_its_field_path(garden: tuple[Garden, Kubectl]) -> None:
    g, kubectl = garden
    config = {"apiVersion": API, "kind": "InfrastructureConfig", "networks": {"vpc": {"cidr": "10.250.0.0/33x"}},
              "colour": "red"}
    code, status = _post(g, shoot(infrastructureConfig=config))
    assert code == 422 and status["kind"] == "Status" and status["reason"] == "Invalid"
    causes = {c["field"]: c for c in status["details"]["causes"]}
    assert set(causes) == {"spec.provider.infrastructureConfig.networks.vpc.cidr",
                           "spec.provider.infrastructureConfig.colour"}
    assert causes["spec.provider.infrastructureConfig.networks.vpc.cidr"]["reason"] == "FieldValueInvalid"
    assert causes["spec.provider.infrastructureConfig.colour"]["reason"] == "FieldValueForbidden"

    result = kubectl("apply", "-f", "-", stdin=yaml.safe_dump(shoot(infrastructureConfig=config)))
    assert result.returncode == 1
    assert ('spec.provider.infrastructureConfig.networks.vpc.cidr: Invalid value: "10.250.0.0/33x": must match '
            'the regular expression') in result.stderr

    valid = {**config, "networks": {"vpc": {"cidr": "10.250.0.0/16"}}}
    del valid["colour"]
    code, created = _post(g, shoot(infrastructureConfig=valid))
    assert code == 201, created
    assert created["spec"]["provider"]["infrastructureConfig"] == valid


def test_every_provider_config_of_a_shoot_is_checked(garden: tuple[Garden, Kubectl]) -> None:
    g, _ = garden
    body = shoot(controlPlaneConfig={"apiVersion": API, "kind": "ControlPlaneConfig"})
    body["spec"]["provider"]["workers"][0]["providerConfig"] = {"apiVersion": API, "kind": "WorkerConfig"}
    body["spec"]["provider"]["workers"][0]["machine"]["image"]["providerConfig"] = {"a": 1}
    body["spec"]["networking"]["providerConfig"] = {
        "apiVersion": "calico.networking.extensions.gardener.cloud/v1alpha1", "kind": "NetworkConfig",
        "backend": "quagga"}
    code, status = _post(g, body)
    assert code == 422
    fields = [c["field"] for c in status["details"]["causes"]]
    assert fields == ["spec.provider.controlPlaneConfig", "spec.provider.workers[0].providerConfig",
                      "spec.networking.providerConfig.backend",
                      "spec.provider.workers[0].machine.image.providerConfig"], status


def test_an_unknown_type_is_refused_naming_the_supported_ones(garden: tuple[Garden, Kubectl]) -> None:
    g, _ = garden
    body = shoot()
    body["spec"]["networking"]["type"] = "flannel"
    body["spec"]["provider"]["workers"][0]["machine"]["image"]["name"] = "windows"
    body["spec"]["extensions"] = [{"type": "shoot-cert-service"}]
    code, status = _post(g, body)
    assert code == 422
    causes = {c["field"]: c["message"] for c in status["details"]["causes"]}
    assert causes["spec.networking.type"] == 'Unsupported value: "flannel": supported values: "calico", "cilium"'
    assert causes["spec.extensions[0].type"] == ('Invalid value: "shoot-cert-service": no installed extension '
                                                 'serves Extension/shoot-cert-service')
    assert causes["spec.provider.workers[0].machine.image.name"].startswith('Unsupported value: "windows": '
                                                                           'supported values: ')
    assert '"ubuntu"' in causes["spec.provider.workers[0].machine.image.name"]
