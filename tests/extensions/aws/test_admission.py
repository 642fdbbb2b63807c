"""A Shoot of provider aws at the garden: written as for Gardener's provider-aws it is accepted, and a mistake in
its infrastructureConfig is refused with a 422 Status naming the field inside the Shoot (raw HTTP and kubectl)."""

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

from garden import bootstrap
from tests.e2e.kubectl import Kubectl
from tests.extensions.aws.conftest import cloud_profile, registry
from tests.extensions.aws.moto import REGION
from tests.support.garden import Garden, running_garden

JSON = dict[str, Any]
API = "aws.provider.extensions.gardener.cloud/v1alpha1"
ROOT = "spec.provider.infrastructureConfig"


@pytest.fixture
def garden(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Garden, Kubectl]]:
    with running_garden(sqlite_url, tmp_path, extensions=registry()) as g:
        bootstrap.ensure_local(g.api.service)
        profile = cloud_profile()
        profile["spec"].update(
            regions=[{"name": REGION, "zones": [{"name": f"{REGION}a"}, {"name": f"{REGION}b"}]}],
            kubernetes={"versions": [{"version": "1.32.8", "classification": "supported"}]},
            machineImages=[{"name": "ubuntu", "versions": [{"version": "24.4.0", "classification": "supported",
                                                            "cri": [{"name": "containerd"}]}]}],
            machineTypes=[{"name": "m5.large", "cpu": "2", "gpu": "0", "memory": "8Gi", "usable": True}],
            volumeTypes=[{"name": "gp3", "class": "standard", "usable": True}])
        bootstrap.ensure(g.api.service, profile)
        bootstrap.ensure(g.api.service, {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                         "metadata": {"name": "aws", "namespace": "garden-local"},
                                         "stringData": {"accessKeyID": "AKIAIOSFODNN7EXAMPLE",
                                                        "secretAccessKey": "x" * 40}})
        bootstrap.ensure(g.api.service, {
            "apiVersion": "security.gardener.cloud/v1alpha1", "kind": "CredentialsBinding",
            "metadata": {"name": "aws", "namespace": "garden-local"}, "provider": {"type": "aws"},
            "credentialsRef": {"apiVersion": "v1", "kind": "Secret", "name": "aws", "namespace": "garden-local"}})
        yield g, Kubectl(g.server.kubeconfig, tmp_path)


def aws_shoot(**infrastructure: Any) -> JSON:
    config: JSON = {"apiVersion": API, "kind": "InfrastructureConfig", "networks": {
        "vpc": {"cidr": "10.250.0.0/16"},
        "zones": [{"name": f"{REGION}a", "workers": "10.250.0.0/19", "public": "10.250.96.0/22",
                   "internal": "10.250.112.0/22"}]}}
    config.update(infrastructure)
    return {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
            "metadata": {"name": "web", "namespace": "garden-local"},
            "spec": {"cloudProfile": {"name": "aws"}, "credentialsBindingName": "aws", "region": REGION,
                     "kubernetes": {"version": "1.32.8"},
                     "networking": {"type": "calico", "nodes": "10.250.0.0/16", "pods": "100.96.0.0/11",
                                    "services": "100.64.0.0/13"},
                     "provider": {"type": "aws", "infrastructureConfig": config,
                                  "controlPlaneConfig": {"apiVersion": API, "kind": "ControlPlaneConfig"},
                                  "workers": [{
                                      "name": "cpu-worker", "minimum": 1, "maximum": 2,
                                      "zones": [f"{REGION}a"], "volume": {"type": "gp3", "size": "20Gi"},
                                      "machine": {"type": "m5.large",
                                                  "image": {"name": "ubuntu", "version": "24.4.0"}},
                                      "providerConfig": {"apiVersion": API, "kind": "WorkerConfig"}}]}}}


def _post(g: Garden, body: JSON) -> tuple[int, JSON]:
    request = urllib.request.Request(
        f"{g.server.url}/apis/core.gardener.cloud/v1beta1/namespaces/garden-local/shoots",
        data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {g.server.token}", "Content-Type": "application/json"})
    context = ssl.create_default_context(cafile=str(g.server.ca_file))
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_shoot_written_for_gardeners_aws_provider_is_accepted(garden: tuple[Garden, Kubectl]) -> None:
    g, _ = garden
    body = aws_shoot()
    code, created = _post(g, body)
    assert code == 201, json.dumps(created["details"]["causes"] if code == 422 else created)
    assert created["spec"]["provider"]["infrastructureConfig"] == body["spec"]["provider"]["infrastructureConfig"]


def test_an_invalid_infrastructure_config_is_refused_with_the_field_path(garden: tuple[Garden, Kubectl]) -> None:
    g, kubectl = garden
    body = aws_shoot()
    zone = body["spec"]["provider"]["infrastructureConfig"]["networks"]["zones"][0]
    zone["workers"] = "10.251.0.0/19"
    zone["internal"] = "10.250.96.0/22"
    code, status = _post(g, body)
    assert code == 422 and status["kind"] == "Status" and status["reason"] == "Invalid", status
    causes = {(c["field"], c["message"]) for c in status["details"]["causes"]}
    assert (f"{ROOT}.networks.zones[0].workers", 'Invalid value: "10.251.0.0/19": must be a subset of the vpc '
                                                 "network 10.250.0.0/16 (networks.vpc.cidr)") in causes
    assert (f"{ROOT}.networks.zones[0].internal", 'Invalid value: "10.250.96.0/22": must not overlap with '
                                                  "networks.zones[0].public (10.250.96.0/22)") in causes

    result = kubectl("apply", "-f", "-", stdin=yaml.safe_dump(body))
    assert result.returncode == 1
    assert f'{ROOT}.networks.zones[0].workers: Invalid value: "10.251.0.0/19"' in result.stderr

    unsupported = aws_shoot(dualStack={"enabled": True})
    code, status = _post(g, unsupported)
    assert code == 422
    assert [c["field"] for c in status["details"]["causes"]] == [f"{ROOT}.dualStack.enabled"]

    missing = copy.deepcopy(aws_shoot())
    del missing["spec"]["provider"]["infrastructureConfig"]
    code, status = _post(g, missing)
    assert code == 422
    assert [c["field"] for c in status["details"]["causes"]] == [ROOT]
