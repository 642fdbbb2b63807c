"""The simulated scheduler and kubelet: binding, Pending → Running → Ready, readiness gates, crash loops,
graceful deletion."""

from __future__ import annotations

from typing import Any

from seed.local.sim import Delays
from tests.seed.local.sim.conftest import Cluster, new_cluster, ready

JSON = dict[str, Any]


def pod(name: str, image: str = "nginx:1.27", **spec: Any) -> JSON:
    return {"metadata": {"name": name}, "spec": {"containers": [{"name": "main", "image": image}], **spec}}


def condition(p: JSON, kind: str) -> str | None:
    return next((c["status"] for c in p["status"].get("conditions", []) if c["type"] == kind), None)


def test_pod_goes_pending_then_scheduled_running_and_ready_after_the_delays(timed: Cluster) -> None:
    delays = timed.sim.delays
    timed.create("Pod", pod("p"))
    timed.settle()
    assert timed.get("Pod", "p")["status"]["phase"] == "Pending"
    assert "nodeName" not in timed.get("Pod", "p")["spec"]
    timed.advance(delays.pod_scheduling + 0.001)
    p = timed.get("Pod", "p")
    assert p["spec"]["nodeName"].startswith("local-node-")
    assert (p["status"]["phase"], condition(p, "PodScheduled"), condition(p, "Ready")) == ("Pending", "True", "False")
    assert p["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    timed.advance(delays.image_pull + delays.container_start)
    p = timed.get("Pod", "p")
    assert p["status"]["phase"] == "Running" and not ready(p)
    assert p["status"]["containerStatuses"][0]["started"] is True
    timed.advance(delays.readiness)
    p = timed.get("Pod", "p")
    assert ready(p)
    status = p["status"]["containerStatuses"][0]
    assert status["ready"] is True and status["restartCount"] == 0 and "startedAt" in status["state"]["running"]
    assert status["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert [c["type"] for c in p["status"]["conditions"]] == [
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
    assert p["status"]["podIP"].startswith("10.244.") and p["status"]["hostIP"].startswith("172.18.0.")


def test_events_tell_the_story_of_a_pod(cluster: Cluster) -> None:
    cluster.create("Pod", pod("p", image="nginx"))
    cluster.settle()
    reasons = [e["reason"] for e in sorted(cluster.objects("Event"), key=lambda e: e["metadata"]["name"])]
    assert reasons == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    scheduled = cluster.events("Scheduled")[0]
    assert scheduled["source"] == {"component": "default-scheduler"}
    assert scheduled["message"].startswith("Successfully assigned default/p to local-node-")
    assert cluster.events("Started")[0]["involvedObject"]["fieldPath"] == "spec.containers{main}"


def test_pods_spread_over_nodes_with_distinct_ips(cluster: Cluster) -> None:
    for i in range(6):
        cluster.create("Pod", pod(f"p{i}"))
    cluster.settle()
    pods = cluster.objects("Pod")
    assert sorted(p["spec"]["nodeName"] for p in pods) == ["local-node-0", "local-node-0", "local-node-1",
                                                           "local-node-1", "local-node-2", "local-node-2"]
    assert len({p["status"]["podIP"] for p in pods}) == 6


def test_node_selector_and_affinity_choose_the_node(cluster: Cluster) -> None:
    cluster.create("Pod", pod("by-selector", nodeSelector={"kubernetes.io/hostname": "local-node-2"}))
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["local-node-1"]}]}]}}}
    cluster.create("Pod", pod("by-affinity", affinity=affinity))
    cluster.create("Pod", pod("nowhere", nodeSelector={"disk": "ssd"}))
    cluster.settle()
    assert cluster.get("Pod", "by-selector")["spec"]["nodeName"] == "local-node-2"
    assert cluster.get("Pod", "by-affinity")["spec"]["nodeName"] == "local-node-1"
    nowhere = cluster.get("Pod", "nowhere")
    assert "nodeName" not in nowhere["spec"] and condition(nowhere, "PodScheduled") == "False"
    assert cluster.events("FailedScheduling")[0]["type"] == "Warning"


