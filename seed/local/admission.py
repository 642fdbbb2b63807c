"""Admission of the local seed cluster's built-in kinds: what the real API server validates and allocates.

Workload selectors (required, matching the template's labels, immutable), a Pod's initial status, and the
Service IP and node-port allocators. Attached to the ResourceTypes by ``seed.local.kinds``; the allocators read
the store through the ``ResourceService`` they are given.
"""

from __future__ import annotations

import copy
import ipaddress
import random
import threading
from collections.abc import Callable
from typing import Any

from apiserver import errors, selectors
from apiserver.errors import Cause
from apiserver.registry import ResourceType
from apiserver.service import ResourceService

JSON = dict[str, Any]
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
# 10.96.0.1 belongs to the ``kubernetes`` Service in ``default``, as on every cluster with this range.
KUBERNETES_SERVICE_IP = "10.96.0.1"
NODE_PORTS = range(30000, 32768)


def _go_map(value: Any) -> str:
    items = ", ".join(f'"{k}":"{v}"' for k, v in sorted((value or {}).items()))
    return f"map[string]string{{{items}}}"


def _refuse(rt: ResourceType, obj: JSON, causes: list[Cause]) -> errors.ApiError:
    return errors.invalid(rt.kind, obj["metadata"].get("name", ""), causes, group=rt.group)


def workload(rt: ResourceType) -> Callable[..., JSON]:
    """Deployments, ReplicaSets, StatefulSets, DaemonSets: apps/v1's selector rules."""

    def admit(*, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation == "DELETE" or subresource:
            return new
        spec = new.get("spec") or {}
        selector = spec.get("selector")
        if not selector:
            raise _refuse(rt, new, [Cause(field="spec.selector", message="Required value",
                                          reason="FieldValueRequired")])
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if not selectors.label_selector_from_json(selector).matches(labels):
            raise _refuse(rt, new, [Cause(
                field="spec.template.metadata.labels",
                message=f"Invalid value: {_go_map(labels)}: `selector` does not match template `labels`")])
        if old is not None and (old.get("spec") or {}).get("selector") != selector:
            raise _refuse(rt, new, [Cause(field="spec.selector",
                                          message=f"Invalid value: {_go_selector(selector)}: field is immutable")])
        return new

    return admit


def _go_selector(selector: JSON) -> str:
    return f"v1.LabelSelector{{MatchLabels:{_go_map(selector.get('matchLabels'))}, MatchExpressions:" + (
        f"{selector['matchExpressions']}}}" if selector.get("matchExpressions") else
        "[]v1.LabelSelectorRequirement(nil)}")


def pod_status(*, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
    """A new Pod starts Pending, with the QoS class its containers' resources give it."""
    if operation != "CREATE":
        return new
    out = copy.deepcopy(new)
    out["status"] = {"phase": "Pending", "qosClass": qos_class(out.get("spec") or {})}
    return out


def qos_class(spec: JSON) -> str:
    containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    guaranteed = all(
        (r.get("limits") or {}).get(res) and (r.get("requests") or {}).get(res, r["limits"][res]) == r["limits"][res]
        for r in resources for res in ("cpu", "memory")
    )
    return "Guaranteed" if guaranteed else "Burstable"


class ServiceAllocator:
    """Cluster IPs from 10.96.0.0/12 and node ports from 30000-32767, unique and immutable once given.

    Allocation reads the Services in the store; what it hands out but is not yet stored is remembered, so two
    concurrent creates in this process never get the same address.
    """

    def __init__(self, service: ResourceService, *, seed: int | None = None) -> None:
        self.service = service
        self._lock = threading.Lock()
        self._pending_ips: set[str] = set()
        self._pending_ports: set[int] = set()
        self._random = random.Random(seed)

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation == "DELETE" or subresource == "status":
            return new
        out = copy.deepcopy(new)
        spec = out.setdefault("spec", {})
        if spec.get("type") == "ExternalName":
            return out
        old_spec = (old or {}).get("spec") or {}
        with self._lock:
            self._cluster_ip(out, spec, old_spec)
            self._node_ports(spec, old_spec)
        return out

    def _used(self) -> tuple[set[str], set[int]]:
        rt = self.service.registry.get("", "v1", "services")
        items = self.service.list(rt, None).items if rt else []
        ips = {ip for s in items for ip in (s.get("spec") or {}).get("clusterIPs") or []}
        ports = {p.get("nodePort") for s in items for p in (s.get("spec") or {}).get("ports") or []}
        stored_ports = {p for p in ports if isinstance(p, int)}
        # Hand-outs now stored need no remembering; the rest are in flight (or their create failed).
        self._pending_ips -= ips
        self._pending_ports -= stored_ports
        return ips | self._pending_ips, stored_ports | self._pending_ports

    def _cluster_ip(self, obj: JSON, spec: JSON, old_spec: JSON) -> None:
        wanted = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
        if old_spec.get("clusterIP"):
            if wanted and wanted != old_spec["clusterIP"]:
                raise errors.invalid("Service", obj["metadata"].get("name", ""), [Cause(
                    field="spec.clusterIPs[0]",
                    message=f'Invalid value: []string{{"{wanted}"}}: may not change once set')])
            wanted = old_spec["clusterIP"]
        elif wanted and wanted != "None":
            self._check_requested(obj, wanted)
        elif not wanted:
            wanted = self._next_ip()
        spec["clusterIP"] = wanted
        spec["clusterIPs"] = [wanted]
        if wanted != "None" or "ipFamilies" not in spec:
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")

    def _check_requested(self, obj: JSON, ip: str) -> None:
        name = obj["metadata"].get("name", "")
        try:
            inside = ipaddress.ip_address(ip) in SERVICE_CIDR
        except ValueError:
            inside = False
        if not inside:
            raise errors.invalid("Service", name, [Cause(
                field="spec.clusterIPs", message=f'Invalid value: []string{{"{ip}"}}: failed to allocate IP {ip}: '
                f"the provided IP ({ip}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}")])
        if ip in self._used()[0] or (ip == KUBERNETES_SERVICE_IP and name != "kubernetes"):
            raise errors.invalid("Service", name, [Cause(
                field="spec.clusterIPs", message=f'Invalid value: []string{{"{ip}"}}: failed to allocate IP {ip}: '
                "provided IP is already allocated")])
        self._pending_ips.add(ip)

    def _next_ip(self) -> str:
        used = self._used()[0] | {KUBERNETES_SERVICE_IP}
        size = SERVICE_CIDR.num_addresses - 2
        start = self._random.randrange(size)
        for step in range(size):
            ip = str(SERVICE_CIDR.network_address + 1 + (start + step) % size)
            if ip not in used:
                self._pending_ips.add(ip)
                return ip
        raise errors.internal("failed to allocate a serviceIP: range is full")

    def _node_ports(self, spec: JSON, old_spec: JSON) -> None:
        if spec.get("type") not in ("NodePort", "LoadBalancer"):
            return
        old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in old_spec.get("ports") or []}
        used: set[int] | None = None
        for port in spec.get("ports") or []:
            if port.get("nodePort"):
                continue
            kept = old_ports.get((port.get("port"), port.get("protocol")))
            if kept:
                port["nodePort"] = kept
                continue
            used = self._used()[1] if used is None else used
            free = [p for p in NODE_PORTS if p not in used]
            if not free:
                raise errors.internal("failed to allocate a nodePort: range is full")
            port["nodePort"] = self._random.choice(free)
            used.add(port["nodePort"])
            self._pending_ports.add(port["nodePort"])
