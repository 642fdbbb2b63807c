"""``pods/exec``, ``pods/attach`` and ``pods/portforward`` on the local seed cluster: refused with a Status.

Registered by ``seed.local.server.local_api`` in ``ApiServer.raw_subresources``; answers both kubectl's SPDY
POST and its WebSocket handshake (kubectl 1.30 and newer). The local seed's Pods are simulated — no process runs
that a command could join — so the answer says that, naming the pod and container, instead of pretending.
"""

from __future__ import annotations

from fastapi import Response
from starlette.requests import HTTPConnection

from apiserver import errors
from apiserver.context import RequestContext
from apiserver.paths import Target
from apiserver.server import ApiServer

_WHAT = {"exec": "execute a command in", "attach": "attach to", "portforward": "forward a port to"}


async def refuse(api: ApiServer, conn: HTTPConnection, target: Target, _ctx: RequestContext) -> Response:
    """The 400 Status for any exec, attach or port-forward of a pod that exists (404 for one that does not)."""
    pod = api.service.get(target.rt, target.namespace or "", target.name)
    names = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
    container = conn.query_params.get("container") or (names[0] if names else "")
    raise errors.bad_request(
        f'cannot {_WHAT.get(target.subresource, target.subresource)} container "{container}" of pod '
        f'"{target.name}": the hortus local seed cluster simulates its pods and runs no processes in them')
