"""The installed plugins' providerConfig schemas, served to every garden user: ``/extensions/v1/schemas`` and
``kubectl explain`` of the config kinds (documentation only: nothing can be stored under them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from extensions.registry import Registry
from garden import extension_schemas
from tests.e2e.kubectl import Kubectl
from tests.support.garden import Garden, running_garden

CALICO = "networkconfigs.calico.networking.extensions.gardener.cloud"


@pytest.fixture
def garden(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Garden, Kubectl]]:
    with running_garden(sqlite_url, tmp_path) as g:
        user = Kubectl(g.user_kubeconfig("alice"), tmp_path / "alice")
        yield g, user


def test_any_user_reads_every_schema(garden: tuple[Garden, Kubectl]) -> None:
    _, alice = garden
    out = alice("get", "--raw", extension_schemas.PATH)
    assert out.returncode == 0, out.stderr
    items = {(i["kind"], i["type"]): i for i in json.loads(out.stdout)["items"]}
    installed = {(str(r.kind), r.type) for r in Registry.load().registrations() if r.primary}
    assert set(items) == installed
    calico = items[("Network", "calico")]
    assert calico["plugin"] == "networking-calico" and calico["shootField"] == "spec.networking.providerConfig"
    assert calico["explain"] == CALICO
    assert calico["schema"]["properties"]["backend"]["enum"] == ["bird", "none", "vxlan"]
    assert items[("Infrastructure", "local")]["schema"] is None  # takes none
    only = json.loads(alice("get", "--raw", f"{extension_schemas.PATH}?kind=OperatingSystemConfig&type=ubuntu")
                      .stdout)["items"]
    assert [(i["plugin"], i["shootField"]) for i in only] == [
        ("os-ubuntu", "spec.provider.workers[*].machine.image.providerConfig")]


def test_kubectl_explain_describes_a_provider_config(garden: tuple[Garden, Kubectl]) -> None:
    _, alice = garden
    out = alice("explain", CALICO)
    assert out.returncode == 0, out.stderr
    assert "GROUP:      calico.networking.extensions.gardener.cloud\nKIND:       NetworkConfig\nVERSION:    v1alpha1" \
        in out.stdout
    assert "spec.networking.providerConfig (type calico)" in out.stdout
    assert "backend" in out.stdout and "typha" in out.stdout
    field = alice("explain", f"{CALICO}.typha.enabled")
    assert field.returncode == 0, field.stderr
    assert "FIELD: enabled <boolean>" in field.stdout


def test_nothing_is_stored_under_a_config_kind(garden: tuple[Garden, Kubectl]) -> None:
    g, alice = garden
    listed = alice("get", CALICO)
    assert listed.returncode == 0 and "No resources found" in listed.stderr, listed.stderr
    operator = Kubectl(g.server.kubeconfig, g.directory / "op")
    missing = operator("get", CALICO, "mine")
    assert missing.returncode == 1 and "only documents a providerConfig schema" in missing.stderr
    config = {"apiVersion": "calico.networking.extensions.gardener.cloud/v1alpha1", "kind": "NetworkConfig",
              "metadata": {"name": "mine"}}
    created = operator("create", "--validate=false", "-f", "-", stdin=json.dumps(config))
    assert created.returncode == 1 and "it is given inside a Shoot" in created.stderr, created.stderr
    registrations = json.loads(operator("get", "controllerregistrations", "networking-calico", "-o", "json").stdout)
    assert registrations["metadata"]["annotations"]["extensions.hortus.dev/schemas"] == extension_schemas.PATH


def test_kubectl_explain_describes_the_aws_infrastructure_config(garden: tuple[Garden, Kubectl]) -> None:
    _, alice = garden
    out = alice("explain", "infrastructureconfigs.aws.provider.extensions.gardener.cloud.networks.vpc")
    assert out.returncode == 0, out.stderr
    assert "KIND:       InfrastructureConfig" in out.stdout and "FIELD: vpc <Object>" in out.stdout
    assert "cidr" in out.stdout
