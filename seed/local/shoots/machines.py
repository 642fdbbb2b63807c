"""Nodes from machines: the local provider's machine pods on the seed register as Nodes of their shoot's API.

``sync_nodes`` is called by ``seed.local.shoots.endpoints`` every round, for each shoot it serves. The convention
the local provider extension follows:

- a machine is a Pod in the shoot namespace ``shoot--<project>--<name>`` on the seed, labelled
  ``machine.hortus.dev/name=<machine>`` (and ``app=machine``, for its Services and NetworkPolicies);
- while that Pod is Running and Ready, Node ``<machine>`` in the shoot is Ready: capacity and allocatable from the
  first container's resource limits (else requests, else 2 CPUs, 4Gi, 110 pods), ``InternalIP`` = the Pod's IP,
  labels ``kubernetes.io/hostname``, ``node.kubernetes.io/instance-type`` (the Pod's label of that name, else
  ``local``) and every Pod label under ``node.kubernetes.io/``, ``topology.kubernetes.io/``,
  ``node-role.kubernetes.io/`` or ``worker.gardener.cloud/`` (the worker pool), plus the worker pool's labels and
  taints the Pod's annotations ``machine.hortus.dev/node-labels`` (a JSON object) and
  ``machine.hortus.dev/node-taints`` (a JSON list) carry; kubelet version from the Pod's annotation
  ``machine.hortus.dev/kubelet-version``, else the shoot API's version;
- when the Pod is not Ready or is terminating, the Node turns NotReady (``Ready=Unknown``, tainted
  ``node.kubernetes.io/unreachable``, as the node lifecycle controller does); when the Pod is gone, so is the Node.

Only Nodes labelled ``machine.hortus.dev/name`` are managed here; other Nodes of the shoot are left alone.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from apiserver import errors, meta
from apiserver.context import system_context
from apiserver.registry import ResourceType
from apiserver.server import ApiServer

JSON = dict[str, Any]
MACHINE_LABEL = "machine.hortus.dev/name"
KUBELET_VERSION_ANNOTATION = "machine.hortus.dev/kubelet-version"
NODE_LABELS_ANNOTATION = "machine.hortus.dev/node-labels"
NODE_TAINTS_ANNOTATION = "machine.hortus.dev/node-taints"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
COPIED_LABEL_PREFIXES = ("node.kubernetes.io/", "topology.kubernetes.io/", "node-role.kubernetes.io/",
                         "worker.gardener.cloud/")
DEFAULT_CAPACITY = {"cpu": "2", "memory": "4Gi", "pods": "110", "ephemeral-storage": "20Gi"}
UNREACHABLE = "node.kubernetes.io/unreachable"
_PRESSURES = (("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
              ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
              ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"))


def sync_nodes(seed: ApiServer, shoot: ApiServer, *, namespace: str) -> None:
    """Make the shoot's machine Nodes match the machine pods in ``namespace`` on the seed."""
    machines = machine_pods(seed, namespace)
    nodes_rt = _type(shoot, "", "nodes")
    found = shoot.service.list(nodes_rt, None, label_selector=MACHINE_LABEL).items
    managed = {n["metadata"]["name"]: n for n in found}
    for name, pod in machines.items():
        _apply(shoot, nodes_rt, pod=pod, old=managed.get(name))
    for name in managed.keys() - machines.keys():
        try:
            shoot.service.delete(nodes_rt, "", name, system_context())
        except errors.ApiError as exc:
            if exc.code != 404:
                raise


def machine_pods(seed: ApiServer, namespace: str) -> dict[str, JSON]:
    """Machine name -> its Pod in ``namespace`` on the seed."""
    pods = seed.service.list(_type(seed, "", "pods"), namespace, label_selector=MACHINE_LABEL).items
    return {p["metadata"]["labels"][MACHINE_LABEL]: p for p in pods}


def is_running(pod: JSON) -> bool:
    status = pod.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    return ready and status.get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp")


