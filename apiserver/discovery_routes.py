"""The routes that serve no resource: version, health, discovery (``/api``, ``/apis``), OpenAPI v2 and v3.

Added to the router by ``apiserver.routes.router``; ``apiserver.discovery`` and ``apiserver.openapi`` build the
documents, which OpenAPI caches on the ``ApiServer`` because they only change with the registry.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from apiserver import discovery, errors, openapi, openapi_v2, responses
from apiserver.access import authenticate
from apiserver.responses import JSONResponse
from apiserver.server import ApiServer

JSON = dict[str, Any]


def add_routes(r: APIRouter, api: ApiServer) -> None:
    _add_health(r, api)
    _add_discovery(r, api)
    _add_openapi(r, api)


def _add_health(r: APIRouter, api: ApiServer) -> None:
    @r.get("/version")
    async def version() -> JSONResponse:
        return JSONResponse(discovery.version_info(api.version_minor))

    @r.get("/healthz")
    @r.get("/livez")
    @r.get("/readyz")
    async def healthz() -> Response:
        return Response("ok", media_type="text/plain")


def _add_discovery(r: APIRouter, api: ApiServer) -> None:
    def groups(request: Request, *, core: bool) -> Response:
        authenticate(api, request)
        agg = discovery.negotiate_aggregated(request.headers.get("accept", ""))
        if agg:
            doc = api.cached(("aggregated", core, agg), lambda: discovery.aggregated(api.registry, core, agg))
            return _aggregated(doc, agg)
        legacy = api.cached(("legacy", core), lambda: discovery.api_versions(api.server_address) if core
                            else discovery.api_group_list(api.registry))
        return JSONResponse(legacy)

    @r.get("/api")
    async def core_groups(request: Request) -> Response:
        return groups(request, core=True)

    @r.get("/apis")
    async def all_groups(request: Request) -> Response:
        return groups(request, core=False)

    @r.get("/api/v1")
    async def core_resources(request: Request) -> JSONResponse:
        authenticate(api, request)
        return JSONResponse(_found(api.cached(("resources", "", "v1"),
                                              lambda: discovery.api_resource_list(api.registry, "", "v1"))))

    @r.get("/apis/{group}")
    async def group(request: Request, group: str) -> JSONResponse:
        authenticate(api, request)
        return JSONResponse(_found(discovery.api_group(api.registry, group)))

    @r.get("/apis/{group}/{version}")
    async def group_resources(request: Request, group: str, version: str) -> JSONResponse:
        authenticate(api, request)
        return JSONResponse(_found(api.cached(("resources", group, version),
                                              lambda: discovery.api_resource_list(api.registry, group, version))))


def _add_openapi(r: APIRouter, api: ApiServer) -> None:
    @r.get("/openapi/v2")
    async def openapi_swagger(request: Request) -> Response:
        authenticate(api, request)
        doc = api.cached(("openapi-v2",), lambda: openapi_v2.document(api.registry))
        if "protobuf" in request.headers.get("accept", ""):
            body = api.cached(("openapi-v2", "protobuf"), lambda: openapi_v2.encode(doc))
            return Response(body, media_type=openapi_v2.PROTOBUF)
        return JSONResponse(doc)

    @r.get("/openapi/v3")
    async def openapi_index(request: Request) -> JSONResponse:
        authenticate(api, request)
        return JSONResponse(api.cached(("openapi",), lambda: openapi.index(api.registry)))

    @r.get("/openapi/v3/api/v1")
    async def openapi_core(request: Request) -> JSONResponse:
        authenticate(api, request)
        return JSONResponse(_found(api.cached(("openapi", "", "v1"),
                                              lambda: openapi.group_version_document(api.registry, "", "v1"))))

    @r.get("/openapi/v3/apis/{group}/{version}")
    async def openapi_group(request: Request, group: str, version: str) -> JSONResponse:
        authenticate(api, request)
        return JSONResponse(_found(api.cached(("openapi", group, version),
                                              lambda: openapi.group_version_document(api.registry, group, version))))


def _found(doc: JSON | None) -> JSON:
    if doc is None:
        raise errors.path_not_found()
    return doc


def _aggregated(doc: JSON, version: str) -> Response:
    return Response(responses.dumps(doc), media_type=discovery.aggregated_content_type(version))
