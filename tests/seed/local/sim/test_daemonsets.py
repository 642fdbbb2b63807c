"""The simulated DaemonSet controller: one Pod per ready Node, node selectors, status."""

from __future__ import annotations

from typing import Any

from tests.seed.local.sim.conftest import Cluster, ready

JSON = dict[str, Any]


def daemon_set(name: str, **template_spec: Any) -> JSON:
    return {"metadata": {"name": name}, "spec": {
        "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "agent", "image": "agent:1"}], **template_spec}}}}


def add_node(cluster: Cluster, name: str, ready_: str = "True", **labels: str) -> None:
    node = cluster.create("Node", {"metadata": {"name": name, "labels": labels}})
    node["status"] = {"conditions": [{"type": "Ready", "status": ready_}],
                      "addresses": [{"type": "InternalIP", "address": "10.0.0.9"}]}
    cluster.write_status("Node", node)


def test_places_one_ready_pod_on_each_ready_node(cluster: Cluster) -> None:
    add_node(cluster, "not-ready", ready_="False")
    cluster.create("DaemonSet", daemon_set("agent"))
    cluster.settle()
    pods = cluster.objects("Pod")
    assert sorted(p["spec"]["nodeName"] for p in pods) == ["local-node-0", "local-node-1", "local-node-2"]
    assert all(ready(p) for p in pods)
    status = cluster.get("DaemonSet", "agent")["status"]
    assert {k: status[k] for k in ("desiredNumberScheduled", "currentNumberScheduled", "numberReady",
                                   "updatedNumberScheduled", "numberAvailable", "numberMisscheduled")} == {
        "desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 3, "updatedNumberScheduled": 3,
        "numberAvailable": 3, "numberMisscheduled": 0}


def test_a_new_ready_node_gets_a_daemon_pod(cluster: Cluster) -> None:
    cluster.create("DaemonSet", daemon_set("agent"))
    cluster.settle()
    add_node(cluster, "extra")
    cluster.settle()
    assert "extra" in {p["spec"]["nodeName"] for p in cluster.objects("Pod")}
    assert cluster.get("DaemonSet", "agent")["status"]["numberReady"] == 4


def test_node_selector_limits_the_nodes(cluster: Cluster) -> None:
    cluster.create("DaemonSet", daemon_set("agent", nodeSelector={"kubernetes.io/hostname": "local-node-1"}))
    cluster.settle()
    assert [p["spec"]["nodeName"] for p in cluster.objects("Pod")] == ["local-node-1"]
    assert cluster.get("DaemonSet", "agent")["status"]["desiredNumberScheduled"] == 1


def test_a_template_change_replaces_the_pods(cluster: Cluster) -> None:
    cluster.create("DaemonSet", daemon_set("agent"))
    cluster.settle()
    old = {p["metadata"]["uid"] for p in cluster.objects("Pod")}
    cluster.change("DaemonSet", "agent", lambda d: d["spec"]["template"]["metadata"]["labels"].update(v="2"))
    cluster.settle()
    pods = cluster.objects("Pod")
    assert len(pods) == 3 and not old & {p["metadata"]["uid"] for p in pods}
    assert cluster.get("DaemonSet", "agent")["status"]["updatedNumberScheduled"] == 3
