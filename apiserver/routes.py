"""The HTTP routes of a Kubernetes-style API server: the router and the generic resource handlers.

Built by ``apiserver.server.build_app``; ``apiserver.discovery_routes`` adds version, discovery and OpenAPI.
Handlers are thin: authenticate, authorize, parse, call ``apiserver.service`` in a worker thread, and render
JSON, a Table or a watch stream.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from apiserver import (
    access,
    bodies,
    consistency,
    discovery_routes,
    errors,
    negotiation,
    options,
    patch,
    paths,
    responses,
    selectors,
    tables,
    upgrades,
    watch,
)
from apiserver.access import authenticate, authorize
from apiserver.auth import Attributes
from apiserver.context import RequestContext
from apiserver.listing import ListResult, allowed_fields
from apiserver.objects import with_type
from apiserver.registry import ResourceType
from apiserver.responses import JSONResponse
from apiserver.server import ApiServer

# authenticate and authorize moved to apiserver.access; callers (garden.audit) still import them from here.
__all__ = ["authenticate", "authorize", "handle", "router"]

JSON = dict[str, Any]
_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def router(api: ApiServer) -> APIRouter:
    r = APIRouter()
    discovery_routes.add_routes(r, api)

    # The hot paths are plain Starlette routes: FastAPI's parameter machinery costs more than the work here.
    async def core_resource(request: Request) -> Response:
        return await handle(api, request, "", "v1", request.path_params["rest"])

    async def group_resource(request: Request) -> Response:
        p = request.path_params
        return await handle(api, request, p["group"], p["version"], p["rest"])

    async def core_upgrade(websocket: WebSocket) -> None:
        await upgrades.answer(api, websocket, "", "v1", websocket.path_params["rest"])

    async def group_upgrade(websocket: WebSocket) -> None:
        p = websocket.path_params
        await upgrades.answer(api, websocket, p["group"], p["version"], p["rest"])

    # First in the table, so that matching the busiest routes does not walk every other route.
    r.routes.insert(0, Route("/apis/{group}/{version}/{rest:path}", group_resource, methods=list(_VERBS)))
    r.routes.insert(0, Route("/api/v1/{rest:path}", core_resource, methods=list(_VERBS)))
    r.routes += [WebSocketRoute("/api/v1/{rest:path}", core_upgrade),
                 WebSocketRoute("/apis/{group}/{version}/{rest:path}", group_upgrade)]
    return r


async def handle(api: ApiServer, request: Request, group: str, version: str, rest: str) -> Response:
    user = access.authenticate(api, request)
    target = paths.resolve(api.registry, group, version, rest)
    if target.rt.namespaced and target.namespace is None and target.name:
        raise errors.path_not_found()
    q = request.query_params
    verb = _verb(request.method, target, watching=options.boolean(q.get("watch")))
    attrs = Attributes(verb=verb, group=group, resource=target.rt.plural, subresource=target.subresource,
                       namespace=target.namespace or "", name=target.name, path=request.url.path)
    access.authorize(api, user, attrs, target.rt)
    raw = api.raw_subresources.get((target.rt.key, target.subresource))
    if raw is None:
        negotiation.check_accept(request.headers.get("accept", ""))
    ctx = RequestContext(user=user)
    if verb in ("create", "update", "patch"):
        opts = options.write_options(q, verb)
        ctx = RequestContext(user=user, dry_run=opts.dry_run, field_validation=opts.field_validation,
                             field_manager=opts.field_manager)
    elif verb in ("get", "list", "watch", "deletecollection"):
        options.read_options(q, verb)
    code = 500
    try:
        handler = _HANDLERS[verb] if raw is None else raw
        response: Response = await handler(api, request, target, ctx)
        code = response.status_code
        return response
    except errors.ApiError as exc:
        code = exc.code
        raise
    finally:
        if api.audit is not None and verb in access.MUTATING and not ctx.dry_run:
            await _run(lambda: api.audit(access.audit_event(user, attrs, code)))  # type: ignore[misc]


def _verb(method: str, target: paths.Target, *, watching: bool) -> str:
    if method == "GET":
        if target.name:
            return "get"
        return "watch" if watching else "list"
    if method == "POST":
        if target.name and not target.subresource:
            raise errors.method_not_allowed()
        return "create"
    if not target.name:
        if method == "DELETE":
            return "deletecollection"
        raise errors.method_not_allowed()
    return {"PUT": "update", "PATCH": "patch", "DELETE": "delete"}[method]


def _custom(api: ApiServer, target: paths.Target) -> Any:
    """The handler of a non-generic subresource; 405 for one that neither the machinery nor a handler serves."""
    if not target.subresource:
        return None
    handler = api.subresources.get((target.rt.key, target.subresource))
    generic = target.subresource in ("status", "finalize") or target.subresource in target.rt.subresource_fields
    if handler is None and not generic:
        raise errors.method_not_allowed(f"the server does not serve {target.rt.plural}/{target.subresource} yet")
    return handler


def _namespace(target: paths.Target) -> str:
    return target.namespace or ""


async def _run(fn: Callable[[], Any]) -> Any:
    return await anyio.to_thread.run_sync(fn)


def _respond(obj: JSON, ctx: RequestContext, *, status: int = 200) -> JSONResponse:
    headers = {"Warning": bodies.warning_header(ctx.warnings)} if ctx.warnings else {}
    return JSONResponse(obj, status_code=status, headers=headers)


async def _get(api: ApiServer, request: Request, target: paths.Target, ctx: RequestContext) -> Response:
    custom = _custom(api, target)
    if custom is not None:
        return _respond(await _run(lambda: custom(api, target, "GET", None, ctx)), ctx)
    # Point reads never wait on a lock (SQLite WAL, PostgreSQL MVCC), so they run on the loop without a thread hop.
    obj = api.service.get(target.rt, _namespace(target), target.name)
    accept = request.headers.get("accept", "")
    if tables.wants_table(accept) and not target.subresource:
        rv = obj["metadata"].get("resourceVersion", "")
        return JSONResponse(_table(target.rt, [obj], request, rv=rv, cont=None))
    try:
        return _respond(obj, ctx)
    except TypeError:  # stored around the API, and not renderable
        raise errors.storage_read_error(target.rt.qualified, target.name, "it cannot be rendered as JSON") from None


def _table(rt: ResourceType, items: list[JSON], request: Request, *, rv: str, cont: str | None) -> JSON:
    return tables.table(rt, items, resource_version=rv, continue_token=cont,
                        include_object=request.query_params.get("includeObject", "Metadata"),
                        now=dt.datetime.now(dt.UTC))


async def _list(api: ApiServer, request: Request, target: paths.Target, ctx: RequestContext) -> Response:
    q = request.query_params
    limit = options.read_options(q, "list").limit
    opts = consistency.list_options(q)
    if opts.minimum:
        await consistency.await_fresh(api.store.current_rv, opts.minimum)
    at = opts.minimum if opts.match == consistency.EXACT else None
    result: ListResult = await _run(lambda: api.service.list(
        target.rt, target.namespace, label_selector=q.get("labelSelector", ""),
        field_selector=q.get("fieldSelector", ""), limit=limit or None, continue_token=q.get("continue") or None,
        exact_rv=at, caller=ctx.user.name, visible=lambda obj: api.authorizer.visible(ctx.user, target.rt, obj)))
    items = result.items
    rv = str(result.resource_version)
    if tables.wants_table(request.headers.get("accept", "")):
        return JSONResponse(_table(target.rt, items, request, rv=rv, cont=result.continue_token))
    md: JSON = {"resourceVersion": rv}
    if result.continue_token:
        md["continue"] = result.continue_token
    body = {"kind": f"{target.rt.kind}List", "apiVersion": target.rt.api_version, "metadata": md, "items": items}
    try:
        return JSONResponse(body)
    except TypeError:  # an object stored around the API that cannot be rendered: list the others
        body["items"] = [item for item in items if responses.servable(item)]
        return JSONResponse(body)


async def _watch(api: ApiServer, request: Request, target: paths.Target, ctx: RequestContext) -> Response:
    q = request.query_params
    rt = target.rt
    labels = selectors.parse_label_selector(q.get("labelSelector", ""))
    fields = selectors.parse_field_selector(q.get("fieldSelector", ""))
    selectors.check_fields(fields, allowed_fields(rt), rt.qualified)
    opts = consistency.watch_options(q)
    initial: list[JSON] = []
    if opts.minimum:
        await consistency.await_fresh(api.store.current_rv, opts.minimum)
    if opts.send_initial_events or (opts.send_initial_events is None and not opts.minimum):
        result = await _run(lambda: api.service.list(rt, target.namespace, label_selector=q.get("labelSelector", ""),
                                                     field_selector=q.get("fieldSelector", "")))
        initial, start = result.items, result.resource_version
    else:
        start = opts.minimum or await _run(api.store.current_rv)
    reads = options.read_options(q, "watch")
    req = watch.WatchRequest(
        rt=rt, namespace=target.namespace, labels=labels, fields=fields,
        field_getter=lambda obj: (lambda f: selectors.field_value(obj, rt.field_selectors.get(f, f))),
        resource_version=start, bookmarks=reads.bookmarks,
        timeout=float(reads.timeout_seconds) if reads.timeout_seconds else None,
        visible=lambda obj: api.authorizer.visible(ctx.user, rt, obj),
    )
    initial = [obj for obj in initial if req.visible(obj)]
    as_table = tables.wants_table(request.headers.get("accept", ""))

    async def stream() -> AsyncIterator[bytes]:
        for obj in initial:
            yield _event_line(rt, "ADDED", obj, request, as_table)
        if opts.send_initial_events and req.bookmarks:
            end = consistency.end_of_initial_events(rt.kind, rt.api_version, start)
            yield _event_line(rt, "BOOKMARK", end, request, as_table)
        async for kind, obj in watch.events(api.feed, req):
            try:
                yield _event_line(rt, kind, obj, request, as_table)
            except TypeError:  # not renderable (stored around the API): the watch goes on without it
                continue

    return StreamingResponse(stream(), media_type="application/json")


def _event_line(rt: ResourceType, kind: str, obj: JSON, request: Request, as_table: bool) -> bytes:
    if kind in ("ADDED", "MODIFIED", "DELETED"):
        obj = with_type(rt, obj)
        if as_table:
            obj = _table(rt, [obj], request, rv=obj["metadata"].get("resourceVersion", ""), cont=None)
    return responses.dumps({"type": kind, "object": obj}) + b"\n"


async def _create(api: ApiServer, request: Request, target: paths.Target, ctx: RequestContext) -> Response:
    body = await request.body()
    custom = _custom(api, target)
    if custom is not None:
        doc = bodies.decode_object(body, request.headers.get("content-type"), ctx=ctx)
        return _respond(await _run(lambda: custom(api, target, "POST", doc, ctx)), ctx, status=201)
    if target.subresource:
        raise errors.method_not_allowed()
    if target.rt.namespaced and target.namespace is None:
        raise errors.path_not_found()
    doc = bodies.decode_object(body, request.headers.get("content-type"), ctx=ctx)
    md = doc.get("metadata")
    if isinstance(md, dict) and isinstance(md.get("resourceVersion"), str) and md["resourceVersion"]:
        raise errors.bad_request("resourceVersion should not be set on objects to be created")
    obj = await _run(lambda: api.service.create(target.rt, _namespace(target), doc, ctx))
    return _respond(obj, ctx, status=201)


async def _update(api: ApiServer, request: Request, target: paths.Target, ctx: RequestContext) -> Response:
    doc = bodies.decode_object(await request.body(), request.headers.get("content-type"), ctx=ctx)
    custom = _custom(api, target)
    if custom is not None:
        return _respond(await _run(lambda: custom(api, target, "PUT", doc, ctx)), ctx)
    obj = await _run(lambda: api.service.update(target.rt, _namespace(target), target.name, doc, ctx,
                                                subresource=target.subresource))
    return _respond(obj, ctx)


async def _patch(api: ApiServer, request: Request, target: paths.Target, ctx: RequestContext) -> Response:
    body = await request.body()
    content_type = bodies.media_type(request.headers.get("content-type"))
    if content_type == bodies.APPLY_PATCH:
        raise errors.unsupported_media_type(
            "server-side apply (application/apply-patch+yaml) is not supported by this server; use client-side "
            "apply (kubectl apply without --server-side) or a merge patch")
    bodies.decode_document(body, content_type, ctx=ctx)  # refuses what cannot be decoded or stored, once
    custom = _custom(api, target)
    if custom is not None:
        return _respond(await _run(lambda: _patch_custom(custom, api, target, body, content_type, ctx)), ctx)
    obj = await _run(lambda: api.service.patch(target.rt, _namespace(target), target.name, body, content_type, ctx,
                                               subresource=target.subresource))
    return _respond(obj, ctx)


def _patch_custom(
    custom: Any, api: ApiServer, target: paths.Target, body: bytes, content_type: str, ctx: RequestContext
) -> JSON:
    """PATCH of a custom subresource (``kubectl scale`` merge-patches ``deployments/scale``): the handler's GET
    body, patched, is PUT back through the handler. Like any patch without a resourceVersion of its own, it is
    retried when a controller wrote meanwhile, instead of answering 409."""
    for _ in range(8):
        current = custom(api, target, "GET", None, ctx)
        patched = patch.apply_patch(current, body, content_type, strategic=target.rt.strategic_merge)
        if not isinstance(patched, dict):
            raise errors.bad_request("the patch must leave an object")
        pinned = (patched.get("metadata") or {}).get("resourceVersion") != (current.get("metadata") or {}).get(
            "resourceVersion")
        try:
            return custom(api, target, "PUT", patched, ctx)  # type: ignore[no-any-return]
        except errors.ApiError as exc:
            if exc.code != 409 or pinned:
                raise
    raise errors.conflict(target.rt.qualified, target.name)


async def _delete(api: ApiServer, request: Request, target: paths.Target, ctx: RequestContext) -> Response:
    opts = options.delete_options(request.query_params, bodies.decode_options(await request.body()))
    ctx.dry_run = bool(opts.get("dryRun"))
    obj = await _run(lambda: api.service.delete(target.rt, _namespace(target), target.name, ctx, options=opts))
    return _respond(obj, ctx)


async def _delete_collection(api: ApiServer, request: Request, target: paths.Target, ctx: RequestContext) -> Response:
    q = request.query_params
    opts = options.delete_options(q, bodies.decode_options(await request.body()))
    ctx.dry_run = bool(opts.get("dryRun"))

    def delete_all() -> list[JSON]:
        result = api.service.list(target.rt, target.namespace, label_selector=q.get("labelSelector", ""),
                                  field_selector=q.get("fieldSelector", ""))
        out = []
        for item in result.items:
            md = item["metadata"]
            try:
                out.append(api.service.delete(target.rt, md.get("namespace") or "", md["name"], ctx, options=opts))
            except errors.ApiError as exc:
                if exc.code != 404:
                    raise
        return out

    items = await _run(delete_all)
    return JSONResponse({"kind": f"{target.rt.kind}List", "apiVersion": target.rt.api_version,
                         "metadata": {}, "items": items})


_HANDLERS: dict[str, Callable[[ApiServer, Request, paths.Target, RequestContext], Any]] = {
    "get": _get,
    "list": _list,
    "watch": _watch,
    "create": _create,
    "update": _update,
    "patch": _patch,
    "delete": _delete,
    "deletecollection": _delete_collection,
}
