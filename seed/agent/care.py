"""The shoot care task: the five health conditions from the seed and the shoot's own API, written when they change.

``care_shoot`` is called by the agent's care loop (``seed.agent.loops``) for every shoot on the seed, and by
``seed.agent.flows`` right after a successful reconcile. The checks follow Gardener's (first failure wins, messages
name the failing object); ``shoot.care`` turns them into conditions with the thresholds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from extensions.contract import Api
from extensions.sdk import health
from seed.agent import metadata
from seed.agent.garden import GardenClient
from seed.flow.steps import readiness
from seed.flow.steps import system as system_steps
from shoot import care, errors, triggers
from shoot.care import Check

JSON = dict[str, Any]
REQUIRED_DEPLOYMENTS = ("kube-apiserver", "kube-controller-manager")
ETCDS = ("etcd-main", "etcd-events")


def _workers(shoot: JSON) -> list[JSON]:
    return list(((shoot.get("spec") or {}).get("provider") or {}).get("workers") or [])


def api_server(seed: Api, shoot_api: Callable[[], Api], namespace: str) -> Check:
    deployment = seed.get("apps/v1", "Deployment", "kube-apiserver", namespace=namespace)
    if deployment is None or deployment["metadata"].get("deletionTimestamp"):
        return Check(care.API_SERVER, "False", "APIServerDown", "The kube-apiserver Deployment does not exist.")
    try:
        shoot_api().get("v1", "Namespace", "kube-system")
    except errors.FlowError as exc:
        return Check(care.API_SERVER, "False", "HealthzRequestFailed", f"API server /healthz endpoint check "
                                                                       f"failed: {exc.message}")
    return Check(care.API_SERVER, "True", "HealthzRequestSucceeded", "API server /healthz endpoint responded with "
                                                                     "success status code.")


def control_plane(seed: Api, namespace: str, *, workers: bool) -> Check:
    for name in ETCDS:
        problem = readiness.statefulset_problem(seed.get("apps/v1", "StatefulSet", name, namespace=namespace), name)
        if problem:
            reason = "EtcdMissing" if "missing" in problem else "EtcdUnhealthy"
            return Check(care.CONTROL_PLANE, "False", reason, _with_pods(seed, namespace, name, problem))
    labelled = seed.list("apps/v1", "Deployment", namespace=namespace,
                         label_selector="gardener.cloud/role=controlplane")
    names = {d["metadata"]["name"]: d for d in labelled}
    required = (*REQUIRED_DEPLOYMENTS, *(("kube-scheduler",) if workers else ()))
    for name in required:
        if name not in names:
            names[name] = seed.get("apps/v1", "Deployment", name, namespace=namespace)  # type: ignore[assignment]
    for name in sorted(names, key=lambda n: (n not in required, n)):
        problem = readiness.deployment_problem(names[name], name)
        if problem:
            reason = "DeploymentMissing" if names[name] is None else "DeploymentUnhealthy"
            return Check(care.CONTROL_PLANE, "False", reason, _with_pods(seed, namespace, name, problem))
    return Check(care.CONTROL_PLANE, "True", "ControlPlaneRunning", "All control plane components are healthy.")


def _with_pods(seed: Api, namespace: str, name: str, problem: str) -> str:
    """The problem, with the containers of the workload's Pods that are stuck (CrashLoopBackOff, ...)."""
    kind = "StatefulSet" if name.startswith("etcd-") else "Deployment"
    live = seed.get("apps/v1", kind, name, namespace=namespace)
    if live is None:
        return problem.capitalize() + "."
    pods = seed.list("v1", "Pod", namespace=namespace, label_selector=readiness.selector_of(live))
    broken = readiness.broken_containers(pods)
    detail = f": failing containers: {', '.join(broken)}" if broken else ""
    return f"{problem.capitalize()}{detail}."


def observability() -> Check:
    return Check(care.OBSERVABILITY, "True", "ObservabilityComponentsRunning",
                 "No observability components are deployed for shoots by this seed; nothing to check.")