def node_for(pod: JSON) -> JSON:
    """Node metadata and spec for a machine pod (status: ``node_status``)."""
    name = pod["metadata"]["labels"][MACHINE_LABEL]
    annotations = pod["metadata"].get("annotations") or {}
    labels = {str(k): str(v) for k, v in _json(annotations.get(NODE_LABELS_ANNOTATION), {}).items()}
    labels.update({k: v for k, v in (pod["metadata"].get("labels") or {}).items()
                   if k.startswith(COPIED_LABEL_PREFIXES)})
    labels.setdefault(INSTANCE_TYPE_LABEL, "local")
    labels.update({MACHINE_LABEL: name, "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                   "kubernetes.io/arch": "amd64"})
    spec: JSON = {"providerID": f"local://{pod['metadata'].get('namespace', '')}/{pod['metadata']['name']}"}
    taints = [t for t in _json(annotations.get(NODE_TAINTS_ANNOTATION), []) if isinstance(t, dict) and t.get("key")]
    if not is_running(pod):
        taints += [{"key": UNREACHABLE, "effect": "NoSchedule"},
                   {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": meta.now()}]
    if taints:
        spec["taints"] = taints
    return {"metadata": {"name": name, "labels": labels}, "spec": spec}


def _json(text: str | None, default: Any) -> Any:
    """An annotation's JSON value, or ``default`` when it is missing or not of the default's type."""
    try:
        value = json.loads(text) if text else default
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def node_status(pod: JSON, *, version: str, old: JSON | None = None) -> JSON:
    """The status a machine pod gives its Node; condition times are kept while a condition holds."""
    name = pod["metadata"]["labels"][MACHINE_LABEL]
    capacity = capacity_of(pod)
    addresses = [{"type": "Hostname", "address": name}]
    if ip := (pod.get("status") or {}).get("podIP"):
        addresses.insert(0, {"type": "InternalIP", "address": ip})
    kubelet = (pod["metadata"].get("annotations") or {}).get(KUBELET_VERSION_ANNOTATION) or version
    return {
        "capacity": capacity, "allocatable": dict(capacity), "addresses": addresses,
        "conditions": _conditions(ready=is_running(pod), old=(old or {}).get("conditions") or []),
        "nodeInfo": {"kubeletVersion": kubelet, "kubeProxyVersion": kubelet, "operatingSystem": "linux",
                     "architecture": "amd64", "osImage": "hortus local machine", "kernelVersion": "",
                     "containerRuntimeVersion": "local://simulated", "machineID": pod["metadata"].get("uid", ""),
                     "systemUUID": pod["metadata"].get("uid", ""), "bootID": pod["metadata"].get("uid", "")},
    }


def capacity_of(pod: JSON) -> dict[str, str]:
    containers = (pod.get("spec") or {}).get("containers") or [{}]
    resources = containers[0].get("resources") or {}
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    return {k: str(limits.get(k) or requests.get(k) or default) for k, default in DEFAULT_CAPACITY.items()}


def _conditions(*, ready: bool, old: list[JSON]) -> list[JSON]:
    if ready:
        wanted = [(kind, "False", reason, message) for kind, reason, message in _PRESSURES]
        wanted.append(("Ready", "True", "KubeletReady", "kubelet is posting ready status"))
    else:
        wanted = [(kind, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
                  for kind in (*(p[0] for p in _PRESSURES), "Ready")]
    previous = {c.get("type"): c for c in old}
    stamp = meta.now()
    out = []
    for kind, status, reason, message in wanted:
        before = previous.get(kind) or {}
        since = before.get("lastTransitionTime") if before.get("status") == status else None
        heartbeat = before.get("lastHeartbeatTime") if since else None
        out.append({"type": kind, "status": status, "reason": reason, "message": message,
                    "lastHeartbeatTime": heartbeat or stamp, "lastTransitionTime": since or stamp})
    return out


def _type(api: ApiServer, group: str, plural: str) -> ResourceType:
    rt = api.registry.get(group, "v1", plural)
    assert rt is not None, f"a local cluster serves {plural}"
    return rt


def _apply(shoot: ApiServer, rt: ResourceType, *, pod: JSON, old: JSON | None) -> None:
    version = f"v1.{shoot.version_minor}.0"
    wanted = node_for(pod)
    if old is None:
        old = shoot.service.create(rt, "", wanted, system_context())
    elif _differs(old, wanted):
        new = copy.deepcopy(old)
        new["metadata"]["labels"] = wanted["metadata"]["labels"]
        new["spec"] = {**(old.get("spec") or {}), **wanted["spec"]}
        if "taints" not in wanted["spec"]:
            new["spec"].pop("taints", None)
        old = shoot.service.update(rt, "", old["metadata"]["name"], new, system_context())
    status = node_status(pod, version=version, old=old.get("status"))
    if status != old.get("status"):
        shoot.service.update(rt, "", old["metadata"]["name"], {**old, "status": status}, system_context(),
                             subresource="status")


def _differs(old: JSON, wanted: JSON) -> bool:
    spec = old.get("spec") or {}
    tainted = {(t.get("key"), t.get("value"), t.get("effect")) for t in spec.get("taints") or []}
    wants = {(t.get("key"), t.get("value"), t.get("effect")) for t in wanted["spec"].get("taints") or []}
    return (old["metadata"].get("labels") != wanted["metadata"]["labels"] or tainted != wants
            or spec.get("providerID") != wanted["spec"]["providerID"])
