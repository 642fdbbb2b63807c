"""The local seed cluster's built-in kinds through the real kubectl and the official client: apply, pruning of
unknown fields as a real API server does it, defaults, allocation, validation, tables and discovery."""

from __future__ import annotations

import ipaddress
import json
import subprocess
from typing import Any

import pytest
import yaml
from kubernetes import client

from seed.local import cells, defaults, schemas
from seed.local.admission import SERVICE_CIDR
from tests.e2e.kubectl import Kubectl

JSON = dict[str, Any]
Result = subprocess.CompletedProcess[str]


def ok(result: Result) -> str:
    assert result.returncode == 0, f"kubectl exited {result.returncode}: {result.stderr}"
    return result.stdout


def failed(result: Result) -> str:
    assert result.returncode != 0, f"kubectl succeeded: {result.stdout}"
    return result.stderr


def apply(k: Kubectl, *docs: JSON, args: tuple[str, ...] = ()) -> Result:
    return k("apply", *args, "-f", "-", stdin=yaml.safe_dump_all(docs))


def get(k: Kubectl, *args: str) -> JSON:
    doc: JSON = json.loads(ok(k("get", *args, "-o", "json")))
    return doc


def deployment(name: str, *, labels: dict[str, str] | None = None, **extra_spec: Any) -> JSON:
    labels = labels or {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}}, **extra_spec,
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                           "ports": [{"containerPort": 80}]}]}}}}


def stateful_set(name: str) -> JSON:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "namespace": "default"},
            "spec": {"serviceName": name, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                         "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}}


def service(name: str, **spec: Any) -> JSON:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}}


def config_map(name: str, **extra: Any) -> JSON:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"},
            "data": {"a": "b"}, **extra}


# --- kubectl apply ---------------------------------------------------------------------------------------------


def test_applies_deployment_statefulset_service_and_configmap_and_reapplies_unchanged(kubectl: Kubectl) -> None:
    docs = (deployment("web"), stateful_set("db"), service("web"), config_map("cfg"))
    out = ok(apply(kubectl, *docs))
    for line in ("deployment.apps/web created", "statefulset.apps/db created", "service/web created",
                 "configmap/cfg created"):
        assert line in out
    again = ok(apply(kubectl, deployment("web"), service("web"), config_map("cfg")))
    assert again.splitlines() == ["deployment.apps/web unchanged", "service/web unchanged", "configmap/cfg unchanged"]


