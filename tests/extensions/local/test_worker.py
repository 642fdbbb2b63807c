"""Worker/local through the driver on a local seed cluster: machine Pods per pool and zone that become Ready Nodes
of the shoot's API, scaling within minimum and maximum, rolling with maxSurge/maxUnavailable, deletion."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from extensions import driver
from extensions.contract import API_VERSION, ExtensionObject, Kind, Operation
from extensions.converge import converge
from extensions.local import plugin
from extensions.local.worker import MACHINE_LABEL
from extensions.registry import Registry
from extensions.sdk import health
from hortus.kit.harness import LocalSeedCluster
from shoot import errors
from tests.extensions.conftest import NAMESPACE, shoot

JSON = dict[str, Any]
CLOUD_PROFILE: JSON = {"spec": {"machineTypes": [{"name": "local", "cpu": "2", "memory": "4Gi"}]}}


def pool(**fields: Any) -> JSON:
    base: JSON = {"name": "w1", "machineType": "local", "machineImage": {"name": "local", "version": "1.0.0"},
                  "minimum": 1, "maximum": 2, "maxSurge": 1, "maxUnavailable": 0, "zones": ["0"],
                  "labels": {"team": "a"}}
    base.update(fields)
    return base


def worker(*pools: JSON) -> ExtensionObject:
    return ExtensionObject(kind=Kind.WORKER, name="ext", namespace=NAMESPACE,
                           spec={"type": "local", "region": "local", "pools": list(pools)})


def pods(cluster: LocalSeedCluster) -> list[JSON]:
    return cluster.kube.list("v1", "Pod", namespace=NAMESPACE, label_selector=MACHINE_LABEL)


def reconcile(cluster: LocalSeedCluster, obj: ExtensionObject, seen: list[list[JSON]] | None = None) -> ExtensionObject:
    registration = Registry.load().get(kind=Kind.WORKER, type="local")
    ctx = cluster.context(NAMESPACE, shoot=shoot(), cloud_profile=CLOUD_PROFILE)

    def once() -> ExtensionObject:
        if seen is not None:
            seen.append(pods(cluster))
        return driver.run(registration, ctx, obj)

    return converge(once, timeout=60)


def test_machines_become_ready_nodes_of_the_shoot(cluster: LocalSeedCluster) -> None:
    registration = Registry.load().get(kind=Kind.WORKER, type="local")
    ctx = cluster.context(NAMESPACE, shoot=shoot(), cloud_profile=CLOUD_PROFILE)
    with pytest.raises(errors.TemporaryError, match="0 of 1 machines ready"):
        driver.run(registration, ctx, worker(pool()))  # just created: not ready yet

    done = reconcile(cluster, worker(pool()))
    machine = pods(cluster)
    assert len(machine) == 1 and health.pod_ready(machine[0])
    labels = machine[0]["metadata"]["labels"]
    assert labels["worker.gardener.cloud/pool"] == "w1" and labels["topology.kubernetes.io/zone"] == "0"
    assert machine[0]["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "2", "memory": "4Gi"}
    assert done.status["machineDeployments"] == [
        {"name": f"{NAMESPACE}-w1-z1", "minimum": 1, "maximum": 2}]
    assert done.status["providerStatus"]["kind"] == "WorkerStatus"

    cluster.serve_shoot_api(NAMESPACE)
    name = labels[MACHINE_LABEL]

    def node_ready() -> JSON:
        node = cluster.shoot_api(NAMESPACE).get("v1", "Node", name)
        if node is None or not health.node_ready(node):
            raise errors.TemporaryError("node not ready", delay=0.2)
        return node

    node = converge(node_ready, timeout=60)
    assert node["status"]["capacity"]["cpu"] == "2"
    assert node["metadata"]["labels"]["team"] == "a"
    assert node["status"]["nodeInfo"]["kubeletVersion"] == "v1.32.8"


def test_reconciling_again_changes_nothing(cluster: LocalSeedCluster) -> None:
    reconcile(cluster, worker(pool()))
    before = {p["metadata"]["name"]: p["metadata"]["resourceVersion"] for p in pods(cluster)}
    reconcile(cluster, worker(pool()))
    assert {p["metadata"]["name"]: p["metadata"]["resourceVersion"] for p in pods(cluster)} == before


def test_pools_spread_over_zones_and_scale_within_minimum_and_maximum(cluster: LocalSeedCluster) -> None:
    reconcile(cluster, worker(pool(minimum=3, maximum=4, zones=["0", "1"])))
    by_zone = sorted(p["metadata"]["labels"]["topology.kubernetes.io/zone"] for p in pods(cluster))
    assert by_zone == ["0", "0", "1"]

    done = reconcile(cluster, worker(pool(minimum=1, maximum=1, zones=["0", "1"])))
    assert sorted(p["metadata"]["labels"]["topology.kubernetes.io/zone"] for p in pods(cluster)
                  if not p["metadata"].get("deletionTimestamp")) == ["0"]
    assert [(d["minimum"], d["maximum"]) for d in done.status["machineDeployments"]] == [(1, 1), (0, 0)]


def test_a_new_image_version_rolls_the_machines_within_surge_and_unavailability(cluster: LocalSeedCluster) -> None:
    reconcile(cluster, worker(pool(minimum=2, maximum=2)))
    old = {p["metadata"]["name"] for p in pods(cluster)}
    seen: list[list[JSON]] = []
    reconcile(cluster, worker(pool(minimum=2, maximum=2, machineImage={"name": "local", "version": "2.0.0"})), seen)

    now = [p for p in pods(cluster) if not p["metadata"].get("deletionTimestamp")]
    assert len(now) == 2 and not {p["metadata"]["name"] for p in now} & old
    assert all(p["spec"]["containers"][0]["image"].endswith(":2.0.0") for p in now)
    for observed in seen:  # maxSurge 1, maxUnavailable 0: 2 ready machines at every step, at most 3 in all
        alive = [p for p in observed if not p["metadata"].get("deletionTimestamp")]
        assert len(alive) <= 3
        assert sum(1 for p in alive if health.pod_ready(p)) >= 2


def test_a_patch_version_is_applied_in_place(cluster: LocalSeedCluster) -> None:
    reconcile(cluster, worker(pool()))
    before = {p["metadata"]["name"] for p in pods(cluster)}
    reconcile(cluster, worker(pool(kubernetesVersion="1.32.9")))
    after = pods(cluster)
    assert {p["metadata"]["name"] for p in after} == before
    assert after[0]["metadata"]["annotations"]["machine.hortus.dev/kubelet-version"] == "v1.32.9"


def test_user_data_comes_from_the_pools_secret(cluster: LocalSeedCluster) -> None:
    cluster.kube.apply({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "osc-result-x",
                                                                          "namespace": NAMESPACE},
                        "stringData": {"cloud_config": "#!/bin/bash\necho hi\n"}})
    reconcile(cluster, worker(pool(userDataSecretRef={"name": "osc-result-x", "key": "cloud_config"})))
    secret_name = pods(cluster)[0]["spec"]["volumes"][0]["secret"]["secretName"]
    secret = cluster.kube.get("v1", "Secret", secret_name, namespace=NAMESPACE)
    assert secret is not None
    import base64
    assert base64.b64decode(secret["data"]["userData"]) == b"#!/bin/bash\necho hi\n"


def test_delete_removes_every_machine_and_class(cluster: LocalSeedCluster) -> None:
    registration = Registry.load().get(kind=Kind.WORKER, type="local")
    reconcile(cluster, worker(pool(minimum=2, maximum=2)))
    ctx = cluster.context(NAMESPACE, shoot=shoot(), operation=Operation.DELETE)
    converge(lambda: driver.run(registration, ctx, worker(pool())), timeout=60)

    assert pods(cluster) == []
    assert cluster.kube.list("v1", "Secret", namespace=NAMESPACE, label_selector="gardener.cloud/purpose") == []
    assert cluster.kube.get(API_VERSION, "Worker", "ext", namespace=NAMESPACE) is None


def test_the_plugin_serves_the_local_kinds() -> None:
    assert sorted(r.id for r in plugin.resources) == [
        "ControlPlane/local", "DNSRecord/local", "Infrastructure/local", "OperatingSystemConfig/local",
        "Worker/local"]
    assert copy.deepcopy(plugin.resources[0].provider_config_schema) is None