def nodes(shoot_api: Api, shoot: JSON) -> Check:
    found = shoot_api.list("v1", "Node")
    for pool in _workers(shoot):
        mine = [n for n in found
                if (n["metadata"].get("labels") or {}).get("worker.gardener.cloud/pool") == pool["name"]]
        for node in mine:
            bad = _node_problem(node)
            if bad:
                return Check(care.NODES, "False", "NodeUnhealthy",
                             f"Node {node['metadata']['name']!r} in worker group {pool['name']!r} is unhealthy: {bad}")
        if len(mine) < int(pool.get("minimum", 0)):
            return Check(care.NODES, "False", "MissingNodes",
                         f"Not enough worker nodes registered in worker pool {pool['name']!r} to meet minimum "
                         f"desired machine count. ({len(mine)}/{pool.get('minimum', 0)}).")
    return Check(care.NODES, "True", "EveryNodeReady", "All nodes are ready.")


def _node_problem(node: JSON) -> str:
    for condition in (node.get("status") or {}).get("conditions") or []:
        kind, status = condition.get("type"), condition.get("status")
        if kind == "Ready" and status != "True":
            return f"condition Ready is {status} ({condition.get('reason', '')})"
        if kind in ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable") and status == "True":
            return f"condition {kind} is True"
    return "" if health.node_ready(node) else "it reports no Ready condition"


def system_components(shoot_api: Api) -> Check:
    api = shoot_api
    problems = [p for d in api.list("apps/v1", "Deployment", namespace=system_steps.NAMESPACE)
                if (p := readiness.deployment_problem(d, d["metadata"]["name"]))]
    problems += [p for d in api.list("apps/v1", "DaemonSet", namespace=system_steps.NAMESPACE)
                 if (p := readiness.daemonset_problem(d, d["metadata"]["name"]))]
    if problems:
        return Check(care.SYSTEM, "False", "SystemComponentsUnhealthy",
                     "Some system components in kube-system are not ready: " + "; ".join(problems) + ".")
    return Check(care.SYSTEM, "True", "SystemComponentsRunning", "All system components are healthy.")


def checks(seed: Api, shoot_api: Callable[[], Api], shoot: JSON) -> list[Check]:
    """The five checks of a shoot whose control plane is in ``status.technicalID`` on this seed."""
    namespace = triggers.technical_id(shoot)
    if ((shoot.get("spec") or {}).get("hibernation") or {}).get("enabled") and (shoot.get("status") or {}).get(
            "hibernated"):
        return [Check(kind, "True", "ConditionNotChecked", "Shoot cluster has been hibernated.") for kind in care.ORDER]
    workers = bool(_workers(shoot))
    apiserver = api_server(seed, shoot_api, namespace)
    found = [apiserver, control_plane(seed, namespace, workers=workers), observability()]
    if apiserver.status != "True":
        message = "Shoot control plane is not running, so its own API cannot be asked."
        found.append(Check(care.SYSTEM, "Unknown", "ConditionCheckError", message))
        if workers:
            found.append(Check(care.NODES, "Unknown", "ConditionCheckError", message))
        return found
    api = shoot_api()
    if workers:
        found.append(nodes(api, shoot))
    found.append(system_components(api))
    return found


def conditions_after(shoot: JSON, found: list[Check], *, now: float,
                     thresholds: Mapping[str, float | None] = care.THRESHOLDS) -> list[JSON]:
    return care.next_conditions(shoot.get("status") or {}, found, now=now, thresholds=thresholds)


def care_shoot(garden: GardenClient, seed: Api, shoot_api: Callable[[], Api], shoot: JSON, *, now: float,
               thresholds: Mapping[str, float | None] = care.THRESHOLDS) -> list[JSON]:
    """Compute the shoot's conditions and write them (and the status label) when they changed; the conditions."""
    status = dict(shoot.get("status") or {})
    new = conditions_after(shoot, checks(seed, shoot_api, shoot), now=now, thresholds=thresholds)
    if new != (status.get("conditions") or []):
        md = shoot["metadata"]
        written = garden.patch_shoot(md["namespace"], md["name"], {"status": {"conditions": new}},
                                     subresource="status")
        status = written.get("status") or {**status, "conditions": new}
        metadata.set_status_label(garden, written, status)
    else:
        metadata.set_status_label(garden, shoot, status)
    return new
