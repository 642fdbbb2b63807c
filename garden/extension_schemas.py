"""The providerConfig schemas of the installed plugins, served to everyone who may use the garden.

Installed by ``garden.app.create_app``, with ``GET /extensions/v1/plugins`` for operators (the plugins served and
the broken ones left out, with the reason). The schemas two ways, both readable by any authenticated identity:

- ``GET /extensions/v1/schemas`` (optionally ``?plugin=NAME``, ``?kind=Infrastructure&type=aws``): every
  (kind, type) with its plugin, the Shoot field its providerConfig goes to, and its JSON Schema as published — for
  the console's forms and for tools. Each ControllerRegistration names this path in its annotation
  ``extensions.hortus.dev/schemas``.
- ``kubectl explain``: a schema that fixes ``apiVersion`` and ``kind`` (Gardener's provider configs do, e.g.
  ``calico.networking.extensions.gardener.cloud/v1alpha1`` ``NetworkConfig``) is served as a kind of that group
  version in discovery and OpenAPI v3, so ``kubectl explain networkconfigs.calico.networking.extensions.gardener.cloud``
  describes it field by field. These kinds are documentation: nothing is stored under them — a list is empty, a get
  answers 404 and a write 405, naming the Shoot field where the config belongs.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from fastapi import APIRouter, Request, Response

from apiserver import errors
from apiserver.access import authenticate
from apiserver.auth import Attributes
from apiserver.context import RequestContext
from apiserver.paths import Target
from apiserver.registry import ResourceType
from apiserver.responses import JSONResponse
from apiserver.server import ApiServer
from extensions.contract import JSON, SHOOT_PROVIDER_CONFIG, Registration
from extensions.registry import Registry

log = logging.getLogger(__name__)
PATH = "/extensions/v1/schemas"
# Operators only: the installed plugins and the broken ones left out, with the reason.
PLUGINS_PATH = "/extensions/v1/plugins"
# JSON Schema keywords OpenAPI v3.0 (and kubectl explain) has no use for.
_DROPPED = frozenset({"$schema", "$id", "examples", "errorMessage", "$comment"})


def entries(registry: Registry) -> list[JSON]:
    """One entry per served (kind, type): plugin, Shoot field, explain name and schema (None: takes none)."""
    out = []
    for registration in registry.registrations():
        if not registration.primary:
            continue
        plugin = registry.plugin_of(kind=registration.kind, type=registration.type)
        schema = registration.provider_config_schema
        identity = config_kind(registration)
        out.append({
            "plugin": plugin.name, "kind": str(registration.kind), "type": registration.type,
            "shootField": SHOOT_PROVIDER_CONFIG.get(registration.kind, ""),
            "required": registration.provider_config_required,
            "apiVersion": identity[0] if identity else None, "configKind": identity[1] if identity else None,
            "explain": f"{_plural(identity[1])}.{identity[0].split('/')[0]}" if identity and "/" in identity[0]
            else None,
            "schema": schema,
        })
    return out


def config_kind(registration: Registration) -> tuple[str, str] | None:
    """(apiVersion, kind) the schema fixes with ``const`` (or a one-value ``enum``), else None."""
    schema = registration.provider_config_schema or {}
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return None
    api_version, kind = _fixed(properties.get("apiVersion")), _fixed(properties.get("kind"))
    if api_version and kind and "/" in api_version:
        return api_version, kind
    return None


def documentation_types(registry: Registry) -> list[ResourceType]:
    """The kinds ``kubectl explain`` describes: one per schema with a fixed apiVersion and kind."""
    found: dict[tuple[str, str, str], ResourceType] = {}
    for registration in registry.registrations():
        identity = config_kind(registration)
        if identity is None or not registration.primary:
            continue
        group, _, version = identity[0].partition("/")
        key = (group, version, identity[1])
        if key in found:
            log.warning("%s/%s: %s %s is documented already by another type", registration.kind,
                        registration.type, identity[0], identity[1])
            continue
        schema = openapi_schema(registration.provider_config_schema or {})
        schema["description"] = (f"{schema.get('description', identity[1])} Given in a Shoot at "
                                 f"{SHOOT_PROVIDER_CONFIG.get(registration.kind, 'its providerConfig')} "
                                 f"(type {registration.type}).")
        found[key] = ResourceType(group=group, version=version, kind=identity[1], plural=_plural(identity[1]),
                                  namespaced=False, verbs=("get", "list"), schema=schema,
                                  strategic_merge=False)
    return list(found.values())


def openapi_schema(schema: Any) -> Any:
    """A JSON Schema (draft 2020-12) as OpenAPI v3.0 reads it: ``const`` as a one-value ``enum``, annotations
    OpenAPI lacks dropped, ``properties.apiVersion``/``kind`` left to the kind's own (added by the OpenAPI
    document)."""
    if isinstance(schema, list):
        return [openapi_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return copy.deepcopy(schema)
    out: JSON = {}
    for key, value in schema.items():
        if key in _DROPPED:
            continue
        if key == "const":
            out["enum"] = [copy.deepcopy(value)]
        elif key in ("properties", "patternProperties", "$defs", "definitions") and isinstance(value, dict):
            out[key] = {name: openapi_schema(sub) for name, sub in value.items()}
        else:
            out[key] = openapi_schema(value)
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = openapi_schema(out["additionalProperties"])
    return out


def install(api: ApiServer, registry: Registry) -> APIRouter:
    """Register the documentation kinds on ``api`` and return the router serving ``PATH``."""
    for rt in documentation_types(registry):
        if api.registry.get(rt.group, rt.version, rt.plural) is not None:
            continue
        api.registry.register(rt)
        api.raw_subresources[(rt.key, "")] = _documentation_only
    listing = entries(registry)
    router = APIRouter()

    @router.get(PATH)
    async def schemas(request: Request) -> JSONResponse:
        authenticate(api, request)  # any identity of the garden may read them, as it may read OpenAPI
        q = request.query_params
        items = [e for e in listing if all(not q.get(f) or e[f] == q[f] for f in ("plugin", "kind", "type"))]
        return JSONResponse({"kind": "ProviderConfigSchemaList", "apiVersion": "extensions.hortus.dev/v1",
                             "items": items})

    @router.get(PLUGINS_PATH)
    async def plugins(request: Request) -> JSONResponse:
        user = authenticate(api, request)
        reason = api.authorizer.authorize(user, Attributes(verb="get", path=PLUGINS_PATH))
        if reason is not None:
            raise errors.forbidden(f'User "{user.name}" cannot get path "{PLUGINS_PATH}": {reason}')
        return JSONResponse(plugin_list(registry))

    return router


def plugin_list(registry: Registry) -> JSON:
    """The plugins served (name, version, entry point, (kind, type) pairs) and those left out with the reason."""
    entry_points = {plugin: ep for ep, plugin in registry.entry_points.items()}
    served = [{"name": p.name, "version": p.version, "entryPoint": entry_points.get(p.name, ""),
               "description": p.description,
               "resources": [{"kind": str(r.kind), "type": r.type, "primary": r.primary} for r in p.resources]}
              for p in registry.plugins()]
    broken = [{"plugin": p.plugin, "entryPoint": p.entry_point, "reason": p.message} for p in registry.problems]
    return {"kind": "ExtensionPluginList", "apiVersion": "extensions.hortus.dev/v1", "items": served,
            "broken": broken}


async def _documentation_only(_api: ApiServer, request: Request, target: Target, _ctx: RequestContext) -> Response:
    rt = target.rt
    why = (f"{rt.kind} ({rt.group_version}) only documents a providerConfig schema (kubectl explain "
           f"{rt.plural}.{rt.group}); it is given inside a Shoot, not stored on its own")
    if request.method == "GET" and not target.name and not target.subresource:
        return JSONResponse({"kind": f"{rt.kind}List", "apiVersion": rt.group_version,
                             "metadata": {"resourceVersion": "0"}, "items": []})
    if request.method == "GET" and not target.subresource:
        raise errors.ApiError(404, "NotFound", f'{rt.qualified} "{target.name}" not found: {why}',
                              details={"name": target.name, "group": rt.group, "kind": rt.plural})
    raise errors.method_not_allowed(why)


def _fixed(prop: Any) -> str | None:
    if not isinstance(prop, dict):
        return None
    if isinstance(prop.get("const"), str):
        return str(prop["const"])
    enum = prop.get("enum")
    if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
        return enum[0]
    return None


def _plural(kind: str) -> str:
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith(("s", "x", "ch", "sh")) else "s")
