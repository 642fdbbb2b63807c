"""A simulated Pod's status as a function of how long ago it was bound: pure, so it can be tested with values.

Called by ``seed.local.sim.kubelet``. ``progress`` says which containers have started, are ready or have crashed
how often after ``elapsed`` seconds; ``status`` renders that as the kubelet would write it (phase, conditions,
container statuses, IPs), keeping the timestamps of what did not change so an unchanged Pod is not rewritten.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Collection
from typing import Any

from apiserver import meta
from seed.local.sim.controller import Delays

JSON = dict[str, Any]
KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")
# Crash back-off doubles per restart up to this many times the first one, as the kubelet's (10 s → 5 min).
_BACKOFF_DOUBLINGS = 5


@dataclasses.dataclass(frozen=True)
class Progress:
    """How far a Pod's containers are; ``next_in`` is the seconds until the next change (None: none coming)."""

    started: frozenset[str] = frozenset()
    ready: frozenset[str] = frozenset()
    crashes: dict[str, int] = dataclasses.field(default_factory=dict)
    initialized: bool = False
    next_in: float | None = None


def stamp() -> str:
    return meta.now()


def condition_of(pod: JSON, kind: str) -> JSON | None:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == kind:
            return dict(c)
    return None


def init_containers(spec: JSON) -> list[JSON]:
    return [c for c in spec.get("initContainers") or [] if isinstance(c, dict)]


def _sidecar(container: JSON) -> bool:
    return container.get("restartPolicy") == "Always"


def field_path(spec: JSON, name: str) -> str:
    kind = "initContainers" if any(c.get("name") == name for c in init_containers(spec)) else "containers"
    return f"spec.{kind}{{{name}}}"


def failing(image: str, images: Collection[str]) -> bool:
    """An image listed as failing, with or without its tag or digest (``busybox`` fails ``busybox:1.36`` too)."""
    bare = image.split("@", 1)[0]
    if ":" in bare.rsplit("/", 1)[-1]:
        bare = bare.rsplit(":", 1)[0]
    return image in images or bare in images


# --- progress --------------------------------------------------------------------------------------------------


def progress(pod: JSON, *, elapsed: float, delays: Delays, failing: Collection[str]) -> Progress:
    """Where the Pod is ``elapsed`` seconds after binding, never behind what its status already shows."""
    spec = pod["spec"]
    start = delays.image_pull + delays.container_start
    ready_at = start + delays.readiness
    seen = observed(pod)
    blocking = [c for c in init_containers(spec) if not _sidecar(c)]
    broken_init = next((c["name"] for c in blocking if _fails(c, failing)), None)
    running = elapsed >= start or bool(seen.started)
    initialized = broken_init is None and (not blocking or running or seen.initialized)
    runners = [c for c in init_containers(spec) if _sidecar(c)] + list(spec.get("containers") or [])
    started, ready, crashes, upcoming = set(seen.started), set(seen.ready), dict(seen.crashes), []
    if not running:
        upcoming.append(start - elapsed)
    else:
        started.update(c["name"] for c in blocking if c["name"] != broken_init)
    crashing = [c for c in runners if _fails(c, failing)] if initialized and running else []
    if broken_init is not None:
        crashing = [c for c in blocking if c["name"] == broken_init]
    if initialized and running:
        healthy = [c["name"] for c in runners if not _fails(c, failing)]
        started.update(healthy)
        if elapsed >= ready_at:
            ready.update(healthy)
        elif healthy:
            upcoming.append(ready_at - elapsed)
    for container in crashing:
        count, next_crash = _crashes(elapsed - start, delays.crash_backoff, never=spec.get("restartPolicy") == "Never")
        crashes[container["name"]] = max(count, seen.crashes.get(container["name"], 0))
        if next_crash is not None:
            upcoming.append(next_crash)
    return Progress(started=frozenset(started), ready=frozenset(ready), crashes=crashes,
                    initialized=initialized, next_in=min(upcoming) if upcoming else None)


def _fails(container: JSON, images: Collection[str]) -> bool:
    return failing(str(container.get("image", "")), images)


