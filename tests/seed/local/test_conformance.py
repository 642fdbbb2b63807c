"""The issue's conformance list against a running local seed cluster, through the real kubectl and the official
``kubernetes`` client: apply + rollout status + scale + watch, StatefulSet claims through scale-to-zero,
namespace deletion, ownerReference GC, LoadBalancer addresses, and a crash-looping image."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config, watch

from apiserver.server import ApiServer
from seed.local.server import create_local_seed
from tests.e2e.kubectl import KUBECTL, Kubectl
from tests.seed.local.conftest import close
from tests.support import databases, servers
from tests.support.servers import RunningServer

JSON = dict[str, Any]
CRASHING = "registry.example/crashes"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[RunningServer, ApiServer]]:
    token = servers.new_token()
    app, api = create_local_seed(tmp_path / "state", token=token, poll_interval=0.05, failing_images=(CRASHING,))
    with servers.serve(app, tmp_path, token=token, name="seed-local") as server:
        yield server, api
    api.store.engine.dispose()


@pytest.fixture
def k(running: tuple[RunningServer, ApiServer], tmp_path: Path) -> Kubectl:
    if not Path(KUBECTL).exists():
        databases.unavailable("kubectl", f"{KUBECTL} is not installed")
    return Kubectl(kubeconfig=running[0].kubeconfig, workdir=tmp_path / "kubectl", timeout=60)


@pytest.fixture
def api_client(running: tuple[RunningServer, ApiServer]) -> Iterator[Any]:
    c = config.new_client_from_config(config_file=str(running[0].kubeconfig))
    try:
        yield c
    finally:
        close(c)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"kubectl exited {result.returncode}: {result.stderr}"
    return result.stdout


def eventually(check: Callable[[], Any], *, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check}")
        time.sleep(0.05)


def status_of(obj: Any, field: str) -> Any:
    """A field of an object's status read through the client, None while the status is not written yet."""
    return getattr(obj.status, field, None) if obj.status is not None else None


def workloads(ns: str) -> list[JSON]:
    labels = {"app": "web"}
    template = {"metadata": {"labels": labels}, "spec": {"containers": [
        {"name": "web", "image": "nginx:1.27", "ports": [{"name": "http", "containerPort": 80}]}]}}
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                     "resources": {"requests": {"storage": "1Gi"}}}}
    db_template = {"metadata": {"labels": {"app": "db"}},
                   "spec": {"containers": [{"name": "db", "image": "postgres:17"}]}}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
         "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": template}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": ns},
         "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                  "template": db_template, "volumeClaimTemplates": [claim]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": ns},
         "spec": {"type": "LoadBalancer", "selector": labels, "ports": [{"port": 80, "targetPort": "http"}]}},
    ]


def get(k: Kubectl, *args: str) -> JSON:
    doc: JSON = json.loads(ok(k("get", *args, "-o", "json")))
    return doc


# --- kubectl ---------------------------------------------------------------------------------------------------


@pytest.mark.kubectl
def test_kubectl_apply_rollout_status_scale_and_watch(k: Kubectl) -> None:
    ok(k("apply", "-f", "-", stdin=yaml.safe_dump_all(workloads("shop"))))
    watcher = k.start("get", "pods", "-n", "shop", "-w")
    try:
        out = ok(k("rollout", "status", "deployment/web", "-n", "shop", "--timeout=30s"))
        assert 'deployment "web" successfully rolled out' in out
        out = ok(k("rollout", "status", "statefulset/db", "-n", "shop", "--timeout=30s"))
        assert "roll out complete: 2 new pods have been updated" in out  # partition 0 is defaulted, as on a real server
        watcher.wait_for_line(lambda line: "web-" in line and "Running" in line and "1/1" in line)
        ok(k("scale", "deployment/web", "-n", "shop", "--replicas=0"))
        eventually(lambda: not get(k, "pods", "-n", "shop", "-l", "app=web")["items"])
        ok(k("scale", "deployment/web", "-n", "shop", "--replicas=3"))
        ok(k("rollout", "status", "deployment/web", "-n", "shop", "--timeout=30s"))
        assert get(k, "deployment/web", "-n", "shop")["status"]["readyReplicas"] == 3
    finally:
        watcher.stop()
    assert any("ContainerCreating" in line or "Pending" in line for line in watcher.lines)


