"""The simulated Deployment controller: ReplicaSets, rolling updates within maxSurge/maxUnavailable, status."""

from __future__ import annotations

from typing import Any

from seed.local.sim.deployments import template_hash
from tests.seed.local.sim.conftest import Cluster, deployment, ready

JSON = dict[str, Any]


def test_creates_a_replicaset_named_by_template_hash_owning_ready_pods(cluster: Cluster) -> None:
    cluster.create("Deployment", deployment("web"))
    cluster.settle()
    (rs,) = cluster.objects("ReplicaSet")
    d = cluster.get("Deployment", "web")
    hashed = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{hashed}"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": hashed}
    assert rs["metadata"]["ownerReferences"][0] | {"uid": ""} == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "", "controller": True,
        "blockOwnerDeletion": True}
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    pods = cluster.objects("Pod")
    assert len(pods) == 3 and all(ready(p) for p in pods)
    assert {p["metadata"]["ownerReferences"][0]["uid"] for p in pods} == {rs["metadata"]["uid"]}
    assert all(p["metadata"]["name"].startswith(f"web-{hashed}-") for p in pods)


def test_status_reports_counts_generation_and_conditions(cluster: Cluster) -> None:
    cluster.create("Deployment", deployment("web"))
    cluster.settle()
    status = cluster.get("Deployment", "web")["status"]
    assert {k: status[k] for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                                   "observedGeneration")} == {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
                                                              "availableReplicas": 3, "observedGeneration": 1}
    conditions = {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}
    assert conditions == {"Available": ("True", "MinimumReplicasAvailable"),
                          "Progressing": ("True", "NewReplicaSetAvailable")}


def test_pod_template_hash_is_stable_and_in_the_safe_alphabet() -> None:
    template = deployment("web")["spec"]["template"]
    assert template_hash(template) == template_hash(dict(template))
    assert template_hash(template) != template_hash(template, 1)
    assert set(template_hash(template)) <= set("bcdfghjklmnpqrstvwxz2456789")


def _watch_rollout(cluster: Cluster, total_limit: int, available_floor: int) -> None:
    """Step the rollout on the fake clock, checking the Pod counts after every step."""
    for _ in range(400):
        cluster.advance(0.02, step=0.02)
        pods = [p for p in cluster.objects("Pod") if not p["metadata"].get("deletionTimestamp")]
        assert len(pods) <= total_limit
        assert sum(1 for p in pods if ready(p)) >= available_floor
        d = cluster.get("Deployment", "web")
        if d["status"].get("updatedReplicas") == 4 and d["status"].get("replicas") == 4 and \
                d["status"].get("availableReplicas") == 4:
            return
    raise AssertionError("the rollout did not finish")


def test_rolling_update_stays_within_max_surge_and_max_unavailable(timed: Cluster) -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    timed.create("Deployment", deployment("web", replicas=4, strategy=strategy))
    timed.advance(1.0)

    def new_image(d: JSON) -> None:
        d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"

    timed.change("Deployment", "web", new_image)
    _watch_rollout(timed, total_limit=5, available_floor=4)
    timed.advance(0.5)
    sets = {rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: rs["spec"]["replicas"]
            for rs in timed.objects("ReplicaSet")}
    assert sets == {"1": 0, "2": 4}
    images = {p["spec"]["containers"][0]["image"] for p in timed.objects("Pod")}
    assert images == {"nginx:1.28"}
    status = timed.get("Deployment", "web")["status"]
    assert status["observedGeneration"] == 2
    assert [c["reason"] for c in status["conditions"] if c["type"] == "Progressing"] == ["NewReplicaSetAvailable"]
    assert any("Scaled down replica set" in e["message"] for e in timed.events("ScalingReplicaSet"))


def test_rolling_update_with_max_unavailable_keeps_the_floor(timed: Cluster) -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 2}}
    timed.create("Deployment", deployment("web", replicas=4, strategy=strategy))
    timed.advance(1.0)
    timed.change("Deployment", "web", lambda d: d["spec"]["template"]["metadata"]["labels"].update(v="2"))
    _watch_rollout(timed, total_limit=4, available_floor=2)


def test_scales_to_zero_and_back(cluster: Cluster) -> None:
    cluster.create("Deployment", deployment("web"))
    cluster.settle()
    cluster.change("Deployment", "web", lambda d: d["spec"].update(replicas=0))
    cluster.settle()
    assert cluster.objects("Pod") == []
    status = cluster.get("Deployment", "web")["status"]
    assert "replicas" not in status and status["observedGeneration"] == 2
    cluster.change("Deployment", "web", lambda d: d["spec"].update(replicas=2))
    cluster.settle()
    assert len([p for p in cluster.objects("Pod") if ready(p)]) == 2
    assert len(cluster.objects("ReplicaSet")) == 1
    assert cluster.get("Deployment", "web")["status"]["availableReplicas"] == 2


def test_recreate_starts_new_pods_only_after_the_old_ones_are_gone(timed: Cluster) -> None:
    timed.create("Deployment", deployment("web", replicas=2, strategy={"type": "Recreate"}))
    timed.advance(1.0)
    timed.change("Deployment", "web", lambda d: d["spec"]["template"]["metadata"]["labels"].update(v="2"))
    for _ in range(200):
        timed.advance(0.02, step=0.02)
        revisions = {p["metadata"]["labels"]["pod-template-hash"] for p in timed.objects("Pod")}
        assert len(revisions) <= 1
        if timed.get("Deployment", "web")["status"].get("updatedReplicas") == 2:
            break
    timed.advance(1.0)
    assert timed.get("Deployment", "web")["status"]["availableReplicas"] == 2


def test_rollback_to_an_old_template_reuses_its_replicaset(cluster: Cluster) -> None:
    cluster.create("Deployment", deployment("web", replicas=1))
    cluster.settle()
    cluster.change("Deployment", "web", lambda d: d["spec"]["template"]["metadata"]["labels"].update(v="2"))
    cluster.settle()
    cluster.change("Deployment", "web", lambda d: d["spec"]["template"]["metadata"]["labels"].pop("v"))
    cluster.settle()
    sets = cluster.objects("ReplicaSet")
    assert len(sets) == 2
    current = next(rs for rs in sets if rs["spec"]["replicas"] == 1)
    assert current["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert "v" not in current["spec"]["template"]["metadata"]["labels"]