def _crashes(since_start: float, backoff: float, *, never: bool) -> tuple[int, float | None]:
    """Crashes by ``since_start`` (the first at 0) and the seconds to the next one."""
    if since_start < 0:
        return 0, -since_start
    if never or backoff <= 0:
        return 1, None
    count, at = 0, 0.0
    while at <= since_start:
        count += 1
        at += backoff * 2 ** min(count - 1, _BACKOFF_DOUBLINGS)
    return count, at - since_start


def observed(pod: JSON) -> Progress:
    """What the Pod's status already shows (after a restart the simulation resumes from there)."""
    status = pod.get("status") or {}
    statuses = [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]
    started = {s["name"] for s in statuses if s.get("started") or (s.get("state") or {}).get("running")
               or ((s.get("state") or {}).get("terminated") or {}).get("reason") == "Completed"}
    ready = {s["name"] for s in statuses if s.get("ready") and (s.get("state") or {}).get("running")}
    crashes = {s["name"]: int(s.get("restartCount") or 0) for s in statuses
               if ((s.get("state") or {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff"
               or ((s.get("state") or {}).get("terminated") or {}).get("reason") == "Error"}
    initialized = (condition_of(pod, "Initialized") or {}).get("status") == "True"
    return Progress(started=frozenset(started), ready=frozenset(ready), crashes=crashes, initialized=initialized)


# --- the status ------------------------------------------------------------------------------------------------


def status(pod: JSON, p: Progress, *, host_ip: str, pod_ip: str) -> JSON:
    spec, old = pod["spec"], dict(pod.get("status") or {})
    old_statuses = {s.get("name"): s for key in ("initContainerStatuses", "containerStatuses")
                    for s in old.get(key) or []}
    never = spec.get("restartPolicy") == "Never"
    mains = [_container(c, p, old_statuses.get(c["name"]), pod, never=never, waiting="ContainerCreating"
                        if p.initialized else "PodInitializing") for c in spec.get("containers") or []]
    inits = [_init_container(c, p, old_statuses.get(c["name"]), pod) for c in init_containers(spec)]
    out = {k: v for k, v in old.items() if k not in ("conditions", "containerStatuses", "initContainerStatuses")}
    out.update(hostIP=host_ip, hostIPs=[{"ip": host_ip}], startTime=old.get("startTime") or stamp(),
               phase=_phase(p, mains, never=never))
    if pod_ip:
        out.update(podIP=pod_ip, podIPs=[{"ip": pod_ip}])
    if inits:
        out["initContainerStatuses"] = inits
    out["containerStatuses"] = mains
    out["conditions"] = _conditions(pod, p, mains + [s for s, c in zip(inits, init_containers(spec), strict=True)
                                                     if _sidecar(c)])
    return out


def _phase(p: Progress, mains: list[JSON], *, never: bool) -> str:
    if never and mains and all((s["state"].get("terminated") or {}).get("reason") == "Error" for s in mains):
        return "Failed"
    return "Running" if p.initialized and any(s["name"] in p.started or s["name"] in p.crashes for s in mains) \
        else "Pending"


def _ids(pod: JSON, container: JSON, restarts: int) -> JSON:
    image = str(container.get("image", ""))
    repo = image.split("@", 1)[0].rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image.split("@", 1)[0]
    if "/" not in repo:
        repo = f"docker.io/library/{repo}"
    elif "." not in repo.split("/", 1)[0] and ":" not in repo.split("/", 1)[0]:
        repo = f"docker.io/{repo}"
    seed = f"{pod['metadata'].get('uid')}/{container['name']}/{restarts}"
    return {"imageID": f"{repo}@sha256:{hashlib.sha256(image.encode()).hexdigest()}",
            "containerID": f"containerd://{hashlib.sha256(seed.encode()).hexdigest()}"}


def _base(container: JSON, old: JSON | None) -> JSON:
    return {"name": container["name"], "image": container.get("image", ""),
            "imageID": (old or {}).get("imageID", ""), "ready": False, "restartCount": 0, "started": False}


def _container(container: JSON, p: Progress, old: JSON | None, pod: JSON, *, never: bool, waiting: str) -> JSON:
    name, out = container["name"], _base(container, old)
    old_state = (old or {}).get("state") or {}
    if name in p.crashes:
        return _crashed(container, p.crashes[name], old, pod, never=never)
    if name in p.started:
        out.update(_ids(pod, container, 0), ready=name in p.ready, started=True,
                   state={"running": {"startedAt": (old_state.get("running") or {}).get("startedAt") or stamp()}})
        return out
    out["state"] = {"waiting": {"reason": waiting}}
    return out


def _init_container(container: JSON, p: Progress, old: JSON | None, pod: JSON) -> JSON:
    if _sidecar(container) or container["name"] in p.crashes:
        return _container(container, p, old, pod, never=False, waiting="PodInitializing")
    out = _base(container, old)
    if container["name"] not in p.started:
        out["state"] = {"waiting": {"reason": "PodInitializing"}}
        return out
    finished = ((old or {}).get("state") or {}).get("terminated") or {}
    at = finished.get("finishedAt") or stamp()
    out.update(_ids(pod, container, 0), ready=True, state={"terminated": {
        "exitCode": 0, "reason": "Completed", "startedAt": finished.get("startedAt") or at, "finishedAt": at,
        "containerID": _ids(pod, container, 0)["containerID"]}})
    return out


def _crashed(container: JSON, crashes: int, old: JSON | None, pod: JSON, *, never: bool) -> JSON:
    out = _base(container, old)
    kept = (old or {}).get("restartCount") == (0 if never else crashes)
    last = ((old or {}).get("lastState") or {}).get("terminated") if not never else \
        ((old or {}).get("state") or {}).get("terminated")
    at = (last or {}).get("finishedAt") if kept and last else stamp()
    ids = _ids(pod, container, crashes)
    terminated = {"exitCode": 1, "reason": "Error", "startedAt": at, "finishedAt": at,
                  "containerID": ids["containerID"]}
    out.update(imageID=ids["imageID"], containerID=ids["containerID"])
    if never:
        out["state"] = {"terminated": terminated}
        return out
    back_off = 10 * 2 ** min(crashes - 1, _BACKOFF_DOUBLINGS)
    md = pod["metadata"]
    out.update(restartCount=crashes, lastState={"terminated": terminated}, state={"waiting": {
        "reason": "CrashLoopBackOff",
        "message": f"back-off {back_off}s restarting failed container={container['name']} "
                   f"pod={md['name']}_{md['namespace']}({md.get('uid')})"}})
    return out


def _conditions(pod: JSON, p: Progress, runners: list[JSON]) -> list[JSON]:
    unready = [s["name"] for s in runners if not s["ready"]]
    containers_ready = ("True", "", "") if not unready else (
        "False", "ContainersNotReady", f"containers with unready status: [{' '.join(unready)}]")
    init_pending = [c["name"] for c in init_containers(pod["spec"]) if not _sidecar(c) and c["name"] not in p.started]
    initialized = ("True", "", "") if p.initialized else (
        "False", "ContainersNotInitialized", f"containers with incomplete status: [{' '.join(init_pending)}]")
    ready = containers_ready if containers_ready[0] == "False" else _gates(pod)
    wanted = {"PodReadyToStartContainers": ("True", "", ""), "Initialized": initialized, "Ready": ready,
              "ContainersReady": containers_ready, "PodScheduled": ("True", "", "")}
    out = [_condition(pod, kind, *wanted[kind]) for kind in KUBELET_CONDITIONS]
    others = [c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") not in wanted]
    return out + others


def _gates(pod: JSON) -> tuple[str, str, str]:
    """Ready needs every readiness gate's condition True too."""
    for gate in pod["spec"].get("readinessGates") or []:
        kind = gate.get("conditionType", "")
        found = condition_of(pod, kind)
        if found is None:
            return "False", "ReadinessGatesNotReady", f'corresponding condition of pod readiness gate "{kind}" ' \
                                                      "does not exist."
        if found.get("status") != "True":
            return "False", "ReadinessGatesNotReady", f'the status of pod readiness gate "{kind}" is not "True", ' \
                                                      f"but {found.get('status')}"
    return "True", "", ""


def _condition(pod: JSON, kind: str, state: str, reason: str, message: str) -> JSON:
    old = condition_of(pod, kind) or {}
    since = old.get("lastTransitionTime") if old.get("status") == state else None
    out: JSON = {"type": kind, "status": state, "lastProbeTime": None, "lastTransitionTime": since or stamp()}
    if reason:
        out.update(reason=reason, message=message)
    return out