@pytest.mark.kubectl
def test_kubectl_rollout_of_a_new_template(k: Kubectl) -> None:
    ok(k("apply", "-f", "-", stdin=yaml.safe_dump_all(workloads("shop")[:2])))
    ok(k("rollout", "status", "deployment/web", "-n", "shop", "--timeout=30s"))
    ok(k("set", "image", "deployment/web", "-n", "shop", "web=nginx:1.28"))
    ok(k("rollout", "status", "deployment/web", "-n", "shop", "--timeout=30s"))
    images = {p["spec"]["containers"][0]["image"] for p in get(k, "pods", "-n", "shop")["items"]
              if not p["metadata"].get("deletionTimestamp")}
    assert images == {"nginx:1.28"}
    assert "2 " in ok(k("rollout", "history", "deployment/web", "-n", "shop"))


@pytest.mark.kubectl
def test_kubectl_statefulset_keeps_its_claims_through_scale_to_zero(k: Kubectl) -> None:
    docs = workloads("store")
    ok(k("apply", "-f", "-", stdin=yaml.safe_dump_all([docs[0], docs[2]])))
    ok(k("rollout", "status", "statefulset/db", "-n", "store", "--timeout=30s"))
    claims = get(k, "pvc", "-n", "store")["items"]
    assert sorted(c["metadata"]["name"] for c in claims) == ["data-db-0", "data-db-1"]
    assert {c["status"]["phase"] for c in claims} == {"Bound"}
    ok(k("scale", "statefulset/db", "-n", "store", "--replicas=0"))
    eventually(lambda: not get(k, "pods", "-n", "store")["items"])
    assert sorted(c["metadata"]["name"] for c in get(k, "pvc", "-n", "store")["items"]) == ["data-db-0", "data-db-1"]
    ok(k("scale", "statefulset/db", "-n", "store", "--replicas=2"))
    ok(k("rollout", "status", "statefulset/db", "-n", "store", "--timeout=30s"))


@pytest.mark.kubectl
def test_kubectl_delete_namespace_removes_everything_in_it(k: Kubectl) -> None:
    ok(k("apply", "-f", "-", stdin=yaml.safe_dump_all(workloads("doomed"))))
    ok(k("rollout", "status", "deployment/web", "-n", "doomed", "--timeout=30s"))
    ok(k("delete", "namespace", "doomed", "--timeout=30s"))
    assert "NotFound" in k("get", "namespace", "doomed").stderr
    assert get(k, "pods", "-A", "--field-selector=metadata.namespace=doomed")["items"] == []


@pytest.mark.kubectl
def test_kubectl_delete_cascades_through_owner_references(k: Kubectl) -> None:
    ok(k("apply", "-f", "-", stdin=yaml.safe_dump_all(workloads("gc")[:2])))
    ok(k("rollout", "status", "deployment/web", "-n", "gc", "--timeout=30s"))
    ok(k("delete", "deployment/web", "-n", "gc", "--cascade=orphan"))
    (rs,) = get(k, "rs", "-n", "gc")["items"]
    assert "ownerReferences" not in rs["metadata"]
    ok(k("delete", "rs", rs["metadata"]["name"], "-n", "gc", "--cascade=foreground", "--timeout=30s"))
    assert get(k, "rs", "-n", "gc")["items"] == []
    eventually(lambda: not get(k, "pods", "-n", "gc")["items"])
    ok(k("apply", "-f", "-", stdin=yaml.safe_dump_all(workloads("gc")[1:2])))
    ok(k("rollout", "status", "deployment/web", "-n", "gc", "--timeout=30s"))
    ok(k("delete", "deployment/web", "-n", "gc"))
    eventually(lambda: not get(k, "rs", "-n", "gc")["items"] and not get(k, "pods", "-n", "gc")["items"])


