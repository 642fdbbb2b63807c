"""The cluster's own Nodes: ``local-node-0..n-1``, registered ready with their Leases, and node helpers.

``register`` is called by ``Simulation.prepare`` where the simulation owns its Nodes (the local seed cluster);
a shoot's API gets its Nodes from elsewhere (machine pods). ``ready``, ``schedulable`` and ``pod_cidr`` are used
by the kubelet and the DaemonSet controller for any Node, whoever registered it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from apiserver import errors, meta
from apiserver.context import system_context
from apiserver.server import ApiServer
from seed.local.sim import world
from seed.local.sim.controller import Controller
from seed.local.sim.world import Ref

JSON = dict[str, Any]
PREFIX = "local-node-"
KUBELET_VERSION = "v1.32.0"
# Node i gets 10.244.i.0/24 for its Pods and 172.18.0.(i+2) as its address, as kind lays out its nodes.
POD_CIDR = ipaddress.ip_network("10.244.0.0/16")
NODE_ADDRESS_BASE = ipaddress.ip_address("172.18.0.2")
NODE_LEASE_NAMESPACE = "kube-node-lease"


def node_body(index: int) -> JSON:
    name = f"{PREFIX}{index}"
    labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
              "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64"}
    cidr = str(list(POD_CIDR.subnets(new_prefix=24))[index])
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
            "spec": {"podCIDR": cidr, "podCIDRs": [cidr], "providerID": f"local://{name}"}}


def node_status(index: int) -> JSON:
    stamp = meta.now()
    name = f"{PREFIX}{index}"

    def condition(kind: str, status: str, reason: str, message: str) -> JSON:
        return {"type": kind, "status": status, "reason": reason, "message": message,
                "lastHeartbeatTime": stamp, "lastTransitionTime": stamp}

    resources = {"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi"}
    return {
        "conditions": [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                      "kubelet has sufficient memory available"),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "addresses": [{"type": "InternalIP", "address": str(NODE_ADDRESS_BASE + index)},
                      {"type": "Hostname", "address": name}],
        "capacity": dict(resources), "allocatable": dict(resources),
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {"machineID": f"{index:032x}", "systemUUID": f"{index:032x}", "bootID": f"{index:032x}",
                     "kernelVersion": "6.1.0-hortus", "osImage": "hortus local node", "operatingSystem": "linux",
                     "architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.24",
                     "kubeletVersion": KUBELET_VERSION, "kubeProxyVersion": KUBELET_VERSION},
    }


def register(api: ApiServer, *, count: int) -> None:
    """Create ``local-node-0..count-1`` ready, with their Leases; Nodes already there are left alone."""
    nodes = api.registry.get("", "v1", "nodes")
    if nodes is None:
        return
    for index in range(count):
        name = f"{PREFIX}{index}"
        if api.store.get(nodes.key, "", name) is not None:
            continue
        created = api.service.create(nodes, "", node_body(index), system_context())
        created["status"] = node_status(index)
        api.service.update(nodes, "", name, created, system_context(), subresource="status")
        _lease(api, name, created)


def _lease(api: ApiServer, name: str, node: JSON) -> None:
    leases = api.registry.get("coordination.k8s.io", "v1", "leases")
    if leases is None or api.store.get("core/namespaces", "", NODE_LEASE_NAMESPACE) is None:
        return
    body = {"metadata": {"name": name, "namespace": NODE_LEASE_NAMESPACE, "ownerReferences": [
        {"apiVersion": "v1", "kind": "Node", "name": name, "uid": node["metadata"]["uid"]}]},
        "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": _micro_now()}}
    try:
        api.service.create(leases, NODE_LEASE_NAMESPACE, body, system_context())
    except errors.ApiError as exc:
        if exc.code != 409:
            raise


def _micro_now() -> str:
    return meta.now().replace("Z", ".000000Z")


# --- node helpers ----------------------------------------------------------------------------------------------


def ready(node: JSON) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or [])


def address(node: JSON) -> str:
    found = {a.get("type"): a.get("address") for a in (node.get("status") or {}).get("addresses") or []}
    return str(found.get("InternalIP") or found.get("ExternalIP") or "")


def pod_cidr(node: JSON) -> str | None:
    cidr = (node.get("spec") or {}).get("podCIDR")
    return str(cidr) if cidr else None


class NodeController(Controller):
    """Keeps registered Nodes' heartbeats plausible: nothing to do in a simulation beyond telling others.

    Node changes matter to the kubelet (where Pods may run) and to DaemonSets (one Pod per ready Node); those
    controllers enqueue themselves from Node changes. This controller only exists so the list of controllers
    names every simulated concern, and it re-registers ``local-node-*`` Nodes deleted by a user, as a kubelet
    would.
    """

    name = "nodes"
    primary = (world.NODES,)

    def interested(self, change: Any) -> Iterable[Ref]:
        if change.resource == world.NODES and change.type == "DELETED" and change.name.startswith(PREFIX):
            yield change.resource, "", change.name

    def everything(self) -> Iterable[Ref]:
        return ()

    def reconcile(self, ref: Ref) -> None:
        count = self.sim.node_count or 0
        index = ref[2].removeprefix(PREFIX)
        if index.isdigit() and int(index) < count and self.world.get(*ref) is None:
            register(self.sim.api, count=count)
