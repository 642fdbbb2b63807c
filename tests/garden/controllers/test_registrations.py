"""Installed plugins as ControllerRegistrations on a running garden (through kubectl), broken plugins left out while
the garden serves, and the ControllerInstallations each seed needs (Gardener's rules)."""

from __future__ import annotations

import importlib.metadata
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apiserver.context import system_context
from extensions.registry import GROUP, Registry
from garden import bootstrap
from garden.controllers import required
from tests.e2e.kubectl import Kubectl
from tests.support.garden import Garden, running_garden

JSON = dict[str, Any]
BUILT_IN_TYPES = {"local", "aws", "ubuntu", "flatcar", "calico", "cilium"}


@pytest.fixture
def garden(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Garden, Kubectl]]:
    with running_garden(sqlite_url, tmp_path) as g:
        yield g, Kubectl(g.server.kubeconfig, tmp_path)


def _registrations(kubectl: Kubectl) -> list[JSON]:
    out = kubectl("get", "controllerregistrations", "-o", "json")
    assert out.returncode == 0, out.stderr
    items: list[JSON] = json.loads(out.stdout)["items"]
    return items


def test_every_installed_plugin_is_a_controller_registration(garden: tuple[Garden, Kubectl]) -> None:
    _, kubectl = garden
    items = _registrations(kubectl)
    types = {r["type"] for item in items for r in item["spec"]["resources"]}
    assert types >= BUILT_IN_TYPES
    # Every installed entry point's plugin is there, with every (kind, type) it serves.
    installed = Registry.load()
    assert {ep.name for ep in importlib.metadata.entry_points(group=GROUP)} <= set(installed.entry_points)
    by_name = {item["metadata"]["name"]: item for item in items}
    for plugin in installed.plugins():
        served = {(r["kind"], r["type"]) for r in by_name[plugin.name]["spec"]["resources"]}
        assert served == {(str(r.kind), r.type) for r in plugin.resources}
        assert by_name[plugin.name]["metadata"]["annotations"]["extensions.hortus.dev/version"] == plugin.version
    local = {(r["kind"], r["type"]) for r in by_name["provider-local"]["spec"]["resources"]}
    assert local == {("Infrastructure", "local"), ("ControlPlane", "local"), ("Worker", "local"),
                     ("DNSRecord", "local"), ("OperatingSystemConfig", "local")}
    table = kubectl("get", "controllerregistrations")
    assert table.returncode == 0 and "networking-calico" in table.stdout


def test_a_broken_plugin_is_left_out_and_the_garden_serves(sqlite_url: str, tmp_path: Path) -> None:
    entry_points = [*importlib.metadata.entry_points(group=GROUP),
                    importlib.metadata.EntryPoint(name="broken", value="tests.extensions.sample_plugins:broken",
                                                  group=GROUP),
                    importlib.metadata.EntryPoint(name="missing", value="no.such.module:plugin", group=GROUP)]
    registry = Registry.load(entry_points)
    assert {p.plugin for p in registry.problems} == {"Broken_Name", "missing (no.such.module:plugin)"}
    with running_garden(sqlite_url, tmp_path, extensions=registry) as g:
        operator = Kubectl(g.server.kubeconfig, tmp_path)
        items = _registrations(operator)
        listing = json.loads(operator("get", "--raw", "/extensions/v1/plugins").stdout)
        alice = Kubectl(g.user_kubeconfig("alice"), tmp_path / "alice")
        refused = alice("get", "--raw", "/extensions/v1/plugins")
    names = {item["metadata"]["name"] for item in items}
    assert "provider-local" in names and "Broken_Name" not in names and len(names) == len(registry.plugins())
    assert {b["entryPoint"]: b["plugin"] for b in listing["broken"]} == {
        "broken": "Broken_Name", "missing": "missing (no.such.module:plugin)"}
    assert "cannot be imported: ModuleNotFoundError" in next(b["reason"] for b in listing["broken"]
                                                            if b["entryPoint"] == "missing")
    assert {p["name"] for p in listing["items"]} == names
    assert refused.returncode == 1 and "Forbidden" in refused.stderr