def test_defaults_deployment_and_its_pod_template(kubectl: Kubectl) -> None:
    ok(apply(kubectl, deployment("web")))
    spec = get(kubectl, "deployment", "web", "-n", "default")["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    pod = spec["template"]["spec"]
    assert (pod["restartPolicy"], pod["dnsPolicy"], pod["terminationGracePeriodSeconds"]) == (
        "Always", "ClusterFirst", 30)
    container = pod["containers"][0]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_prunes_unknown_fields_when_validation_is_ignored(kubectl: Kubectl) -> None:
    dep = deployment("web", bogus=1)
    dep["spec"]["template"]["spec"]["containers"][0]["colour"] = "red"
    cm = config_map("cfg", extra="x")
    ok(apply(kubectl, dep, cm, args=("--validate=false",)))
    spec = get(kubectl, "deployment", "web", "-n", "default")["spec"]
    assert "bogus" not in spec
    assert "colour" not in spec["template"]["spec"]["containers"][0]
    assert "extra" not in get(kubectl, "configmap", "cfg", "-n", "default")


def test_rejects_unknown_fields_with_their_path_under_strict_validation(kubectl: Kubectl) -> None:
    dep = deployment("web")
    dep["spec"]["template"]["spec"]["containers"][0]["colour"] = "red"
    svc = service("web", bogus=True)
    assert 'strict decoding error: unknown field "spec.template.spec.containers[0].colour"' in failed(
        apply(kubectl, dep))
    assert 'unknown field "spec.bogus"' in failed(apply(kubectl, svc))
    assert "not found" in failed(kubectl("get", "deployment", "web", "-n", "default"))


def test_keeps_free_form_values_such_as_int_or_string_and_quantities(kubectl: Kubectl) -> None:
    dep = deployment("web", strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    dep["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "500m", "memory": "1Gi"}}
    ok(apply(kubectl, dep))
    spec = get(kubectl, "deployment", "web", "-n", "default")["spec"]
    assert spec["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    assert spec["template"]["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "500m", "memory": "1Gi"}


def test_refuses_a_selector_that_does_not_match_the_template_labels(kubectl: Kubectl) -> None:
    err = failed(apply(kubectl, deployment("web", labels={"app": "other"})))
    assert 'The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: ' in err
    assert "`selector` does not match template `labels`" in err


def test_refuses_to_change_a_deployment_selector(kubectl: Kubectl) -> None:
    ok(apply(kubectl, deployment("web")))
    changed = deployment("web", labels={"app": "web", "tier": "x"})
    changed["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "x"}}
    assert "spec.selector: Invalid value: " in failed(apply(kubectl, changed))
    assert "field is immutable" in failed(apply(kubectl, changed))


# --- services --------------------------------------------------------------------------------------------------


def test_allocates_unique_cluster_ips_from_the_service_range(kubectl: Kubectl) -> None:
    ok(apply(kubectl, *(service(f"s{i}") for i in range(5))))
    items = get(kubectl, "services", "-n", "default")["items"]
    ips = [s["spec"]["clusterIP"] for s in items]
    assert len(set(ips)) == len(ips) == 6  # and the ``kubernetes`` Service
    assert all(ipaddress.ip_address(ip) in SERVICE_CIDR for ip in ips)
    web = next(s for s in items if s["metadata"]["name"] == "s0")
    assert web["spec"]["type"] == "ClusterIP"
    assert web["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]


def test_keeps_a_cluster_ip_and_refuses_to_change_it(kubectl: Kubectl) -> None:
    ok(apply(kubectl, service("web")))
    ip = get(kubectl, "service", "web", "-n", "default")["spec"]["clusterIP"]
    ok(kubectl("label", "service", "web", "-n", "default", "x=y"))
    assert get(kubectl, "service", "web", "-n", "default")["spec"]["clusterIP"] == ip
    other = "10.96.0.9" if ip != "10.96.0.9" else "10.96.0.10"
    patch = json.dumps({"spec": {"clusterIP": other, "clusterIPs": [other]}})
    assert "may not change once set" in failed(kubectl("patch", "service", "web", "-n", "default", "-p", patch))


@pytest.mark.still
def test_gives_node_ports_to_load_balancers_and_shows_them_pending(kubectl: Kubectl) -> None:
    ok(apply(kubectl, service("lb", type="LoadBalancer")))
    port = get(kubectl, "service", "lb", "-n", "default")["spec"]["ports"][0]
    assert 30000 <= port["nodePort"] <= 32767
    table = ok(kubectl("get", "service", "lb", "-n", "default")).splitlines()
    assert table[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert table[1].split()[1:5][::2] == ["LoadBalancer", "<pending>"]
    assert f"80:{port['nodePort']}/TCP" in table[1]


# --- tables, selectors, discovery ------------------------------------------------------------------------------


def pod(name: str) -> JSON:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "a", "image": "busybox"}, {"name": "b", "image": "busybox:1"}]}}


@pytest.mark.still
def test_new_pods_are_pending_and_print_like_kubectl_get_pods(kubectl: Kubectl) -> None:
    ok(apply(kubectl, pod("p1")))
    status = get(kubectl, "pod", "p1", "-n", "default")["status"]
    assert status == {"phase": "Pending", "qosClass": "BestEffort"}
    lines = ok(kubectl("get", "pods", "-n", "default")).splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert lines[1].split()[:4] == ["p1", "0/2", "Pending", "0"]


def test_pod_cells_count_ready_containers_restarts_and_waiting_reasons() -> None:
    obj = pod("p")
    obj["status"] = {"phase": "Running", "containerStatuses": [
        {"name": "a", "ready": True, "restartCount": 1, "state": {"running": {}}},
        {"name": "b", "ready": False, "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}
    got = cells.pod(obj)
    assert (got["Ready"], got["Status"], got["Restarts"]) == ("1/2", "CrashLoopBackOff", "5")


@pytest.mark.still  # a simulated kubelet would start the Pods: this is about what the API server selects
def test_selects_pods_by_phase_and_node_name(kubectl: Kubectl) -> None:
    ok(apply(kubectl, pod("p1"), pod("p2")))
    ok(kubectl("patch", "pod", "p2", "-n", "default", "--type=merge", "-p", '{"spec":{"nodeName":"n1"}}'))
    names = ok(kubectl("get", "pods", "-n", "default", "--field-selector", "spec.nodeName=n1", "-o", "name"))
    assert names.split() == ["pod/p2"]
    pending = ok(kubectl("get", "pods", "-n", "default", "--field-selector", "status.phase=Pending", "-o", "name"))
    assert pending.split() == ["pod/p1", "pod/p2"]
    assert "field label not supported: spec.bogus" in failed(
        kubectl("get", "pods", "--field-selector", "spec.bogus=1"))


def test_lists_every_group_in_discovery(kubectl: Kubectl) -> None:
    groups = json.loads(ok(kubectl("get", "--raw", "/apis")))["groups"]
    names = {g["name"] for g in groups}
    assert names >= {"apps", "coordination.k8s.io", "rbac.authorization.k8s.io", "networking.k8s.io", "policy",
                     "autoscaling", "apiextensions.k8s.io"}
    core = json.loads(ok(kubectl("get", "--raw", "/api/v1")))["resources"]
    assert {"pods", "services", "endpoints", "persistentvolumeclaims", "nodes", "events", "configmaps",
            "serviceaccounts", "pods/status"} <= {r["name"] for r in core}


def test_all_category_covers_workloads_and_services(kubectl: Kubectl) -> None:
    ok(apply(kubectl, deployment("web"), service("web")))
    out = ok(kubectl("get", "all", "-n", "default", "-o", "name")).split()
    assert {"deployment.apps/web", "service/web", "service/kubernetes"} <= set(out)


def test_creates_a_deployment_from_a_protobuf_body(kubectl: Kubectl) -> None:
    assert ok(kubectl("create", "deployment", "nginx", "--image=nginx", "-n", "default")) == (
        "deployment.apps/nginx created\n")
    spec = get(kubectl, "deployment", "nginx", "-n", "default")["spec"]
    assert spec["selector"] == {"matchLabels": {"app": "nginx"}}
    assert spec["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_typed_client_creates_a_deployment(api_client: Any) -> None:
    apps = client.AppsV1Api(api_client)
    body = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="typed"),
        spec=client.V1DeploymentSpec(
            selector=client.V1LabelSelector(match_labels={"app": "typed"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "typed"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx:latest")]))))
    created = apps.create_namespaced_deployment("default", body)
    assert created.spec.replicas == 1
    assert created.spec.template.spec.containers[0].image_pull_policy == "Always"
    assert apps.read_namespaced_deployment("typed", "default").metadata.uid == created.metadata.uid


# --- the pure pieces -------------------------------------------------------------------------------------------


def test_schemas_prune_like_the_typed_decoder() -> None:
    from apiserver import schema

    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "bogus": 1},
           "spec": {"containers": [{"name": "a", "image": "x", "weird": 1, "env": [{"name": "A", "value": "1"}]}],
                    "nodeSelector": {"k": "v"}, "overhead": {"cpu": "1"}}}
    pruned, unknown = schema.prune(obj, schemas.kind_schema("v1", "Pod"))
    assert unknown == ["metadata.bogus", "spec.containers[0].weird"]
    assert pruned["spec"]["nodeSelector"] == {"k": "v"}
    assert pruned["spec"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]


@pytest.mark.parametrize(("image", "policy"), [("nginx", "Always"), ("nginx:latest", "Always"),
                                               ("nginx:1.27", "IfNotPresent"), ("reg:5000/nginx", "Always"),
                                               ("nginx@sha256:abc", "IfNotPresent")])
def test_image_pull_policy_follows_the_tag(image: str, policy: str) -> None:
    assert defaults.image_pull_policy(image) == policy


def test_generated_schema_file_is_what_the_generator_writes() -> None:
    from kubernetes.client import models

    from seed.local import gen_schemas

    stored = json.loads(gen_schemas.OUTPUT.read_text())
    upstream = gen_schemas.upstream_definitions(gen_schemas.kubernetes_minor())
    assert stored["definitions"] == gen_schemas.generate(models, upstream)["definitions"]
