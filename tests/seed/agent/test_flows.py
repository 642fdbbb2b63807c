"""The reconcile and delete flows end to end, in process: a garden, the local seed cluster, and the seed agent's task
body driven as Celery would drive it. What a user sees: the status, the control plane on the seed, the shoot's own
API with its nodes and system namespaces, health conditions, failures and retries, and a clean delete."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

from apiserver.context import system_context
from extensions.local.dns import NAMESPACE as DNS_NAMESPACE
from seed.agent import loops
from seed.flow import reconcile as flow
from shoot import errors
from shoot.errors import ErrorCode
from tests.e2e.kubectl import Kubectl
from tests.seed.agent.conftest import World, running
from tests.support import agents, fleet

JSON = dict[str, Any]
CONDITIONS = ["APIServerAvailable", "ControlPlaneHealthy", "ObservabilityComponentsHealthy", "EveryNodeReady",
              "SystemComponentsHealthy"]


def _conditions(shoot: JSON) -> dict[str, JSON]:
    return {c["type"]: c for c in (shoot.get("status") or {}).get("conditions") or []}


def test_a_created_shoot_is_a_working_cluster(world: World) -> None:
    world.create("crazy")
    assert world.drive("crazy") == "reconciled"
    shoot = world.shoot("crazy")
    status = shoot["status"]
    last = status["lastOperation"]
    assert (last["type"], last["state"], last["progress"]) == ("Create", "Succeeded", 100)
    assert last["description"] == "Shoot cluster has been successfully created."
    assert status["technicalID"] == "shoot--local--crazy"
    assert status["seedName"] == "l-eu" and status["uid"] == shoot["metadata"]["uid"]
    assert status["observedGeneration"] == shoot["metadata"]["generation"]
    assert status["hibernated"] is False
    assert status["clusterIdentity"].startswith(f"shoot--local--crazy-{shoot['metadata']['uid']}")
    assert [a["name"] for a in status["advertisedAddresses"]] == ["external", "internal", "service-account-issuer"]
    assert status["advertisedAddresses"][0]["url"] == f"{world.seed_server.url}/shoots/shoot--local--crazy"
    assert status["advertisedAddresses"][1]["url"] == "https://api.crazy.local.internal.local.gardener.cloud"
    assert not status.get("lastErrors")
    assert {s["state"] for s in status["lastOperationSteps"]} <= {"Succeeded", "Skipped"}
    assert status["lastOperationSteps"][0]["name"] == flow.NAMESPACE
    assert {k: c["status"] for k, c in _conditions(shoot).items()} == dict.fromkeys(CONDITIONS, "True")
    assert shoot["metadata"]["labels"]["shoot.gardener.cloud/status"] == "healthy"
    assert shoot["metadata"]["finalizers"] == ["gardener"]

    pods = world.agent.api.list("v1", "Pod", namespace="shoot--local--crazy")
    roles = {(p["metadata"].get("labels") or {}).get("role") for p in pods}
    assert {"apiserver", "controller-manager", "scheduler", "main", "events"} <= roles
    api = world.shoot_api("crazy")
    nodes = api.list("v1", "Node")
    assert len(nodes) == 1 and all(c["status"] == "True" for n in nodes for c in n["status"]["conditions"]
                                   if c["type"] == "Ready")
    names = {n["metadata"]["name"] for n in api.list("v1", "Namespace")}
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= names
    deployments = {d["metadata"]["name"] for d in api.list("apps/v1", "Deployment", namespace="kube-system")}
    ca = world.garden.service.get(world.garden.registry.get("", "v1", "configmaps"), "garden-local",  # type: ignore[arg-type]
                                  "crazy.ca-cluster")
    assert ca["metadata"]["labels"]["gardener.cloud/role"] == "ca-cluster"
    assert "BEGIN CERTIFICATE" in ca["data"]["ca.crt"]
    assert {"coredns", "calico-kube-controllers"} <= deployments
    daemonsets = {d["metadata"]["name"] for d in api.list("apps/v1", "DaemonSet", namespace="kube-system")}
    assert {"kube-proxy", "calico-node"} <= daemonsets


def test_kubectl_reaches_a_created_shoot_with_its_admin_kubeconfig(world: World, tmp_path: Path) -> None:
    world.create("local")
    world.drive("local")
    assert world.garden_server is not None
    kubectl = Kubectl(kubeconfig=world.garden_server.kubeconfig, workdir=tmp_path / "kubectl")
    row = kubectl("get", "shoot", "local", "-n", "garden-local", "--no-headers").stdout.split()
    assert row[5:11] == ["Awake", "Create", "Succeeded", "(100%)", "healthy", row[10]]
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"apiVersion": "authentication.gardener.cloud/v1alpha1",
                                   "kind": "AdminKubeconfigRequest", "spec": {"expirationSeconds": 600}}))
    done = kubectl("create", "--raw", "/apis/core.gardener.cloud/v1beta1/namespaces/garden-local/shoots/local/"
                   "adminkubeconfig", "-f", str(request))
    assert done.returncode == 0, done.stderr
    admin = tmp_path / "admin.kubeconfig"
    admin.write_bytes(base64.b64decode(json.loads(done.stdout)["status"]["kubeconfig"]))
    shoot = kubectl.with_kubeconfig(admin)
    nodes = shoot("get", "nodes", "--no-headers")
    assert nodes.returncode == 0, nodes.stderr
    assert [line.split()[1] for line in nodes.stdout.splitlines()] == ["Ready"]
    namespaces = shoot("get", "ns", "-o", "name")
    assert {"namespace/kube-system", "namespace/default", "namespace/kube-public",
            "namespace/kube-node-lease"} <= set(namespaces.stdout.split())


def test_a_crashing_control_plane_pod_is_named_by_control_plane_healthy(tmp_path: Path) -> None:
    crashing = "registry.k8s.io/kube-scheduler:v0.0.0-crashing"
    with running(tmp_path, failing_images=(crashing,)) as world:
        world.create("crash")
        world.drive("crash")
        namespace = "shoot--local--crash"

        def set_image(image: str) -> None:
            world.agent.api.apply({"apiVersion": "apps/v1", "kind": "Deployment",
                                   "metadata": {"name": "kube-scheduler", "namespace": namespace},
                                   "spec": {"template": {"spec": {"containers": [
                                       {"name": "kube-scheduler", "image": image}]}}}})

        def healthy() -> JSON:
            loops.care_all(world.agent)
            return _conditions(world.shoot("crash"))["ControlPlaneHealthy"]

        set_image(crashing)
        agents.wait_for(lambda: healthy()["status"] == "False", timeout=60, what="ControlPlaneHealthy to turn False")
        condition = healthy()
        assert condition["reason"] == "DeploymentUnhealthy"
        assert "kube-scheduler" in condition["message"] and "CrashLoopBackOff" in condition["message"]
        assert world.shoot("crash")["metadata"]["labels"]["shoot.gardener.cloud/status"] == "unhealthy"

        set_image("registry.k8s.io/kube-scheduler:v1.32.0")
        agents.wait_for(lambda: healthy()["status"] == "True", timeout=60, what="ControlPlaneHealthy to recover")
        assert world.shoot("crash")["metadata"]["labels"]["shoot.gardener.cloud/status"] == "healthy"


def test_deleting_a_shoot_leaves_nothing_of_it_on_the_seed(world: World) -> None:
    world.create("gone")
    world.drive("gone")
    namespace = "shoot--local--gone"
    assert world.seed_objects(namespace)
    shoots = fleet._rt(world.garden.service, "shoots")

    def confirm(shoot: JSON) -> None:
        shoot["metadata"].setdefault("annotations", {})["confirmation.gardener.cloud/deletion"] = "true"

    world.update_shoot("gone", confirm)
    world.garden.service.delete(shoots, "garden-local", "gone", system_context())
    assert world.drive("gone") == "deleted"
    assert world.garden.store.get(shoots.key, "garden-local", "gone") is None
    assert world.seed_objects(namespace) == []
    assert world.agent.api.get("v1", "Namespace", namespace) is None
    clusters = world.agent.api.list("extensions.gardener.cloud/v1alpha1", "Cluster")
    assert [c["metadata"]["name"] for c in clusters if c["metadata"]["name"] == namespace] == []
    zones = world.agent.api.list("v1", "ConfigMap", namespace=DNS_NAMESPACE)
    assert not [k for z in zones for k in (z.get("data") or {}) if ".gone." in k]
    leases = world.agent.api.list("coordination.k8s.io/v1", "Lease", namespace="hortus-system")
    assert not [le for le in leases if le["metadata"]["name"] == "garden-local.gone"]


def test_a_non_retryable_error_fails_at_once_and_retry_starts_over(tmp_path: Path) -> None:
    failing = {"on": True}

    def hook(step: str) -> None:
        if step == flow.INFRASTRUCTURE and failing["on"]:
            raise errors.PermanentError("the credentials were refused", codes=[ErrorCode.INFRA_UNAUTHENTICATED])

    with running(tmp_path, hook=hook) as world:
        world.create("bad")
        assert world.drive("bad") == "failed"
        status = world.shoot("bad")["status"]
        assert status["lastOperation"]["state"] == "Failed"
        assert status["lastErrors"][0]["taskID"] == flow.INFRASTRUCTURE
        assert status["lastErrors"][0]["codes"] == ["ERR_INFRA_UNAUTHENTICATED"]
        assert "the credentials were refused" in status["lastErrors"][0]["description"]
        assert world.shoot("bad")["metadata"]["labels"]["shoot.gardener.cloud/status"] == "unhealthy"
        assert world.run("bad") == "done"  # Failed: nothing more until the user asks

        failing["on"] = False

        def retry(shoot: JSON) -> None:
            shoot["metadata"].setdefault("annotations", {})["gardener.cloud/operation"] = "retry"

        world.update_shoot("bad", retry)
        assert world.drive("bad") == "reconciled"
        status = world.shoot("bad")["status"]
        assert status["lastOperation"]["state"] == "Succeeded" and not status.get("lastErrors")


def test_a_retryable_error_is_reported_and_retried(tmp_path: Path) -> None:
    seen: list[JSON] = []
    attempts = {"left": 1}

    def hook(step: str) -> None:
        if step == flow.ETCD and attempts["left"]:
            attempts["left"] -= 1
            raise errors.PermanentError("quota of volumes exhausted for now",
                                        codes=[ErrorCode.RETRYABLE_INFRA_DEPENDENCIES])

    with running(tmp_path, hook=hook) as world:
        world.create("flaky")
        while not seen:
            try:
                world.run("flaky")
            except errors.TemporaryError as exc:
                status = world.shoot("flaky")["status"]
                if status["lastOperation"]["state"] == "Error":
                    seen.append(status)
                time.sleep(min(exc.delay, 0.5))
        assert seen[0]["lastOperation"]["state"] == "Error"
        assert seen[0]["lastOperation"]["description"].endswith("Operation will be retried.")
        assert seen[0]["lastErrors"][0]["taskID"] == flow.ETCD
        assert world.drive("flaky") == "reconciled"
        steps = {s["name"]: s for s in world.shoot("flaky")["status"]["lastOperationSteps"]}
        assert steps[flow.ETCD]["state"] == "Succeeded" and steps[flow.ETCD]["retries"] >= 1
