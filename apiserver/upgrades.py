"""WebSocket handshakes on resource URLs (``kubectl exec``/``attach``/``port-forward`` since 1.30, watches of old
clients): authenticated and authorized like any request, then answered by the subresource's raw handler — which
may refuse the upgrade with a Status, as the local seed does for its simulated pods.

Mounted by ``apiserver.routes.router``. A handshake no handler takes is denied with a 400 Status naming the path,
never closed without a word (kubectl prints the Status it gets back).
"""

from __future__ import annotations

from starlette.websockets import WebSocket

from apiserver import access, errors, paths
from apiserver.auth import Attributes
from apiserver.context import RequestContext
from apiserver.responses import JSONResponse
from apiserver.server import ApiServer

# Kubernetes authorizes a streaming connection to these subresources as ``create`` (kubectl exec over SPDY is a
# POST; over WebSocket a GET that the API server authorizes as ``create`` too).
_CREATE = frozenset({"exec", "attach", "portforward", "proxy"})


async def answer(api: ApiServer, websocket: WebSocket, group: str, version: str, rest: str) -> None:
    """Answer one WebSocket handshake: the raw handler's response, or a Status denying the upgrade."""
    try:
        user = access.authenticate(api, websocket)  # type: ignore[arg-type]  # reads only headers
        target = paths.resolve(api.registry, group, version, rest)
        verb = "create" if target.subresource in _CREATE else "get"
        attrs = Attributes(verb=verb, group=group, resource=target.rt.plural, subresource=target.subresource,
                           namespace=target.namespace or "", name=target.name, path=websocket.url.path)
        access.authorize(api, user, attrs, target.rt)
        handler = api.raw_subresources.get((target.rt.key, target.subresource)) if target.subresource else None
        if handler is None:
            raise errors.bad_request(f"{websocket.url.path} does not accept a WebSocket upgrade")
        response = await handler(api, websocket, target, RequestContext(user=user))
    except errors.ApiError as exc:
        response = JSONResponse(exc.status(), status_code=exc.code)
    await websocket.send_denial_response(response)
