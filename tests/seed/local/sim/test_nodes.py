"""The seed's own Nodes: registered ready at start, with Leases; none for a simulation told not to."""

from __future__ import annotations

from seed.local.sim import Delays, Simulation
from seed.local.sim.nodes import ready
from tests.seed.local.sim.conftest import Cluster, new_cluster


def test_three_ready_nodes_with_addresses_and_pod_cidrs(cluster: Cluster) -> None:
    nodes = sorted(cluster.objects("Node", None), key=lambda n: n["metadata"]["name"])
    assert [n["metadata"]["name"] for n in nodes] == ["local-node-0", "local-node-1", "local-node-2"]
    assert all(ready(n) for n in nodes)
    assert [n["spec"]["podCIDR"] for n in nodes] == ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"]
    assert nodes[1]["status"]["addresses"][0] == {"type": "InternalIP", "address": "172.18.0.3"}
    assert nodes[0]["status"]["nodeInfo"]["kubeletVersion"] == "v1.32.0"
    lease = cluster.api.store.get("coordination.k8s.io/leases", "kube-node-lease", "local-node-0")
    assert lease is not None and lease["spec"]["holderIdentity"] == "local-node-0"


def test_nodes_none_registers_no_nodes() -> None:
    c = new_cluster(Delays.zero(), nodes=None)
    for node in c.objects("Node", None):
        c.delete("Node", node["metadata"]["name"])
    fresh = Simulation(c.api, nodes=None)
    fresh.settle()
    assert c.objects("Node", None) == []
    c.api.store.engine.dispose()


def test_a_deleted_local_node_registers_again(cluster: Cluster) -> None:
    cluster.settle()
    cluster.delete("Node", "local-node-1")
    cluster.settle()
    assert ready(cluster.get("Node", "local-node-1"))
