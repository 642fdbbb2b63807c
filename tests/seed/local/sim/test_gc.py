"""ownerReference garbage collection: background, foreground and orphan propagation."""

from __future__ import annotations

from typing import Any

from seed.local.server import create_local_seed
from tests.seed.local.sim.conftest import Cluster, deployment

JSON = dict[str, Any]


def owned_config_map(name: str, owner: JSON, *, block: bool = True) -> JSON:
    ref = {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
           "uid": owner["metadata"]["uid"], "blockOwnerDeletion": block}
    return {"metadata": {"name": name, "ownerReferences": [ref]}}


def test_background_deletion_removes_the_whole_tree(cluster: Cluster) -> None:
    cluster.create("Deployment", deployment("web"))
    cluster.settle()
    gone = cluster.delete("Deployment", "web", propagationPolicy="Background")
    assert "deletionTimestamp" not in gone["metadata"] or cluster.find("Deployment", "web") is None
    cluster.settle()
    assert cluster.objects("ReplicaSet") == [] and cluster.objects("Pod") == []


def test_dependents_of_any_kind_are_collected(cluster: Cluster) -> None:
    owner = cluster.create("ConfigMap", {"metadata": {"name": "owner"}})
    cluster.create("ConfigMap", owned_config_map("child", owner))
    cluster.delete("ConfigMap", "owner")
    cluster.settle()
    assert cluster.find("ConfigMap", "child") is None


def test_a_dependent_with_another_living_owner_survives(cluster: Cluster) -> None:
    a = cluster.create("ConfigMap", {"metadata": {"name": "a"}})
    b = cluster.create("ConfigMap", {"metadata": {"name": "b"}})
    child = owned_config_map("child", a)
    child["metadata"]["ownerReferences"] += owned_config_map("x", b)["metadata"]["ownerReferences"]
    cluster.create("ConfigMap", child)
    cluster.delete("ConfigMap", "a")
    cluster.settle()
    refs = cluster.get("ConfigMap", "child")["metadata"]["ownerReferences"]
    assert [r["name"] for r in refs] == ["b"]


def test_foreground_deletion_keeps_the_owner_until_its_blocking_dependents_are_gone(timed: Cluster) -> None:
    timed.create("Deployment", deployment("web", replicas=2))
    timed.advance(1.0)
    marked = timed.delete("Deployment", "web", propagationPolicy="Foreground")
    assert marked["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert marked["metadata"]["deletionTimestamp"]
    timed.settle()
    # The Pods are terminating (grace period), so the ReplicaSet and the Deployment wait for them.
    assert timed.find("Deployment", "web") is not None
    assert all(p["metadata"].get("deletionTimestamp") for p in timed.objects("Pod"))
    timed.advance(1.0)
    assert timed.find("Deployment", "web") is None
    assert timed.objects("ReplicaSet") == [] and timed.objects("Pod") == []


def test_orphan_deletion_leaves_dependents_without_the_reference(cluster: Cluster) -> None:
    cluster.create("Deployment", deployment("web", replicas=1))
    cluster.settle()
    marked = cluster.delete("Deployment", "web", propagationPolicy="Orphan")
    assert marked["metadata"]["finalizers"] == ["orphan"]
    cluster.settle()
    assert cluster.find("Deployment", "web") is None
    (rs,) = cluster.objects("ReplicaSet")
    assert "ownerReferences" not in rs["metadata"]
    assert len(cluster.objects("Pod")) == 1


def test_a_server_without_a_collector_ignores_propagation_policy() -> None:
    _app, api = create_local_seed(None, token="t")
    api.service.gc_enabled = False
    cluster = Cluster(api, None, None)  # type: ignore[arg-type]
    cluster.create("ConfigMap", {"metadata": {"name": "owner"}})
    gone = cluster.delete("ConfigMap", "owner", propagationPolicy="Foreground")
    assert "finalizers" not in gone["metadata"] and cluster.find("ConfigMap", "owner") is None
    api.store.engine.dispose()
