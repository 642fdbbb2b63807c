"""The simulated scheduler and kubelet: Pods are bound to a ready Node, then Pending → Running → Ready.

``Kubelet`` is one of ``Simulation``'s controllers. Each step waits its configured delay: scheduling counts from
when the Pod was first seen, the rest from binding (image pull and container start → Running, readiness →
Ready). A container whose image is listed as failing crashes at start and sits in CrashLoopBackOff with a
growing restartCount. A deleted Pod (given a grace period by the API server) is removed once its containers
stopped. The Pod's status is computed by ``seed.local.sim.podstatus`` from how far along it is.
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Iterable
from typing import Any

from apiserver.storage.store import Change
from seed.local.sim import events, nodes, podstatus, scheduling, world
from seed.local.sim.controller import Controller
from seed.local.sim.podstatus import Progress
from seed.local.sim.world import Ref

JSON = dict[str, Any]
SCHEDULER = "default-scheduler"
# Nodes without a podCIDR (registered by others) take Pod IPs from here.
FALLBACK_POD_CIDR = ipaddress.ip_network("10.250.0.0/16")


class Kubelet(Controller):
    name = "kubelet"
    primary = (world.PODS,)

    def __init__(self, sim: Any) -> None:
        super().__init__(sim)
        self._first_seen: dict[str, float] = {}
        self._bound_at: dict[str, float] = {}
        self._stopping_since: dict[str, float] = {}
        self._ips: set[str] | None = None
        self._cursor: dict[str, int] = {}
        self._next_node = 0

    def interested(self, change: Change) -> Iterable[Ref]:
        if change.resource == world.PODS:
            if change.type == "DELETED":
                self._forget(change.object)
            else:
                yield change.resource, change.namespace, change.name
        elif change.resource == world.NODES or change.resource == world.PVCS:
            # A Node became ready or a claim bound: Pods that waited for it may be scheduled now.
            namespace = change.namespace if change.resource == world.PVCS else None
            yield from (world.ref_of(world.PODS, p) for p in self.world.objects(world.PODS, namespace)
                        if not (p.get("spec") or {}).get("nodeName"))

    def _forget(self, pod: JSON) -> None:
        uid = world.uid(pod)
        for memory in (self._first_seen, self._bound_at, self._stopping_since):
            memory.pop(uid, None)
        ip = (pod.get("status") or {}).get("podIP")
        if self._ips is not None and ip and not (pod.get("spec") or {}).get("hostNetwork"):
            self._ips.discard(ip)

    def reconcile(self, ref: Ref) -> None:
        pod = self.world.get(*ref)
        if pod is None:
            return
        if pod["metadata"].get("deletionTimestamp"):
            self._stop(ref, pod)
        elif not pod["spec"].get("nodeName"):
            self._schedule(ref, pod)
        else:
            node = self.world.get(world.NODES, "", pod["spec"]["nodeName"])
            if node is not None and nodes.ready(node):
                self._run(ref, pod, node)

    # --- the scheduler -----------------------------------------------------------------------------------------

    def _schedule(self, ref: Ref, pod: JSON) -> None:
        if pod["spec"].get("schedulerName", SCHEDULER) != SCHEDULER:
            return  # another scheduler's Pod stays Pending, as on a cluster that does not run that scheduler
        seen = self._first_seen.setdefault(world.uid(pod), self.sim.clock())
        wait = seen + self.sim.delays.pod_scheduling - self.sim.clock()
        if wait > 0:
            self.sim.after(wait, self, ref)
            return
        if self._unbound_claims(pod):
            self._unschedulable(pod, "pod has unbound immediate PersistentVolumeClaims. preemption: 0/"
                                f"{len(self.world.objects(world.NODES))} nodes are available: "
                                "Preemption is not helpful for scheduling.")
            return
        node = self._choose(pod)
        if node is None:
            count = len(self.world.objects(world.NODES))
            self._unschedulable(pod, f"0/{count} nodes are available: {count} node(s) didn't match Pod's node "
                                "affinity/selector or were not ready. preemption: 0/"
                                f"{count} nodes are available: Preemption is not helpful for scheduling.")
            return
        bound = copy.deepcopy(pod)
        bound["spec"]["nodeName"] = node["metadata"]["name"]
        stored = self.world.update(world.PODS, bound)
        if stored is None:
            return
        self._bound_at[world.uid(stored)] = self.sim.clock()
        md = stored["metadata"]
        target = node["metadata"]["name"]
        self.events.record(stored, reason="Scheduled", component=SCHEDULER,
                           message=f"Successfully assigned {md['namespace']}/{md['name']} to {target}")
        self._run(ref, stored, node)

    def _unbound_claims(self, pod: JSON) -> bool:
        namespace = pod["metadata"]["namespace"]
        for volume in pod["spec"].get("volumes") or []:
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                pvc = self.world.get(world.PVCS, namespace, claim)
                if pvc is None or (pvc.get("status") or {}).get("phase") != "Bound":
                    return True
        return False

    def _choose(self, pod: JSON) -> JSON | None:
        """The next feasible Node in turn: Pods spread over the Nodes as the default scheduler spreads them."""
        candidates = sorted(self.world.objects(world.NODES), key=lambda n: str(n["metadata"]["name"]))
        for step in range(len(candidates)):
            node = candidates[(self._next_node + step) % len(candidates)]
            if scheduling.feasible(pod["spec"], node):
                self._next_node = (self._next_node + step + 1) % len(candidates)
                return node
        return None

    def _unschedulable(self, pod: JSON, message: str) -> None:
        status = copy.deepcopy(pod.get("status") or {})
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        previous = podstatus.condition_of(pod, "PodScheduled")
        if previous and previous.get("status") == "False" and previous.get("message") == message:
            return
        conditions.append({"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                           "message": message, "lastProbeTime": None,
                           "lastTransitionTime": podstatus.stamp()})
        status["conditions"] = conditions
        stored = self.world.update(world.PODS, {**pod, "status": status}, subresource="status")
        if stored is not None:
            self.events.record(stored, reason="FailedScheduling", message=message, component=SCHEDULER,
                               type_=events.WARNING)

    # --- the kubelet -------------------------------------------------------------------------------------------

    def _run(self, ref: Ref, pod: JSON, node: JSON) -> None:
        elapsed = self.sim.clock() - self._bound_at.setdefault(world.uid(pod), self.sim.clock())
        progress = podstatus.progress(pod, elapsed=elapsed, delays=self.sim.delays,
                                      failing=self.sim.failing_images)
        status = podstatus.status(pod, progress, host_ip=nodes.address(node), pod_ip=self._pod_ip(pod, node))
        if status != pod.get("status"):
            stored = self.world.update(world.PODS, {**pod, "status": status}, subresource="status")
            if stored is not None:
                self._record(stored, before=podstatus.observed(pod), after=progress, node=node)
        if progress.next_in is not None:
            self.sim.after(progress.next_in, self, ref)

    def _record(self, pod: JSON, *, before: Progress, after: Progress, node: JSON) -> None:
        host = node["metadata"]["name"]
        containers = [*podstatus.init_containers(pod["spec"]), *(pod["spec"].get("containers") or [])]
        for container in containers:
            name = container["name"]
            field = podstatus.field_path(pod["spec"], name)

            def say(reason: str, message: str, type_: str = events.NORMAL, _field: str = field) -> None:
                self.events.record(pod, reason=reason, message=message, component="kubelet", host=host,
                                   field_path=_field, type_=type_)

            if name in after.started and name not in before.started:
                image = container.get("image", "")
                if container.get("imagePullPolicy") == "Always":
                    say("Pulling", f'Pulling image "{image}"')
                    say("Pulled", f'Successfully pulled image "{image}" in 100ms (100ms including waiting). '
                                  "Image size: 0 bytes.")
                else:
                    say("Pulled", f'Container image "{image}" already present on machine')
                say("Created", f"Created container: {name}")
                say("Started", f"Started container {name}")
            if after.crashes.get(name, 0) > before.crashes.get(name, 0):
                md = pod["metadata"]
                say("BackOff", f"Back-off restarting failed container {name} in pod "
                               f"{md['name']}_{md['namespace']}({md['uid']})", events.WARNING)

    def _pod_ip(self, pod: JSON, node: JSON) -> str:
        status = pod.get("status") or {}
        if status.get("podIP"):
            return str(status["podIP"])
        if pod["spec"].get("hostNetwork"):
            return nodes.address(node)
        if self._ips is None:
            self._ips = {str((p.get("status") or {}).get("podIP")) for p in self.world.objects(world.PODS)
                         if (p.get("status") or {}).get("podIP") and not (p.get("spec") or {}).get("hostNetwork")}
        network = ipaddress.ip_network(nodes.pod_cidr(node) or FALLBACK_POD_CIDR)
        size = network.num_addresses - 3  # the network, the gateway (.1) and broadcast addresses are not Pods'
        start = self._cursor.get(str(network), 0)
        for step in range(size):
            ip = str(network.network_address + 2 + (start + step) % size)
            if ip not in self._ips:
                self._ips.add(ip)
                self._cursor[str(network)] = (start + step + 1) % size
                return ip
        return ""  # the range is full: the Pod runs without an IP rather than with a duplicate one

    # --- termination -------------------------------------------------------------------------------------------

    def _stop(self, ref: Ref, pod: JSON) -> None:
        uid = world.uid(pod)
        if uid not in self._stopping_since:
            self._stopping_since[uid] = self.sim.clock()
            host = pod["spec"].get("nodeName", "")
            for container in pod["spec"].get("containers") or []:
                self.events.record(pod, reason="Killing", message=f"Stopping container {container['name']}",
                                   component="kubelet", host=host,
                                   field_path=podstatus.field_path(pod["spec"], container["name"]))
        wait = self._stopping_since[uid] + self.sim.delays.pod_termination - self.sim.clock()
        if wait > 0:
            self.sim.after(wait, self, ref)
            return
        self.world.delete(*ref, gracePeriodSeconds=0, preconditions={"uid": uid})