def _wait_for(condition: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, "the condition did not come true"
        time.sleep(0.1)


def test_each_seed_gets_the_installations_its_shoots_need(garden: tuple[Garden, Kubectl]) -> None:
    g, kubectl = garden
    service = g.api.service
    bootstrap.ensure_local(service)
    bootstrap.ensure(service, bootstrap.SEED)

    def installations() -> dict[str, JSON]:
        out = kubectl("get", "controllerinstallations", "-o", "json")
        return {i["metadata"]["name"]: i for i in json.loads(out.stdout)["items"]}

    # The seed itself needs its provider's kinds.
    found = _wait_for(lambda: installations().get("provider-local-local"))
    assert found["spec"]["registrationRef"]["name"] == "provider-local"
    assert found["spec"]["seedRef"]["name"] == "local"
    assert "networking-calico-local" not in installations()

    shoots = service.registry.get("core.gardener.cloud", "v1beta1", "shoots")
    assert shoots is not None
    shoot = {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
             "metadata": {"name": "app", "namespace": "garden-local"},
             "spec": {"cloudProfile": {"name": "local"}, "region": "local", "credentialsBindingName": "local",
                      "kubernetes": {"version": "1.32"}, "networking": {"type": "calico", "nodes": "10.10.0.0/16"},
                      "provider": {"type": "local", "workers": [{
                          "name": "w", "minimum": 1, "maximum": 1,
                          "machine": {"type": "local", "image": {"name": "local"}}}]}}}
    service.create(shoots, "garden-local", shoot, system_context())
    stored = service.get(shoots, "garden-local", "app")
    service.update(shoots, "garden-local", "app", {**stored, "spec": {**stored["spec"], "seedName": "local"}},
                   system_context(), subresource="binding")
    calico = _wait_for(lambda: (i := installations().get("networking-calico-local")) and i.get("status") and i)
    assert [(c["type"], c["status"]) for c in calico["status"]["conditions"]] == [("Valid", "True")]
    assert "os-ubuntu-local" not in installations()

    # Once the shoot is gone, its seed no longer needs its network.
    stored = service.get(shoots, "garden-local", "app")
    stored["metadata"].setdefault("annotations", {})["confirmation.gardener.cloud/deletion"] = "true"
    service.update(shoots, "garden-local", "app", stored, system_context())
    service.delete(shoots, "garden-local", "app", system_context())
    _wait_for(lambda: "networking-calico-local" not in installations())
    assert "provider-local-local" in installations()


def test_required_ids_follow_gardeners_rules() -> None:
    seed = {"metadata": {"name": "s"}, "spec": {"provider": {"type": "aws"}, "backup": {"provider": "aws"},
                                                 "dns": {"provider": {"type": "aws-route53"}}}}
    shoot = {"spec": {"seedName": "s", "provider": {"type": "gcp", "workers": [
        {"machine": {"image": {"name": "ubuntu"}}, "cri": {"containerRuntimes": [{"type": "gvisor"}]}},
        {"machine": {"image": {"name": "flatcar"}}}]},
        "networking": {"type": "cilium"},
        "dns": {"providers": [{"type": "google-clouddns"}, {"type": "aws-route53", "primary": True}]},
        "extensions": [{"type": "shoot-cert-service"}, {"type": "off", "disabled": True}]}}
    assert required.for_shoot(shoot, seed) == {
        "BackupBucket/aws", "BackupEntry/aws", "ControlPlane/aws", "ControlPlane/gcp", "Infrastructure/gcp",
        "Worker/gcp", "Network/cilium", "OperatingSystemConfig/ubuntu", "OperatingSystemConfig/flatcar",
        "ContainerRuntime/gvisor", "DNSRecord/aws-route53", "Extension/shoot-cert-service"}
    workerless = {"spec": {"seedName": "s", "provider": {"type": "gcp"}, "networking": {"type": "cilium"}}}
    assert required.for_shoot(workerless, seed) == {"BackupBucket/aws", "BackupEntry/aws", "ControlPlane/aws"}
    assert required.for_seed(seed) == {"DNSRecord/aws-route53", "ControlPlane/aws", "Infrastructure/aws",
                                       "Worker/aws", "BackupBucket/aws", "BackupEntry/aws"}
    other = {"spec": {"seedName": "elsewhere", "provider": {"type": "azure", "workers": [{}]}}}
    assert "Worker/azure" not in required.for_seed_and_shoots(seed, [shoot, other])
