"""The simulated StatefulSet controller: ordinal Pods in order, PVCs from templates kept through scale-down."""

from __future__ import annotations

from typing import Any

from tests.seed.local.sim.conftest import Cluster, ready

JSON = dict[str, Any]


def stateful_set(name: str, replicas: int = 3, **spec: Any) -> JSON:
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                     "resources": {"requests": {"storage": "1Gi"}}}}
    return {"metadata": {"name": name}, "spec": {
        "replicas": replicas, "serviceName": name, "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "main", "image": "etcd:3.5"}]}},
        "volumeClaimTemplates": [claim], **spec}}


def test_creates_ordinal_pods_one_at_a_time_each_after_the_previous_is_ready(timed: Cluster) -> None:
    timed.create("StatefulSet", stateful_set("db"))
    seen: list[list[str]] = []
    for _ in range(300):
        timed.advance(0.02, step=0.02)
        pods = sorted(timed.objects("Pod"), key=lambda p: p["metadata"]["name"])
        names = [p["metadata"]["name"] for p in pods]
        if not seen or seen[-1] != names:
            seen.append(names)
            assert all(ready(p) for p in pods[:-1]), "a Pod was created before its predecessor was ready"
        if len(pods) == 3 and all(ready(p) for p in pods):
            break
    assert seen == [["db-0"], ["db-0", "db-1"], ["db-0", "db-1", "db-2"]]
    pod = timed.get("Pod", "db-1")
    assert pod["spec"]["hostname"] == "db-1" and pod["spec"]["subdomain"] == "db"
    assert pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "1"
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-1"}} in pod["spec"]["volumes"]


def test_status_counts_and_revisions(cluster: Cluster) -> None:
    cluster.create("StatefulSet", stateful_set("db"))
    cluster.settle()
    status = cluster.get("StatefulSet", "db")["status"]
    assert status["currentRevision"] == status["updateRevision"]
    assert status["updateRevision"].startswith("db-")
    assert {k: status[k] for k in ("replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                                   "availableReplicas", "observedGeneration")} == {
        "replicas": 3, "readyReplicas": 3, "currentReplicas": 3, "updatedReplicas": 3, "availableReplicas": 3,
        "observedGeneration": 1}


def test_claims_bind_and_are_kept_through_scale_to_zero(cluster: Cluster) -> None:
    cluster.create("StatefulSet", stateful_set("db", replicas=2))
    cluster.settle()
    claims = {c["metadata"]["name"]: c for c in cluster.objects("PersistentVolumeClaim")}
    assert sorted(claims) == ["data-db-0", "data-db-1"]
    assert all(c["status"]["phase"] == "Bound" for c in claims.values())
    cluster.change("StatefulSet", "db", lambda s: s["spec"].update(replicas=0))
    cluster.settle()
    assert cluster.objects("Pod") == []
    assert sorted(c["metadata"]["name"] for c in cluster.objects("PersistentVolumeClaim")) == ["data-db-0", "data-db-1"]
    cluster.change("StatefulSet", "db", lambda s: s["spec"].update(replicas=2))
    cluster.settle()
    assert all(ready(p) for p in cluster.objects("Pod")) and len(cluster.objects("Pod")) == 2
    assert {c["metadata"]["uid"] for c in cluster.objects("PersistentVolumeClaim")} == {
        c["metadata"]["uid"] for c in claims.values()}


def test_scale_down_removes_the_highest_ordinal_first(timed: Cluster) -> None:
    timed.create("StatefulSet", stateful_set("db"))
    timed.advance(2.0)
    timed.change("StatefulSet", "db", lambda s: s["spec"].update(replicas=1))
    timed.settle()
    assert sorted(p["metadata"]["name"] for p in timed.objects("Pod") if p["metadata"].get("deletionTimestamp")) == \
        ["db-2"]
    timed.advance(1.0)
    assert [p["metadata"]["name"] for p in timed.objects("Pod")] == ["db-0"]


def test_a_template_change_rolls_every_pod_to_the_update_revision(cluster: Cluster) -> None:
    cluster.create("StatefulSet", stateful_set("db"))
    cluster.settle()
    before = cluster.get("StatefulSet", "db")["status"]["currentRevision"]
    cluster.change("StatefulSet", "db", lambda s: s["spec"]["template"]["metadata"]["labels"].update(v="2"))
    cluster.settle()
    status = cluster.get("StatefulSet", "db")["status"]
    assert status["updateRevision"] != before and status["currentRevision"] == status["updateRevision"]
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in cluster.objects("Pod")} == {
        status["updateRevision"]}
    assert status["updatedReplicas"] == 3


def test_parallel_policy_creates_all_pods_at_once(timed: Cluster) -> None:
    timed.create("StatefulSet", stateful_set("db", podManagementPolicy="Parallel"))
    timed.advance(0.2)
    assert len(timed.objects("Pod")) == 3
