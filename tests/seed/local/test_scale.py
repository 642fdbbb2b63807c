"""The ``scale`` subresource of deployments, replicasets and statefulsets: ``kubectl scale`` (a merge patch of
``.../scale``), PUT and GET through the official client, and its validation."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import pytest
import yaml
from kubernetes import client
from kubernetes.client.rest import ApiException

from tests.e2e.kubectl import Kubectl

JSON = dict[str, Any]


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"kubectl exited {result.returncode}: {result.stderr}"
    return result.stdout


def workload(kind: str, name: str, replicas: int = 2) -> JSON:
    spec: JSON = {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}},
                               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def replicas(k: Kubectl, resource: str) -> tuple[int, int]:
    obj = json.loads(ok(k("get", resource, "-n", "default", "-o", "json")))
    return obj["spec"]["replicas"], obj["metadata"]["generation"]


def test_kubectl_scales_a_deployment_to_zero_and_back(kubectl: Kubectl) -> None:
    ok(kubectl("apply", "-f", "-", stdin=yaml.safe_dump(workload("Deployment", "web"))))
    assert ok(kubectl("scale", "deployment", "web", "-n", "default", "--replicas=0")) == "deployment.apps/web scaled\n"
    assert replicas(kubectl, "deployment/web") == (0, 2)
    ok(kubectl("scale", "deployment", "web", "-n", "default", "--replicas=3"))
    assert replicas(kubectl, "deployment/web") == (3, 3)


def test_kubectl_scales_statefulsets_and_replicasets(kubectl: Kubectl) -> None:
    docs = [workload("StatefulSet", "db"), workload("ReplicaSet", "rs")]
    ok(kubectl("apply", "-f", "-", stdin=yaml.safe_dump_all(docs)))
    ok(kubectl("scale", "statefulset", "db", "-n", "default", "--replicas=0"))
    ok(kubectl("scale", "replicaset", "rs", "-n", "default", "--replicas=5"))
    assert replicas(kubectl, "statefulset/db")[0] == 0
    assert replicas(kubectl, "replicaset/rs")[0] == 5


def test_scale_honours_a_current_replicas_precondition(kubectl: Kubectl) -> None:
    ok(kubectl("apply", "-f", "-", stdin=yaml.safe_dump(workload("Deployment", "web"))))
    result = kubectl("scale", "deployment", "web", "-n", "default", "--current-replicas=7", "--replicas=1")
    assert result.returncode != 0
    assert "Expected replicas to be 7, was 2" in result.stderr
    assert replicas(kubectl, "deployment/web")[0] == 2


@pytest.mark.still
def test_typed_client_reads_and_replaces_the_scale(api_client: Any) -> None:
    apps = client.AppsV1Api(api_client)
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=4))
    settled(apps, "web")
    scale = apps.read_namespaced_deployment_scale("web", "default")
    assert (scale.spec.replicas, scale.status.selector) == (4, "app=web")
    # The deployment controller writes status meanwhile; like client-go's RetryOnConflict, re-read on 409.
    for _ in range(20):
        scale.spec.replicas = 1
        try:
            assert apps.replace_namespaced_deployment_scale("web", "default", scale).spec.replicas == 1
            break
        except ApiException as exc:
            assert exc.status == 409
            scale = apps.read_namespaced_deployment_scale("web", "default")
    else:
        raise AssertionError("the scale was never replaced")
    patched = apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": 6}})
    assert patched.spec.replicas == 6
    assert apps.read_namespaced_deployment("web", "default").spec.replicas == 6


def settled(apps: Any, name: str) -> None:
    """Wait until the deployment controller has seen the Deployment, so that it writes no status meanwhile."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        got = apps.read_namespaced_deployment(name, "default")
        if got.status and got.status.observed_generation == got.metadata.generation:
            return
        time.sleep(0.05)
    raise AssertionError(f"deployment {name} was never observed")


@pytest.mark.still
def test_refuses_negative_replicas_and_stale_resource_versions(api_client: Any) -> None:
    apps = client.AppsV1Api(api_client)
    apps.create_namespaced_deployment("default", workload("Deployment", "web"))
    settled(apps, "web")
    scale = apps.read_namespaced_deployment_scale("web", "default")
    apps.patch_namespaced_deployment("web", "default", {"metadata": {"labels": {"x": "y"}}})
    with pytest.raises(ApiException) as stale:
        apps.replace_namespaced_deployment_scale("web", "default", scale)
    assert stale.value.status == 409
    with pytest.raises(ApiException) as negative:
        apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": -1}})
    assert negative.value.status == 422
    assert "spec.replicas: Invalid value: -1: must be greater than or equal to 0" in negative.value.body
