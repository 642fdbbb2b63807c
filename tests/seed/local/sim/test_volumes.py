"""PVC binding: a provisioned PersistentVolume per claim, both Bound; the volume goes with its claim."""

from __future__ import annotations

from tests.seed.local.sim.conftest import Cluster

CLAIM = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                 "resources": {"requests": {"storage": "5Gi"}}}}


def test_a_claim_binds_to_a_provisioned_volume_after_the_delay(timed: Cluster) -> None:
    claim = timed.create("PersistentVolumeClaim", CLAIM)
    timed.settle()
    assert timed.get("PersistentVolumeClaim", "data")["status"]["phase"] == "Pending"
    timed.advance(timed.sim.delays.pvc_binding + 0.01)
    bound = timed.get("PersistentVolumeClaim", "data")
    volume = timed.get("PersistentVolume", f"pvc-{claim['metadata']['uid']}")
    assert bound["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"}}
    assert bound["spec"]["volumeName"] == volume["metadata"]["name"]
    assert volume["status"]["phase"] == "Bound"
    assert volume["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    assert volume["spec"]["capacity"] == {"storage": "5Gi"}


def test_a_pod_waits_for_its_claim_to_bind(timed: Cluster) -> None:
    timed.create("Pod", {"metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "main", "image": "nginx:1.27"}],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}})
    timed.advance(0.5)
    assert "nodeName" not in timed.get("Pod", "p")["spec"]
    timed.create("PersistentVolumeClaim", CLAIM)
    timed.advance(0.5)
    assert timed.get("Pod", "p")["spec"]["nodeName"].startswith("local-node-")


def test_the_volume_is_deleted_with_its_claim(cluster: Cluster) -> None:
    cluster.create("PersistentVolumeClaim", CLAIM)
    cluster.settle()
    assert len(cluster.objects("PersistentVolume", None)) == 1
    cluster.delete("PersistentVolumeClaim", "data")
    cluster.settle()
    assert cluster.objects("PersistentVolume", None) == []
