"""Events written by the simulation: kinds of objects, sources, and aggregation of repeats."""

from __future__ import annotations

from seed.local.sim.events import Recorder
from tests.seed.local.sim.conftest import Cluster, deployment


def test_controllers_record_what_they_did(cluster: Cluster) -> None:
    cluster.create("Deployment", deployment("web", replicas=2))
    cluster.settle()
    scaling = cluster.events("ScalingReplicaSet")
    assert len(scaling) == 1 and scaling[0]["involvedObject"]["kind"] == "Deployment"
    assert scaling[0]["message"].startswith("Scaled up replica set web-") and scaling[0]["message"].endswith(
        "from 0 to 2")
    created = cluster.events("SuccessfulCreate")
    assert len(created) == 2 and {e["source"]["component"] for e in created} == {"replicaset-controller"}
    assert {e["reason"] for e in cluster.objects("Event")} >= {"Scheduled", "Pulled", "Created", "Started"}


def test_the_same_event_twice_is_counted_not_duplicated(cluster: Cluster) -> None:
    owner = cluster.create("ConfigMap", {"metadata": {"name": "x"}})
    recorder = Recorder(cluster.api)
    for _ in range(3):
        recorder.record(owner, reason="Tested", message="same", component="test")
    recorder.record(owner, reason="Tested", message="other", component="test")
    tested = sorted(cluster.events("Tested"), key=lambda e: e["message"])
    assert [(e["message"], e["count"]) for e in tested] == [("other", 1), ("same", 3)]
    assert tested[1]["involvedObject"]["uid"] == owner["metadata"]["uid"]
