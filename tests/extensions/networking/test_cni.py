"""Calico and Cilium: manifests valid for every supported Kubernetes version, applied into the shoot's own API,
switched-off components removed, everything removed on delete; their providerConfig schemas."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from extensions import driver, validation
from extensions.contract import ExtensionObject, Kind, Operation
from extensions.converge import converge
from extensions.networking import calico_manifests, cilium_manifests
from extensions.registry import Registry
from hortus.kit.harness import LocalSeedCluster
from tests.extensions.conftest import NAMESPACE, shoot

JSON = dict[str, Any]
VERSIONS = ("1.31.0", "1.32.0", "1.33.0")
EXAMPLES = Path(__file__).parents[2] / "data" / "gardener-examples"
CALICO = "calico.networking.extensions.gardener.cloud/v1alpha1"
CILIUM = "cilium.networking.extensions.gardener.cloud/v1alpha1"


def _validate(objects: list[JSON], version: str) -> None:
    for obj in objects:
        if obj["apiVersion"].startswith(("crd.projectcalico.org/", "cilium.io/")):
            continue  # custom resources: their CRDs are validated instead
        kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("config", [{}, {"typha": {"enabled": False}}, {"overlay": {"enabled": False}},
                                    {"vxlan": {"enabled": True}, "ebpfDataplane": {"enabled": True}},
                                    {"ipam": {"type": "calico-ipam"},
                                     "ipv4": {"autoDetectionMethod": "interface=eth0"}}],
                         ids=["defaults", "no-typha", "no-overlay", "vxlan-ebpf", "calico-ipam"])
def test_calico_manifests_are_valid_kubernetes_objects(version: str, config: JSON) -> None:
    objects = calico_manifests.manifests(calico_manifests.Settings.of(config, pod_cidr="10.3.0.0/16",
                                                                      node_cidr="10.0.0.0/16"))
    _validate(objects, version)
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert ("DaemonSet", "calico-node") in names
    assert (("Deployment", "calico-typha") in names) is (config.get("typha", {}).get("enabled", True))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("config", [{}, {"hubble": {"enabled": False}, "tunnel": "disabled"},
                                    {"tunnel": "geneve", "devices": ["eth0"], "loadBalancingMode": "dsr"}],
                         ids=["defaults", "native-no-hubble", "geneve-dsr"])
def test_cilium_manifests_are_valid_kubernetes_objects(version: str, config: JSON) -> None:
    settings = cilium_manifests.Settings.of(config, pod_cidr="10.3.0.0/16", kube_proxy_enabled=False)
    objects = cilium_manifests.manifests(settings)
    _validate(objects, version)
    config_map = next(o for o in objects if o["kind"] == "ConfigMap")
    assert config_map["data"]["kube-proxy-replacement"] == "true"
    assert config_map["data"]["routing-mode"] == ("native" if config.get("tunnel") == "disabled" else "tunnel")


def test_calico_pool_follows_the_overlay() -> None:
    def pool(config: JSON) -> JSON:
        objects = calico_manifests.manifests(calico_manifests.Settings.of(config, pod_cidr="10.3.0.0/16",
                                                                          node_cidr="10.0.0.0/16"))
        return next(o["spec"] for o in objects if o["metadata"]["name"] == "default-ipv4-ippool")

    assert (pool({})["ipipMode"], pool({})["vxlanMode"]) == ("Always", "Never")
    assert (pool({"overlay": {"enabled": False}})["ipipMode"], pool({"overlay": {"enabled": False}})["vxlanMode"]) \
        == ("Never", "Never")
    assert pool({"vxlan": {"enabled": True}})["vxlanMode"] == "Always"
    assert pool({})["cidr"] == "10.3.0.0/16"


def _gardener_network_config() -> JSON:
    docs = list(yaml.safe_load_all((EXAMPLES / "04-worker-aws-and-network-calico.yaml").read_text()))
    network = next(d for d in docs if d and d.get("kind") == "Network")
    return dict(network["spec"]["providerConfig"])


def test_gardeners_calico_network_config_validates_and_mistakes_are_refused_with_paths() -> None:
    registration = Registry.load().get(kind=Kind.NETWORK, type="calico")
    root = "spec.networking.providerConfig"
    assert validation.provider_config_errors(registration, _gardener_network_config(), path=root) == []
    wrong = {**_gardener_network_config(), "backend": "quagga", "typha": {"enable": True},
             "ipv4": {"mode": "Sometimes"}}
    found = {e.field: e.message for e in validation.provider_config_errors(registration, wrong, path=root)}
    assert set(found) == {f"{root}.backend", f"{root}.typha.enable", f"{root}.typha.enabled", f"{root}.ipv4.mode"}
    assert found[f"{root}.backend"].startswith('Unsupported value: "quagga"')
    wrong_version = {**_gardener_network_config(), "apiVersion": CILIUM}
    assert [e.field for e in validation.provider_config_errors(registration, wrong_version, path=root)] == [
        f"{root}.apiVersion"]


def test_a_network_config_without_its_type_fields_is_read_as_the_extensions_one_kind() -> None:
    """Gardener's own provider-local/shoot-ipv6.yaml gives calico's config with neither apiVersion nor kind."""
    ipv6 = yaml.safe_load((EXAMPLES / "provider-local" / "shoot-ipv6.yaml").read_text())
    config = ipv6["spec"]["networking"]["providerConfig"]
    assert "apiVersion" not in config
    calico = Registry.load().get(kind=Kind.NETWORK, type="calico")
    assert validation.provider_config_errors(calico, config, path="p") == []
    cilium = Registry.load().get(kind=Kind.NETWORK, type="cilium")
    assert validation.provider_config_errors(cilium, {"mtu": 1400}, path="p") == []
    # Given, they must still name the extension's kind.
    assert [e.field for e in validation.provider_config_errors(calico, {**config, "kind": "Other"}, path="p")] == [
        "p.kind"]


def test_cilium_schema_checks_devices_and_mtu() -> None:
    registration = Registry.load().get(kind=Kind.NETWORK, type="cilium")
    config = {"apiVersion": CILIUM, "kind": "NetworkConfig", "devices": ["eth0", "a/b"], "mtu": -1,
              "hubble": {"enabled": True}}
    found = {e.field for e in validation.provider_config_errors(registration, config, path="p")}
    assert found == {"p.devices[1]", "p.mtu"}


@pytest.mark.parametrize(("cni", "config", "component", "switched_off"), [
    ("calico", {"apiVersion": CALICO, "kind": "NetworkConfig"}, ("DaemonSet", "calico-node"),
     ({"typha": {"enabled": False}}, ("Deployment", "calico-typha"))),
    ("cilium", {"apiVersion": CILIUM, "kind": "NetworkConfig"}, ("DaemonSet", "cilium"),
     ({"hubble": {"enabled": False}}, ("Deployment", "hubble-relay"))),
])
def test_the_cni_is_applied_into_the_shoot_and_removed_with_the_network(
        cluster: LocalSeedCluster, cni: str, config: JSON, component: tuple[str, str],
        switched_off: tuple[JSON, tuple[str, str]]) -> None:
    cluster.serve_shoot_api(NAMESPACE)
    registration = Registry.load().get(kind=Kind.NETWORK, type=cni)
    obj = ExtensionObject(kind=Kind.NETWORK, name="ext", namespace=NAMESPACE,
                          spec={"type": cni, "podCIDR": "10.3.0.0/16", "serviceCIDR": "10.4.0.0/16",
                                "providerConfig": config})
    ctx = cluster.context(NAMESPACE, shoot=shoot())
    done = converge(lambda: driver.run(registration, ctx, obj), timeout=60)

    shoot_api = cluster.shoot_api(NAMESPACE)
    assert shoot_api.get("apps/v1", *component, namespace="kube-system") is not None
    assert done.status["ipFamilies"] == ["IPv4"]
    assert done.status["conditions"][0]["type"] == "SystemComponentsHealthy"
    off, gone = switched_off
    kind, name = gone
    assert shoot_api.get("apps/v1" if kind == "Deployment" else "v1", kind, name, namespace="kube-system")
    driver.run(registration, ctx, dataclasses.replace(obj, spec={**obj.spec, "providerConfig": {**config, **off}}))
    assert shoot_api.get("apps/v1", kind, name, namespace="kube-system") is None

    driver.run(registration, dataclasses.replace(ctx, operation=Operation.DELETE), obj)
    assert shoot_api.get("apps/v1", *component, namespace="kube-system") is None
    assert shoot_api.list("v1", "ConfigMap", namespace="kube-system",
                          label_selector="app.kubernetes.io/managed-by=hortus") == []
