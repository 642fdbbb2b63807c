"""Nodes from machines: machine pods on the seed register Nodes in their shoot's API, which turn NotReady with
the pod and go with it; pods created in the shoot run on those Nodes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apiserver.auth import TokenAuthenticator
from apiserver.context import system_context
from apiserver.server import ApiServer
from seed.local.server import local_api
from seed.local.shoots import machines
from tests.e2e.kubectl import Kubectl
from tests.seed.local.shoots.test_endpoints import (
    NAMESPACE,
    Seed,
    eventually,
    kind,
    ok,
    served,
    shoot_kubectl,
    shoot_namespace,
)

JSON = dict[str, Any]


def machine_pod(name: str = "machine-a", **labels: str) -> JSON:
    return {"metadata": {"name": f"{name}-pod", "labels": {"app": "machine", machines.MACHINE_LABEL: name, **labels}},
            "spec": {"containers": [{"name": "node", "image": "hortus/local-machine",
                                     "resources": {"limits": {"cpu": "4", "memory": "8Gi"}}}]}}


def set_pod_state(api: ApiServer, name: str, *, ready: bool, ip: str = "10.1.0.7") -> None:
    """What the kubelet reports for a machine pod (written directly here)."""
    rt = kind(api, "", "pods")
    old = api.service.get(rt, NAMESPACE, name)
    status = {"phase": "Running", "podIP": ip,
              "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    api.service.update(rt, NAMESPACE, name, {**old, "status": status}, system_context(), subresource="status")


def nodes(shoot: ApiServer) -> dict[str, JSON]:
    return {n["metadata"]["name"]: n for n in shoot.service.list(kind(shoot, "", "nodes"), None).items}


def condition(node: JSON, kind_: str = "Ready") -> JSON:
    found: JSON = next(c for c in node["status"]["conditions"] if c["type"] == kind_)
    return found


@pytest.fixture
def clusters(tmp_path: Path) -> Iterator[tuple[ApiServer, ApiServer]]:
    """A seed and a shoot API, not served: ``sync_nodes`` is driven by hand."""
    seed, shoot = (local_api(tmp_path / f"{name}.db", authenticator=TokenAuthenticator({}), server_address="x:1")
                   for name in ("seed", "shoot"))
    seed.service.create(kind(seed, "", "namespaces"), "", {"metadata": {"name": NAMESPACE}}, system_context())
    yield seed, shoot
    seed.store.engine.dispose()
    shoot.store.engine.dispose()


def test_a_ready_machine_pod_registers_a_ready_node(clusters: tuple[ApiServer, ApiServer]) -> None:
    seed, shoot = clusters
    pod = machine_pod(**{"node.kubernetes.io/instance-type": "local-large", "worker.gardener.cloud/pool": "w1",
                         "unrelated": "x"})
    seed.service.create(kind(seed, "", "pods"), NAMESPACE, pod, system_context())
    set_pod_state(seed, "machine-a-pod", ready=True)
    machines.sync_nodes(seed, shoot, namespace=NAMESPACE)
    node = nodes(shoot)["machine-a"]
    assert condition(node)["status"] == "True"
    assert node["metadata"]["labels"] == {
        "node.kubernetes.io/instance-type": "local-large", "worker.gardener.cloud/pool": "w1",
        machines.MACHINE_LABEL: "machine-a", "kubernetes.io/hostname": "machine-a", "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64"}
    assert node["status"]["capacity"] == {"cpu": "4", "memory": "8Gi", "pods": "110", "ephemeral-storage": "20Gi"}
    assert node["status"]["addresses"][0] == {"type": "InternalIP", "address": "10.1.0.7"}
    assert node["spec"]["providerID"] == f"local://{NAMESPACE}/machine-a-pod"
    assert "taints" not in node["spec"]


def test_node_turns_not_ready_with_its_pod_and_goes_with_it(clusters: tuple[ApiServer, ApiServer]) -> None:
    seed, shoot = clusters
    seed.service.create(kind(seed, "", "pods"), NAMESPACE, machine_pod(), system_context())
    set_pod_state(seed, "machine-a-pod", ready=True)
    machines.sync_nodes(seed, shoot, namespace=NAMESPACE)
    set_pod_state(seed, "machine-a-pod", ready=False)
    machines.sync_nodes(seed, shoot, namespace=NAMESPACE)
    node = nodes(shoot)["machine-a"]
    assert (condition(node)["status"], condition(node)["reason"]) == ("Unknown", "NodeStatusUnknown")
    assert {(t["key"], t["effect"]) for t in node["spec"]["taints"]} == {
        (machines.UNREACHABLE, "NoSchedule"), (machines.UNREACHABLE, "NoExecute")}
    set_pod_state(seed, "machine-a-pod", ready=True)
    machines.sync_nodes(seed, shoot, namespace=NAMESPACE)
    assert "taints" not in nodes(shoot)["machine-a"]["spec"]
    seed.service.delete(kind(seed, "", "pods"), NAMESPACE, "machine-a-pod", system_context())
    machines.sync_nodes(seed, shoot, namespace=NAMESPACE)
    assert "machine-a" not in nodes(shoot)


def test_a_pod_not_yet_running_gives_a_not_ready_node_with_default_capacity(
        clusters: tuple[ApiServer, ApiServer]) -> None:
    seed, shoot = clusters
    pod = machine_pod()
    pod["spec"]["containers"][0].pop("resources")
    seed.service.create(kind(seed, "", "pods"), NAMESPACE, pod, system_context())
    machines.sync_nodes(seed, shoot, namespace=NAMESPACE)
    node = nodes(shoot)["machine-a"]
    assert condition(node)["status"] == "Unknown"
    assert node["status"]["capacity"] == machines.DEFAULT_CAPACITY
    assert node["status"]["addresses"] == [{"type": "Hostname", "address": "machine-a"}]


def test_an_unchanged_machine_writes_nothing(clusters: tuple[ApiServer, ApiServer]) -> None:
    seed, shoot = clusters
    seed.service.create(kind(seed, "", "pods"), NAMESPACE, machine_pod(), system_context())
    set_pod_state(seed, "machine-a-pod", ready=True)
    machines.sync_nodes(seed, shoot, namespace=NAMESPACE)
    before = shoot.store.current_rv()
    machines.sync_nodes(seed, shoot, namespace=NAMESPACE)
    assert shoot.store.current_rv() == before


def test_leaves_nodes_that_are_no_machines_alone(clusters: tuple[ApiServer, ApiServer]) -> None:
    seed, shoot = clusters
    shoot.service.create(kind(shoot, "", "nodes"), "", {"metadata": {"name": "other"}}, system_context())
    machines.sync_nodes(seed, shoot, namespace=NAMESPACE)
    assert list(nodes(shoot)) == ["other"]


def test_machine_pod_on_the_seed_becomes_a_node_kubectl_sees(seed: Seed, kubectl: Kubectl, tmp_path: Path) -> None:
    shoot_namespace(seed[1])
    shoot = shoot_kubectl(seed, tmp_path)
    eventually(served(shoot), what="the shoot API")
    seed[1].service.create(kind(seed[1], "", "pods"), NAMESPACE, machine_pod(), system_context())
    line = eventually(lambda: ok(shoot("get", "nodes", "--no-headers")), what="a Node in the shoot")
    eventually(lambda: ok(shoot("get", "nodes", "--no-headers")).split()[:2] == ["machine-a", "Ready"],
               what=f"a Ready Node (first seen: {line!r})")
    ok(kubectl("delete", "pod", "machine-a-pod", "-n", NAMESPACE, "--wait=false"))
    eventually(lambda: ok(shoot("get", "nodes", "-o", "name")) == "", what="the Node to go")


def test_pods_created_in_the_shoot_run_on_its_machine_node(seed: Seed, tmp_path: Path) -> None:
    shoot_namespace(seed[1])
    shoot = shoot_kubectl(seed, tmp_path)
    eventually(served(shoot), what="the shoot API")
    seed[1].service.create(kind(seed[1], "", "pods"), NAMESPACE, machine_pod(), system_context())
    eventually(lambda: " Ready " in ok(shoot("get", "nodes", "--no-headers")), what="the machine's Node")
    web = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"containers": [{"name": "web", "image": "nginx"}]}}
    ok(shoot("apply", "-f", "-", stdin=json.dumps(web)))

    def running() -> JSON | None:
        pod: JSON = json.loads(ok(shoot("get", "pod", "web", "-n", "default", "-o", "json")))
        return pod if pod.get("status", {}).get("phase") == "Running" else None

    pod = eventually(running, what="the Pod to run")
    assert pod["spec"]["nodeName"] == "machine-a"
