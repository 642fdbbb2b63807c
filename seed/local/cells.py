"""Computed ``kubectl get`` cells of the built-in kinds, as Kubernetes' own table printers render them.

Each function maps an object to {column name: cell} for the columns a JSONPath cannot express (a Pod's READY
"1/1" and STATUS, a Service's PORT(S), a Node's ROLES); ``seed.local.kinds`` sets them as ``ResourceType.cells``.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]
NONE = "<none>"


def _spec(obj: JSON) -> JSON:
    return obj.get("spec") or {}


def _status(obj: JSON) -> JSON:
    return obj.get("status") or {}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _selector_text(selector: Any) -> str:
    if not isinstance(selector, dict) or not selector:
        return NONE
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or selector).items())
             if isinstance(v, str)]
    for expr in selector.get("matchExpressions") or []:
        values = ",".join(expr.get("values") or [])
        op = {"In": "in", "NotIn": "notin"}.get(expr.get("operator", ""), "")
        parts.append(f"{expr.get('key')} {op} ({values})" if op else
                     ("" if expr.get("operator") == "Exists" else "!") + str(expr.get("key")))
    return ",".join(parts) or NONE


def _containers_images(template_spec: JSON) -> JSON:
    containers = [c for c in template_spec.get("containers") or [] if isinstance(c, dict)]
    return {"Containers": ",".join(str(c.get("name", "")) for c in containers),
            "Images": ",".join(str(c.get("image", "")) for c in containers)}


# --- pods ------------------------------------------------------------------------------------------------------


def pod(obj: JSON) -> JSON:
    spec, status = _spec(obj), _status(obj)
    containers = spec.get("containers") or []
    statuses = [s for s in status.get("containerStatuses") or [] if isinstance(s, dict)]
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(_int(s.get("restartCount")) for s in statuses)
    gates = spec.get("readinessGates") or []
    return {
        "Ready": f"{ready}/{len(containers)}",
        "Status": pod_status(obj),
        "Restarts": str(restarts),
        "IP": status.get("podIP") or NONE,
        "Node": spec.get("nodeName") or NONE,
        "Nominated Node": status.get("nominatedNodeName") or NONE,
        "Readiness Gates": _readiness_gates(gates, status) if gates else NONE,
    }


def pod_status(obj: JSON) -> str:
    """The STATUS column: phase, a waiting/terminated container reason, Init:x/y, Completed, Terminating."""
    spec, status = _spec(obj), _status(obj)
    reason = status.get("reason") or status.get("phase") or "Unknown"
    init = _init_reason(spec, status)
    reason = init if init is not None else _container_reason(status, default=reason)
    if obj.get("metadata", {}).get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return str(reason)


def _init_reason(spec: JSON, status: JSON) -> str | None:
    inits = [s for s in status.get("initContainerStatuses") or [] if isinstance(s, dict)]
    total = len(spec.get("initContainers") or [])
    for i, s in enumerate(inits):
        state = s.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated and terminated.get("exitCode") == 0:
            continue
        if terminated:
            return "Init:" + (terminated.get("reason") or f"ExitCode:{terminated.get('exitCode')}")
        if waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            return f"Init:{waiting['reason']}"
        return f"Init:{i}/{total}"
    return None


def _container_reason(status: JSON, *, default: str) -> str:
    reason, running = default, False
    for s in reversed([s for s in status.get("containerStatuses") or [] if isinstance(s, dict)]):
        state = s.get("state") or {}
        waiting, terminated = state.get("waiting") or {}, state.get("terminated")
        if waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated:
            reason = terminated.get("reason") or (f"Signal:{terminated['signal']}" if terminated.get("signal")
                                                  else f"ExitCode:{terminated.get('exitCode')}")
        elif state.get("running") and s.get("ready"):
            running = True
    if reason == "Completed" and running:
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
        reason = "Running" if ready else "NotReady"
    return reason


def _readiness_gates(gates: list[Any], status: JSON) -> str:
    true = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
    return f"{sum(1 for g in gates if g.get('conditionType') in true)}/{len(gates)}"


# --- workloads -------------------------------------------------------------------------------------------------


def _template_spec(obj: JSON) -> JSON:
    return (_spec(obj).get("template") or {}).get("spec") or {}


def deployment(obj: JSON) -> JSON:
    spec, status = _spec(obj), _status(obj)
    return {
        "Ready": f"{_int(status.get('readyReplicas'))}/{_int(spec.get('replicas'))}",
        "Up-to-date": _int(status.get("updatedReplicas")),
        "Available": _int(status.get("availableReplicas")),
        **_containers_images(_template_spec(obj)),
        "Selector": _selector_text(spec.get("selector")),
    }


def replica_set(obj: JSON) -> JSON:
    spec, status = _spec(obj), _status(obj)
    return {
        "Desired": _int(spec.get("replicas")),
        "Current": _int(status.get("replicas")),
        "Ready": _int(status.get("readyReplicas")),
        **_containers_images(_template_spec(obj)),
        "Selector": _selector_text(spec.get("selector")),
    }


def stateful_set(obj: JSON) -> JSON:
    ready = _int(_status(obj).get("readyReplicas"))
    return {"Ready": f"{ready}/{_int(_spec(obj).get('replicas'))}", **_containers_images(_template_spec(obj))}


def daemon_set(obj: JSON) -> JSON:
    status = _status(obj)
    return {
        "Desired": _int(status.get("desiredNumberScheduled")),
        "Current": _int(status.get("currentNumberScheduled")),
        "Ready": _int(status.get("numberReady")),
        "Up-to-date": _int(status.get("updatedNumberScheduled")),
        "Available": _int(status.get("numberAvailable")),
        "Node Selector": _selector_text(_template_spec(obj).get("nodeSelector")),
        **_containers_images(_template_spec(obj)),
        "Selector": _selector_text(_spec(obj).get("selector")),
    }


# --- networking ------------------------------------------------------------------------------------------------


def service(obj: JSON) -> JSON:
    spec = _spec(obj)
    return {
        "External-IP": _external_ips(obj),
        "Port(s)": _ports(spec.get("ports") or []),
        "Selector": _selector_text(spec.get("selector")),
    }


def _external_ips(obj: JSON) -> str:
    spec = _spec(obj)
    kind = spec.get("type", "ClusterIP")
    external = list(spec.get("externalIPs") or [])
    if kind == "ExternalName":
        return str(spec.get("externalName") or NONE)
    if kind == "LoadBalancer":
        ingress = ((_status(obj).get("loadBalancer") or {}).get("ingress")) or []
        found = [i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")]
        found += external
        return ",".join(found) if found else "<pending>"
    return ",".join(external) if external else NONE


def _ports(ports: list[Any]) -> str:
    out = []
    for p in ports:
        text = f"{p.get('port')}:{p['nodePort']}" if p.get("nodePort") else str(p.get("port"))
        out.append(f"{text}/{p.get('protocol', 'TCP')}")
    return ",".join(out) if out else NONE


def endpoints(obj: JSON) -> JSON:
    addresses = []
    for subset in obj.get("subsets") or []:
        ports = [p.get("port") for p in subset.get("ports") or []] or [None]
        for address in subset.get("addresses") or []:
            addresses += [f"{address.get('ip')}:{port}" if port else str(address.get("ip")) for port in ports]
    if not addresses:
        return {"Endpoints": NONE}
    more = f" + {len(addresses) - 3} more..." if len(addresses) > 3 else ""
    return {"Endpoints": ",".join(addresses[:3]) + more}


def network_policy(obj: JSON) -> JSON:
    return {"Pod-Selector": _selector_text(_spec(obj).get("podSelector")) if _spec(obj).get("podSelector")
            else NONE}


# --- nodes and storage -----------------------------------------------------------------------------------------


def node(obj: JSON) -> JSON:
    spec, status = _spec(obj), _status(obj)
    ready = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
    state = "Unknown"
    if ready:
        state = "Ready" if ready[0].get("status") == "True" else "NotReady"
    if spec.get("unschedulable"):
        state += ",SchedulingDisabled"
    labels = obj.get("metadata", {}).get("labels") or {}
    roles = sorted(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/"))
    roles += [v for k, v in labels.items() if k == "kubernetes.io/role"]
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    info = status.get("nodeInfo") or {}
    return {
        "Status": state,
        "Roles": ",".join(r for r in roles if r) or NONE,
        "Internal-IP": addresses.get("InternalIP") or NONE,
        "External-IP": addresses.get("ExternalIP") or NONE,
        "OS-Image": info.get("osImage") or "<unknown>",
        "Kernel-Version": info.get("kernelVersion") or "<unknown>",
        "Container-Runtime": info.get("containerRuntimeVersion") or "<unknown>",
    }


_ACCESS_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}


def _modes(modes: Any) -> str:
    return ",".join(_ACCESS_MODES.get(m, m) for m in modes or [])


def persistent_volume_claim(obj: JSON) -> JSON:
    spec, status = _spec(obj), _status(obj)
    bound = bool(spec.get("volumeName"))
    return {
        "Capacity": (status.get("capacity") or {}).get("storage", "") if bound else "",
        "Access Modes": _modes(status.get("accessModes")) if bound else "",
    }


def persistent_volume(obj: JSON) -> JSON:
    ref = _spec(obj).get("claimRef") or {}
    claim = f"{ref.get('namespace')}/{ref.get('name')}" if ref else ""
    return {"Claim": claim, "Access Modes": _modes(_spec(obj).get("accessModes"))}


# --- the rest --------------------------------------------------------------------------------------------------


def role_binding(obj: JSON) -> JSON:
    ref = obj.get("roleRef") or {}
    subjects = obj.get("subjects") or []

    def names(kind: str) -> str:
        found = [(f"{s.get('namespace', '')}/{s.get('name')}" if kind == "ServiceAccount" else str(s.get("name")))
                 for s in subjects if s.get("kind") == kind]
        return ", ".join(found)

    return {"Role": f"{ref.get('kind')}/{ref.get('name')}", "Users": names("User"), "Groups": names("Group"),
            "ServiceAccounts": names("ServiceAccount")}


def pod_disruption_budget(obj: JSON) -> JSON:
    spec = _spec(obj)
    return {"Min Available": str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
            "Max Unavailable": str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A",
            "Allowed Disruptions": _int(_status(obj).get("disruptionsAllowed"))}


def horizontal_pod_autoscaler(obj: JSON) -> JSON:
    spec, status = _spec(obj), _status(obj)
    ref = spec.get("scaleTargetRef") or {}
    return {"Reference": f"{ref.get('kind')}/{ref.get('name')}",
            "Targets": f"<unknown>/{len(spec.get('metrics') or [])} metrics" if spec.get("metrics") else NONE,
            "MinPods": _int(spec.get("minReplicas")) or 1, "Replicas": _int(status.get("currentReplicas"))}


def event(obj: JSON) -> JSON:
    involved = obj.get("involvedObject") or {}
    source = obj.get("source") or {}
    return {
        "Object": f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
        "Subobject": involved.get("fieldPath", ""),
        "Source": ", ".join(v for v in (source.get("component"), source.get("host")) if v)
        or obj.get("reportingComponent", ""),
        "Count": _int(obj.get("count")) or 1,
    }