@pytest.mark.kubectl
def test_kubectl_load_balancer_gets_an_address_and_endpoints(k: Kubectl) -> None:
    ok(k("apply", "-f", "-", stdin=yaml.safe_dump_all(workloads("lb"))))
    ok(k("wait", "service/web", "-n", "lb", "--for=jsonpath={.status.loadBalancer.ingress[0].ip}=172.18.255.1",
         "--timeout=30s"))
    assert "172.18.255.1" in ok(k("get", "service", "web", "-n", "lb"))
    ok(k("rollout", "status", "deployment/web", "-n", "lb", "--timeout=30s"))
    endpoints = eventually(lambda: get(k, "endpoints", "web", "-n", "lb").get("subsets"))
    assert len(endpoints[0]["addresses"]) == 2 and endpoints[0]["ports"][0]["port"] == 80


@pytest.mark.kubectl
def test_kubectl_shows_a_failing_image_in_crash_loop_back_off(k: Kubectl) -> None:
    ok(k("run", "broken", "--image", f"{CRASHING}:1", "--restart=Always"))
    line = eventually(lambda: next((ln for ln in ok(k("get", "pod", "broken")).splitlines()
                                    if "CrashLoopBackOff" in ln), None))
    assert "0/1" in line
    pod = get(k, "pod", "broken")
    status = pod["status"]["containerStatuses"][0]
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff" and status["restartCount"] >= 1
    assert "BackOff" in ok(k("get", "events", "--field-selector", "involvedObject.name=broken"))


# --- the official client ---------------------------------------------------------------------------------------


def test_client_deployment_scale_watch_and_delete(api_client: Any) -> None:
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    core.create_namespace({"metadata": {"name": "py"}})
    apps.create_namespaced_deployment("py", workloads("py")[1])
    stream = watch.Watch().stream(core.list_namespaced_pod, "py", timeout_seconds=20)
    running = set()
    try:
        for event in stream:
            pod = event["object"]
            if pod.status.phase == "Running" and all(s.ready for s in pod.status.container_statuses or []):
                running.add(pod.metadata.name)
            if len(running) == 2:
                break
    finally:
        stream.close()  # releases the watch's connection, so that the server's shutdown does not wait for it
    assert len(running) == 2
    eventually(lambda: status_of(apps.read_namespaced_deployment("web", "py"), "available_replicas") == 2)
    apps.patch_namespaced_deployment_scale("web", "py", {"spec": {"replicas": 0}})
    eventually(lambda: not core.list_namespaced_pod("py").items)
    apps.patch_namespaced_deployment_scale("web", "py", {"spec": {"replicas": 1}})
    eventually(lambda: status_of(apps.read_namespaced_deployment("web", "py"), "ready_replicas") == 1)
    apps.delete_namespaced_deployment("web", "py", propagation_policy="Foreground")
    eventually(lambda: not apps.list_namespaced_replica_set("py").items and not core.list_namespaced_pod("py").items)
    core.delete_namespace("py")
    eventually(lambda: "py" not in {n.metadata.name for n in core.list_namespace().items})


def test_client_statefulset_claims_load_balancer_and_crash_loop(api_client: Any) -> None:
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    docs = workloads("py2")
    core.create_namespace(docs[0])
    apps.create_namespaced_stateful_set("py2", docs[2])
    core.create_namespaced_service("py2", docs[3])
    eventually(lambda: status_of(apps.read_namespaced_stateful_set("db", "py2"), "ready_replicas") == 2)
    apps.patch_namespaced_stateful_set_scale("db", "py2", {"spec": {"replicas": 0}})
    eventually(lambda: not core.list_namespaced_pod("py2").items)
    assert len(core.list_namespaced_persistent_volume_claim("py2").items) == 2
    ingress = eventually(lambda: (status_of(core.read_namespaced_service("web", "py2"), "load_balancer")
                                  or client.V1LoadBalancerStatus()).ingress)
    assert ingress[0].ip.startswith("172.18.255.")
    core.create_namespaced_pod("py2", {"metadata": {"name": "broken"},
                                       "spec": {"containers": [{"name": "c", "image": CRASHING}]}})

    def crash_looping() -> bool:
        statuses = status_of(core.read_namespaced_pod("broken", "py2"), "container_statuses") or []
        return bool(statuses) and statuses[0].state.waiting is not None and \
            statuses[0].state.waiting.reason == "CrashLoopBackOff"

    eventually(crash_looping)
    assert core.read_namespaced_pod("broken", "py2").status.phase == "Running"
