"""``pods/log`` on the local seed cluster: the simulated kubelet's account of each container, as plain text.

Registered by ``seed.local.server.local_api`` in ``ApiServer.raw_subresources``. No process runs in a simulated
Pod, so the log says so and tells what the kubelet did — started the container from its image, saw it ready, saw
it exit — rebuilt from the Pod's status, so it survives restarts of the local seed. ``container``, ``previous``,
``tailLines``, ``limitBytes``, ``timestamps`` and ``follow`` behave as the real kubelet's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse

from apiserver import errors
from apiserver.context import RequestContext
from apiserver.paths import Target
from apiserver.server import ApiServer

JSON = dict[str, Any]
NOTE = "(simulated by the hortus local seed cluster: no process runs in this container)"
_FOLLOW_POLL = 0.5


async def serve(api: ApiServer, request: Request, target: Target, _ctx: RequestContext) -> Response:
    """GET ``/api/v1/namespaces/<ns>/pods/<name>/log``."""
    if request.method != "GET":
        raise errors.method_not_allowed()
    q = request.query_params
    pod = api.service.get(target.rt, target.namespace or "", target.name)
    container = _container(pod, q.get("container", ""))
    previous = _flag(q.get("previous"), "previous")
    tail = _number(q.get("tailLines"), "tailLines")
    limit = _number(q.get("limitBytes"), "limitBytes")
    stamps = _flag(q.get("timestamps"), "timestamps")
    lines = log_lines(pod, container, previous=previous)
    if not _flag(q.get("follow"), "follow"):
        return PlainTextResponse(_render(_tail(lines, tail), stamps, limit))
    return StreamingResponse(_follow(api, target, container, lines, tail, stamps), media_type="text/plain")


def log_lines(pod: JSON, container: str, *, previous: bool = False) -> list[tuple[str, str]]:
    """(timestamp, text) lines of ``container``'s current instance, or of the one before with ``previous``."""
    status = _status_of(pod, container)
    name, image = container, status.get("image", "")
    restarts = int(status.get("restartCount") or 0)
    if previous:
        last = (status.get("lastState") or {}).get("terminated")
        if not last:
            raise errors.bad_request(f'previous terminated container "{name}" in pod "{pod["metadata"]["name"]}" '
                                     "not found")
        return _instance(name, image, last, restarts - 1)
    state = status.get("state") or {}
    if "waiting" in state and not state.get("running") and not state.get("terminated"):
        reason = (state["waiting"] or {}).get("reason", "ContainerCreating")
        if restarts and (status.get("lastState") or {}).get("terminated"):
            return _instance(name, image, status["lastState"]["terminated"], restarts - 1)
        raise errors.bad_request(f'container "{name}" in pod "{pod["metadata"]["name"]}" is waiting to start: '
                                 f"{reason}")
    if "running" in state:
        started = state["running"].get("startedAt", "")
        lines = [(started, f"container {name} started from image {image}, restart {restarts} {NOTE}")]
        if status.get("ready"):
            lines.append((_ready_since(pod, started), f"container {name} is ready"))
        return lines
    return _instance(name, image, state.get("terminated") or {}, restarts)


def _instance(name: str, image: str, terminated: JSON, restart: int) -> list[tuple[str, str]]:
    started, finished = terminated.get("startedAt", ""), terminated.get("finishedAt", "")
    code, reason = terminated.get("exitCode", 0), terminated.get("reason", "")
    return [(started, f"container {name} started from image {image}, restart {max(restart, 0)} {NOTE}"),
            (finished, f"container {name} exited with code {code} ({reason})")]


def _status_of(pod: JSON, container: str) -> JSON:
    status = pod.get("status") or {}
    for entry in [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]:
        if entry.get("name") == container:
            return dict(entry)
    raise errors.bad_request(f'container "{container}" in pod "{pod["metadata"]["name"]}" is waiting to start: '
                             "ContainerCreating")


def _container(pod: JSON, asked: str) -> str:
    spec = pod.get("spec") or {}
    names = [c.get("name", "") for c in spec.get("containers") or []]
    inits = [c.get("name", "") for c in spec.get("initContainers") or []]
    if asked:
        if asked not in names + inits:
            raise errors.bad_request(f'container {asked} is not valid for pod {pod["metadata"]["name"]}')
        return asked
    if len(names) == 1:
        return str(names[0])
    listed = " ".join(names)
    raise errors.bad_request(f'a container name must be specified for pod {pod["metadata"]["name"]}, choose one of: '
                             f"[{listed}]" + (f" or one of the init containers: [{' '.join(inits)}]" if inits else ""))


def _ready_since(pod: JSON, started: str) -> str:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "ContainersReady" and c.get("status") == "True":
            return str(c.get("lastTransitionTime") or started)
    return started


async def _follow(api: ApiServer, target: Target, container: str, sent: list[tuple[str, str]], tail: int | None,
                  stamps: bool) -> AsyncIterator[bytes]:
    """The log so far, then each new line until the container ends or the Pod goes."""
    yield _render(_tail(sent, tail), stamps, None).encode()
    while True:
        await asyncio.sleep(_FOLLOW_POLL)
        pod = api.store.get(target.rt.key, target.namespace or "", target.name)
        if pod is None:
            return
        try:
            lines = log_lines(pod, container)
        except errors.ApiError:
            return
        fresh = [line for line in lines if line not in sent]
        if fresh:
            yield _render(fresh, stamps, None).encode()
            sent = lines
        state = _status_of(pod, container).get("state") or {}
        if "terminated" in state:
            return


def _tail(lines: list[tuple[str, str]], tail: int | None) -> list[tuple[str, str]]:
    return lines if tail is None else lines[len(lines) - tail:] if tail else []


def _render(lines: list[tuple[str, str]], stamps: bool, limit: int | None) -> str:
    text = "".join(f"{_rfc3339nano(at)} {line}\n" if stamps else f"{line}\n" for at, line in lines)
    return text if limit is None else text.encode()[:limit].decode(errors="ignore")


def _rfc3339nano(at: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def _flag(value: str | None, name: str) -> bool:
    if value is None or value.lower() in ("false", "0", ""):
        return False
    if value.lower() in ("true", "1"):
        return True
    raise errors.bad_request(f'{name}: Invalid value: "{value}": must be true or false')


def _number(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise errors.bad_request(f'{name}: Invalid value: "{value}": must be a non-negative integer')
    return int(value)