def test_without_nodes_pods_stay_pending_until_a_node_is_ready() -> None:
    c = new_cluster(Delays.zero(), nodes=None)
    for node in c.objects("Node", None):  # registered by the seed's own simulation
        c.delete("Node", node["metadata"]["name"])
    c.create("Pod", pod("p"))
    c.settle()
    assert c.objects("Node", None) == [] and c.get("Pod", "p")["status"]["phase"] == "Pending"
    node = c.create("Node", {"metadata": {"name": "machine-0"}})
    node["status"] = {"conditions": [{"type": "Ready", "status": "True"}],
                      "addresses": [{"type": "InternalIP", "address": "10.0.0.5"}]}
    c.write_status("Node", node)
    c.settle()
    p = c.get("Pod", "p")
    assert p["spec"]["nodeName"] == "machine-0" and ready(p) and p["status"]["hostIP"] == "10.0.0.5"
    assert p["status"]["podIP"].startswith("10.250.")


def test_readiness_gates_hold_ready_until_their_condition_is_true(cluster: Cluster) -> None:
    cluster.create("Pod", pod("p", readinessGates=[{"conditionType": "example.com/lb"}]))
    cluster.settle()
    p = cluster.get("Pod", "p")
    assert condition(p, "ContainersReady") == "True" and condition(p, "Ready") == "False"
    assert next(c for c in p["status"]["conditions"] if c["type"] == "Ready")["reason"] == "ReadinessGatesNotReady"
    p["status"]["conditions"].append({"type": "example.com/lb", "status": "True"})
    cluster.write_status("Pod", p)
    cluster.settle()
    p = cluster.get("Pod", "p")
    assert ready(p)
    assert any(c["type"] == "example.com/lb" for c in p["status"]["conditions"])


def test_a_failing_image_crash_loops_with_a_growing_restart_count(timed: Cluster) -> None:
    timed.create("Pod", pod("p", image="registry.example/crash:v1"))
    timed.advance(timed.sim.delays.pod_ready)
    first = timed.get("Pod", "p")["status"]
    status = first["containerStatuses"][0]
    assert first["phase"] == "Running" and condition(timed.get("Pod", "p"), "Ready") == "False"
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["lastState"]["terminated"]["reason"] == "Error" and status["ready"] is False
    timed.advance(2.0, step=0.05)
    later = timed.get("Pod", "p")["status"]["containerStatuses"][0]
    assert later["restartCount"] > status["restartCount"] >= 1
    assert later["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert timed.events("BackOff")[0]["count"] > 1


def test_a_failing_init_container_keeps_the_pod_initializing(cluster: Cluster) -> None:
    cluster.create("Pod", pod("p", initContainers=[{"name": "init", "image": "registry.example/crash"}]))
    cluster.settle()
    p = cluster.get("Pod", "p")
    assert p["status"]["phase"] == "Pending" and condition(p, "Initialized") == "False"
    assert p["status"]["initContainerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert p["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "PodInitializing"}}


def test_init_containers_complete_before_the_pod_runs(cluster: Cluster) -> None:
    cluster.create("Pod", pod("p", initContainers=[{"name": "init", "image": "busybox:1.36"}]))
    cluster.settle()
    p = cluster.get("Pod", "p")
    assert ready(p)
    assert p["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"


def test_deleting_a_running_pod_marks_it_then_the_kubelet_removes_it(timed: Cluster) -> None:
    timed.create("Pod", pod("p"))
    timed.advance(1.0)
    marked = timed.delete("Pod", "p")
    assert marked["metadata"]["deletionTimestamp"] and marked["metadata"]["deletionGracePeriodSeconds"] == 30
    timed.settle()
    assert timed.find("Pod", "p") is not None
    timed.advance(timed.sim.delays.pod_termination + 0.01)
    assert timed.find("Pod", "p") is None
    assert timed.events("Killing")[0]["message"] == "Stopping container main"


def test_an_unscheduled_pod_is_deleted_at_once(timed: Cluster) -> None:
    timed.create("Pod", pod("p"))
    timed.delete("Pod", "p")
    assert timed.find("Pod", "p") is None


def test_status_is_not_rewritten_once_settled(cluster: Cluster) -> None:
    cluster.create("Pod", pod("p"))
    cluster.settle()
    rv = cluster.get("Pod", "p")["metadata"]["resourceVersion"]
    cluster.sim._resync()
    cluster.settle()
    assert cluster.get("Pod", "p")["metadata"]["resourceVersion"] == rv
