"""The control-plane manifests: valid objects for every supported Kubernetes version, the shoot's version in the
images, every mounted Secret one the PKI makes, and Gardener's sizes, replicas and network rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from shoot.controlplane import apiserver, common, controllers, etcd, policies
from shoot.controlplane.render import render
from shoot.controlplane.spec import ControlPlane
from shoot.pki import catalog
from tests.support import kube_schemas

JSON = dict[str, Any]
VERSIONS = ("1.30.0", "1.31.0", "1.32.0", "1.33.0", "1.34.0", "1.35.0", "1.36.0")
NAMESPACE = "shoot--local--local"
EXAMPLE = Path(__file__).parents[2] / "data" / "gardener-examples" / "provider-local" / "shoot.yaml"


def _cp(version: str = "1.33.2", **overrides: Any) -> ControlPlane:
    fields: dict[str, Any] = {"namespace": NAMESPACE, "version": version, "api_hostname": "api.local.local.internal",
                              "health_check_token": "probe-token", "secret_checksums": {"kube-apiserver": "abc"}}
    return ControlPlane(**{**fields, **overrides})


def _find(objects: list[JSON], kind: str, name: str) -> JSON:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def _pod(objects: list[JSON], kind: str, name: str) -> JSON:
    return dict(_find(objects, kind, name)["spec"]["template"]["spec"])


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("variant", [{}, {"high_availability": True}, {"hibernated": True}, {"workers": False},
                                     {"storage_class": "premium", "apiserver_service_type": "LoadBalancer",
                                      "apiserver_feature_gates": {"SomeGate": True}}],
                         ids=["default", "ha", "hibernated", "workerless", "tuned"])
def test_every_manifest_is_a_valid_object_of_the_version(version: str, variant: JSON) -> None:
    objects = [*render(_cp(version, **variant)),
               *common.priority_classes()]
    for obj in objects:
        kube_schemas.validate(obj, version)
    assert all(o["metadata"].get("namespace") == NAMESPACE for o in objects if o["kind"] != "PriorityClass")


def test_images_carry_the_shoots_kubernetes_version() -> None:
    objects = render(_cp("1.31.4"))
    for component in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        container = _pod(objects, "Deployment", component)["containers"][0]
        assert container["image"] == f"registry.k8s.io/{component}:v1.31.4"
    assert _pod(objects, "StatefulSet", "etcd-main")["containers"][0]["image"] == etcd.WRAPPER_IMAGE


def test_unsupported_versions_are_refused() -> None:
    with pytest.raises(ValueError, match=r"1\.30 or newer"):
        _cp("1.29.5")
    with pytest.raises(ValueError, match="full Kubernetes version"):
        _cp("1.31")


@pytest.mark.parametrize("variant", [{}, {"workers": False}], ids=["workers", "workerless"])
def test_every_mounted_secret_is_one_the_pki_makes(variant: JSON) -> None:
    cp = _cp(**variant)
    made = {s.name for s in catalog.catalog(catalog.Cluster(namespace=NAMESPACE, service_cidrs=cp.service_cidrs,
                                                            workers=cp.workers))}
    objects = render(cp)
    config_maps = {o["metadata"]["name"] for o in objects if o["kind"] == "ConfigMap"}
    for workload in (o for o in objects if o["kind"] in ("Deployment", "StatefulSet")):
        pod = workload["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        claims = {c["metadata"]["name"] for c in workload["spec"].get("volumeClaimTemplates", [])}
        for volume in volumes.values():
            if "secret" in volume:
                assert volume["secret"]["secretName"] in made, volume
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps, volume
        for container in pod["containers"]:
            for mount in container["volumeMounts"]:
                assert mount["name"] in volumes or mount["name"] in claims, mount


def test_apiserver_flags_point_at_etcd_the_pki_and_the_service_network() -> None:
    args = _pod(render(_cp(service_cidrs=("10.4.0.0/16",))), "Deployment", "kube-apiserver")["containers"][0]["args"]
    assert "--etcd-servers=https://etcd-main-client:2379" in args
    assert any(a.startswith("--etcd-servers-overrides=/events#https://etcd-events-client:2379") for a in args)
    assert "--client-ca-file=/srv/kubernetes/ca-client/bundle.crt" in args
    assert "--service-cluster-ip-range=10.4.0.0/16" in args
    assert "--service-account-issuer=https://api.local.local.internal" in args
    assert "--secure-port=443" in args
    assert "--enable-admission-plugins=NodeRestriction" in args
    assert len(args) == len({a.split("=")[0] for a in args})  # no flag given twice


def test_apiserver_probes_send_the_health_check_token_and_requests_are_gardeners() -> None:
    container = _pod(render(_cp()), "Deployment", "kube-apiserver")["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["httpHeaders"] == [{"name": "Authorization",
                                                                       "value": "Bearer probe-token"}]
    assert container["resources"] == {"requests": {"cpu": "250m", "memory": "500Mi"}}


def test_a_changed_secret_changes_the_pod_template() -> None:
    before = _find(render(_cp()), "Deployment", "kube-apiserver")["spec"]["template"]["metadata"]["annotations"]
    after = _find(render(_cp(secret_checksums={"kube-apiserver": "def"})), "Deployment",
                  "kube-apiserver")["spec"]["template"]["metadata"]["annotations"]
    assert before["checksum/secret-kube-apiserver"] == "abc" and after["checksum/secret-kube-apiserver"] == "def"


@pytest.mark.parametrize(("variant", "etcd_replicas", "apiserver_replicas", "min_available"), [
    ({}, 1, 2, 0), ({"high_availability": True}, 3, 3, 2), ({"hibernated": True}, 0, 0, 0)])
def test_replicas_follow_high_availability_and_hibernation(variant: JSON, etcd_replicas: int,
                                                            apiserver_replicas: int, min_available: int) -> None:
    objects = render(_cp(**variant))
    assert _find(objects, "StatefulSet", "etcd-main")["spec"]["replicas"] == etcd_replicas
    assert _find(objects, "Deployment", "kube-apiserver")["spec"]["replicas"] == apiserver_replicas
    assert _find(objects, "PodDisruptionBudget", "etcd-main")["spec"]["minAvailable"] == min_available
    config = yaml.safe_load(_find(objects, "ConfigMap", "etcd-main-config")["data"]["etcd.conf.yaml"])
    assert len(config["initial-cluster"].split(",")) == max(etcd_replicas, 1)


def test_etcd_sizes_are_gardeners() -> None:
    objects = render(_cp())
    main, events = _find(objects, "StatefulSet", "etcd-main"), _find(objects, "StatefulSet", "etcd-events")
    assert main["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "25Gi"
    assert events["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert main["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "150m",
                                                                                          "memory": "500M"}
    assert main["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "main-etcd"
    config = yaml.safe_load(_find(objects, "ConfigMap", "etcd-main-config")["data"]["etcd.conf.yaml"])
    assert config["client-transport-security"]["client-cert-auth"] is True


def test_workerless_shoots_have_no_scheduler_and_no_kubelet_flags() -> None:
    objects = render(_cp(workers=False))
    assert not [o for o in objects if o["metadata"]["name"] == "kube-scheduler"]
    args = _pod(objects, "Deployment", "kube-apiserver")["containers"][0]["args"]
    assert not [a for a in args if a.startswith("--kubelet-")]
    assert controllers.kcm_flags(_cp(workers=False))


def test_every_pod_label_that_asks_for_a_service_has_its_policies() -> None:
    objects = render(_cp(high_availability=True))
    names = {o["metadata"]["name"] for o in objects if o["kind"] == "NetworkPolicy"}
    prefix = "networking.resources.gardener.cloud/to-"
    for workload in (o for o in objects if o["kind"] in ("Deployment", "StatefulSet")):
        for label in workload["spec"]["template"]["metadata"]["labels"]:
            if label.startswith(prefix):
                target = label.removeprefix(prefix)
                assert {f"ingress-to-{target}", f"egress-to-{target}"} <= names, label
    assert "deny-all" in names and policies.manifests(_cp())[0]["spec"]["podSelector"] == {}


def test_the_gardener_local_example_shoot_renders() -> None:
    shoot = yaml.safe_load(EXAMPLE.read_text())
    shoot["spec"]["kubernetes"]["version"] = "1.33.1"
    cp = ControlPlane.of(shoot, namespace=NAMESPACE, api_hostname="api.local.local.internal")
    assert cp.workers and cp.version == "1.33.1"
    for obj in render(cp):
        kube_schemas.validate(obj, "1.33.0")
    assert apiserver.image(cp) == "registry.k8s.io/kube-apiserver:v1.33.1"


def test_the_schema_check_refuses_what_kubernetes_would() -> None:
    deployment = _find(render(_cp()), "Deployment", "kube-apiserver")
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["requets"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kube_schemas.validate(deployment, "1.33.0")
    service = apiserver.service(_cp())
    service["spec"]["ports"][0]["port"] = "443"
    with pytest.raises(kubernetes_validate.ValidationError):
        kube_schemas.validate(service, "1.30.0")


@pytest.mark.parametrize(("version", "in_config"), [("1.30.4", False), ("1.31.9", False), ("1.32.8", True),
                                                    ("1.33.4", True)])
def test_anonymous_requests_are_refused_in_the_way_the_version_understands(version: str, in_config: bool) -> None:
    objects = render(_cp(version))
    config = yaml.safe_load(_find(objects, "ConfigMap", "kube-apiserver-authentication-config")["data"]["config.yaml"])
    args = _pod(objects, "Deployment", "kube-apiserver")["containers"][0]["args"]
    assert ("anonymous" in config) is in_config
    assert ("--anonymous-auth=false" in args) is not in_config
    if in_config:
        assert config["anonymous"] == {"enabled": False}
