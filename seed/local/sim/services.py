"""Services: LoadBalancer addresses from a pool, and an Endpoints object per Service following its Pods.

Two of ``Simulation``'s controllers. ``LoadBalancers`` gives a ``type: LoadBalancer`` Service an ingress IP from
the pool after the provisioning delay (``spec.loadBalancerIP`` when free); an address is free again once no
Service holds it. ``EndpointsController`` keeps ``Endpoints/<service>`` listing the Pods the selector matches:
ready ones under ``addresses``, the others under ``notReadyAddresses``, with the target ports resolved.
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Iterable
from typing import Any

from apiserver import selectors
from apiserver.storage.store import Change
from seed.local.sim import world
from seed.local.sim.controller import Controller
from seed.local.sim.replicasets import pod_ready
from seed.local.sim.world import Ref

JSON = dict[str, Any]
COMPONENT = "service-controller"


def ingress_ips(service: JSON) -> list[str]:
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return [str(i["ip"]) for i in ingress if i.get("ip")]


def is_load_balancer(service: JSON) -> bool:
    return (service.get("spec") or {}).get("type") == "LoadBalancer"


class LoadBalancers(Controller):
    name = "load-balancers"
    primary = (world.SERVICES,)

    def __init__(self, sim: Any) -> None:
        super().__init__(sim)
        self._first_seen: dict[str, float] = {}

    def interested(self, change: Change) -> Iterable[Ref]:
        if change.resource == world.SERVICES and change.type == "DELETED":
            self._first_seen.pop(world.uid(change.object), None)
        yield from super().interested(change)

    def reconcile(self, ref: Ref) -> None:
        service = self.world.get(*ref)
        if service is None:
            return
        if not is_load_balancer(service):
            if ingress_ips(service):
                self._write(service, [])  # no longer a load balancer: its address goes back to the pool
            return
        if ingress_ips(service) or service["metadata"].get("deletionTimestamp"):
            return
        uid = world.uid(service)
        if uid not in self._first_seen:
            self._first_seen[uid] = self.sim.clock()
            self.events.record(service, reason="EnsuringLoadBalancer", message="Ensuring load balancer",
                               component=COMPONENT)
        wait = self._first_seen[uid] + self.sim.delays.lb_provisioning - self.sim.clock()
        if wait > 0:
            self.sim.after(wait, self, ref)
            return
        ip = self._allocate(service)
        if ip is None:
            self.events.record(service, reason="SyncLoadBalancerFailed", component=COMPONENT, type_="Warning",
                               message=f"Error syncing load balancer: no free address in {self.sim.load_balancer_pool}")
            return
        if self._write(service, [{"ip": ip, "ipMode": "VIP"}]) is not None:
            self.events.record(service, reason="EnsuredLoadBalancer", message="Ensured load balancer",
                               component=COMPONENT)

    def _allocate(self, service: JSON) -> str | None:
        pool = self.sim.load_balancer_pool
        used = {ip for s in self.world.objects(world.SERVICES) for ip in ingress_ips(s)}
        wanted = (service.get("spec") or {}).get("loadBalancerIP")
        if wanted and wanted not in used and _inside(wanted, pool):
            return str(wanted)
        for host in pool.hosts():
            if str(host) not in used:
                return str(host)
        return None

    def _write(self, service: JSON, ingress: list[JSON]) -> JSON | None:
        status = copy.deepcopy(service.get("status") or {})
        status["loadBalancer"] = {"ingress": ingress} if ingress else {}
        return self.world.update(world.SERVICES, {**service, "status": status}, subresource="status")


def _inside(ip: str, pool: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    try:
        return ipaddress.ip_address(ip) in pool
    except ValueError:
        return False


class EndpointsController(Controller):
    name = "endpoints"
    primary = (world.SERVICES,)

    def interested(self, change: Change) -> Iterable[Ref]:
        if change.resource == world.SERVICES:
            yield change.resource, change.namespace, change.name  # a deleted Service takes its Endpoints along
        elif change.resource == world.PODS:
            yield from self.world.refs_in(world.SERVICES, change.namespace)
        elif change.resource == world.ENDPOINTS and change.type == "DELETED":
            yield world.SERVICES, change.namespace, change.name  # recreate what someone deleted

    def reconcile(self, ref: Ref) -> None:
        service = self.world.get(*ref)
        current = self.world.get(world.ENDPOINTS, ref[1], ref[2])
        if service is None:
            if current is not None and _managed(current):
                self.world.delete(world.ENDPOINTS, ref[1], ref[2])
            return
        selector = (service.get("spec") or {}).get("selector")
        if not selector or service["spec"].get("type") == "ExternalName":
            return  # Endpoints of a Service without a selector are managed by whoever made them
        wanted = self._endpoints(service, selector)
        if current is None:
            self.world.create(world.ENDPOINTS, ref[1], wanted)
        elif (current.get("subsets") or []) != wanted["subsets"] or _labels(current) != wanted["metadata"]["labels"]:
            body = copy.deepcopy(current)
            body["metadata"]["labels"] = wanted["metadata"]["labels"]
            body["subsets"] = wanted["subsets"]
            if not body["subsets"]:
                body.pop("subsets")
            self.world.update(world.ENDPOINTS, body)

    def _endpoints(self, service: JSON, selector: dict[str, str]) -> JSON:
        md = service["metadata"]
        wanted = selectors.label_selector_from_json({"matchLabels": selector})
        publish = bool(service["spec"].get("publishNotReadyAddresses"))
        groups: dict[tuple[tuple[str, int, str], ...], JSON] = {}
        pods = sorted(self.world.objects(world.PODS, md["namespace"]), key=lambda p: str(p["metadata"]["name"]))
        for pod in pods:
            ip = (pod.get("status") or {}).get("podIP")
            if not ip or not wanted.matches(pod["metadata"].get("labels") or {}):
                continue
            if pod["metadata"].get("deletionTimestamp") and not publish:
                continue
            ports = tuple(_ports(service, pod))
            group = groups.setdefault(ports, {"addresses": [], "notReadyAddresses": []})
            kind = "addresses" if publish or pod_ready(pod) else "notReadyAddresses"
            group[kind].append(_address(pod, ip))
        subsets = []
        for ports, group in groups.items():
            subset: JSON = {k: v for k, v in group.items() if v}
            if ports:
                subset["ports"] = [{"name": n, "port": p, "protocol": proto} if n else {"port": p, "protocol": proto}
                                   for n, p, proto in ports]
            subsets.append(subset)
        labels = dict(md.get("labels") or {})
        if service["spec"].get("clusterIP") == "None":
            labels["service.kubernetes.io/headless"] = ""
        return {"apiVersion": "v1", "kind": "Endpoints",
                "metadata": {"name": md["name"], "namespace": md["namespace"], "labels": labels},
                "subsets": subsets}


def _managed(endpoints: JSON) -> bool:
    """Whether these Endpoints are the controller's (the ``kubernetes`` Service's belong to the API server)."""
    return not (endpoints["metadata"]["namespace"] == "default" and endpoints["metadata"]["name"] == "kubernetes")


def _labels(obj: JSON) -> dict[str, str]:
    return dict(obj["metadata"].get("labels") or {})


def _address(pod: JSON, ip: str) -> JSON:
    md = pod["metadata"]
    address: JSON = {"ip": ip, "targetRef": {"kind": "Pod", "namespace": md["namespace"], "name": md["name"],
                                             "uid": md.get("uid", "")}}
    if pod["spec"].get("nodeName"):
        address["nodeName"] = pod["spec"]["nodeName"]
    if pod["spec"].get("hostname") and pod["spec"].get("subdomain"):
        address["hostname"] = pod["spec"]["hostname"]
    return address


def _ports(service: JSON, pod: JSON) -> list[tuple[str, int, str]]:
    """The Service's ports resolved against the Pod's (a named targetPort is looked up in its containers)."""
    named = {p.get("name"): p.get("containerPort") for c in pod["spec"].get("containers") or []
             for p in c.get("ports") or [] if p.get("name")}
    out = []
    for port in service["spec"].get("ports") or []:
        target = port.get("targetPort", port.get("port"))
        number = named.get(target) if isinstance(target, str) and not target.isdigit() else int(target)
        if isinstance(number, int):
            out.append((str(port.get("name") or ""), number, str(port.get("protocol", "TCP"))))
    return out
