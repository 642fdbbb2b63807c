"""The console acts as its viewer: every read and write goes through the garden's authorizer, admission and audit.

Called by ``garden.console.pages`` and ``garden.console.actions``. The same steps as ``apiserver.routes.handle``:
authorize the request attributes for the user (a refused mutation is audited by ``garden.audit.RecordDenials``),
call ``apiserver.service`` with the user's ``RequestContext`` (so admission sees who acts), and record the answered
mutation in the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio

from apiserver import access, errors
from apiserver.auth import Attributes
from apiserver.context import RequestContext, UserInfo
from apiserver.registry import ResourceType
from apiserver.server import ApiServer

JSON = dict[str, Any]
GROUP = "core.gardener.cloud"
MERGE_PATCH = "application/merge-patch+json"


class Gateway:
    def __init__(self, api: ApiServer) -> None:
        self.api = api

    def kind(self, plural: str, group: str = GROUP, version: str = "v1beta1") -> ResourceType:
        rt = self.api.registry.get(group, version, plural)
        if rt is None:
            raise errors.path_not_found()
        return rt

    def allowed(self, user: UserInfo, attrs: Attributes) -> bool:
        """Whether the authorizer would allow ``attrs`` (for showing an action; nothing is recorded)."""
        inner = getattr(self.api.authorizer, "inner", self.api.authorizer)
        return inner.authorize(user, attrs) is None

    def authorize(self, user: UserInfo, attrs: Attributes, rt: ResourceType) -> None:
        access.authorize(self.api, user, attrs, rt)

    def authorize_path(self, user: UserInfo, path: str) -> None:
        """A non-resource page (workers, audit): the authorizer decides as for ``GET <path>``."""
        reason = self.api.authorizer.authorize(user, Attributes(verb="get", path=path))
        if reason is not None:
            raise errors.forbidden(f'User "{user.name}" cannot get path "{path}": {reason}')

    def visible(self, user: UserInfo, rt: ResourceType, obj: JSON) -> bool:
        return self.api.authorizer.visible(user, rt, obj)

    async def get(self, user: UserInfo, rt: ResourceType, namespace: str, name: str) -> JSON:
        attrs = Attributes(verb="get", group=rt.group, resource=rt.plural, namespace=namespace, name=name)
        self.authorize(user, attrs, rt)
        found: JSON = await anyio.to_thread.run_sync(lambda: self.api.service.get(rt, namespace, name))
        return found

    async def list(self, user: UserInfo, rt: ResourceType, namespace: str | None = None) -> list[JSON]:
        attrs = Attributes(verb="list", group=rt.group, resource=rt.plural, namespace=namespace or "")
        self.authorize(user, attrs, rt)
        result = await anyio.to_thread.run_sync(lambda: self.api.service.list(rt, namespace))
        return [obj for obj in result.items if self.visible(user, rt, obj)]

    async def patch(self, user: UserInfo, rt: ResourceType, namespace: str, name: str, body: JSON) -> JSON:
        raw = json.dumps(body).encode()
        return await self._mutate(user, rt, "patch", namespace, name, lambda ctx: self.api.service.patch(
            rt, namespace, name, raw, MERGE_PATCH, ctx))

    async def delete(self, user: UserInfo, rt: ResourceType, namespace: str, name: str) -> JSON:
        return await self._mutate(user, rt, "delete", namespace, name,
                                  lambda ctx: self.api.service.delete(rt, namespace, name, ctx))

    async def _mutate(self, user: UserInfo, rt: ResourceType, verb: str, namespace: str, name: str,
                      call: Callable[[RequestContext], JSON]) -> JSON:
        attrs = Attributes(verb=verb, group=rt.group, resource=rt.plural, namespace=namespace, name=name,
                           path=f"/apis/{rt.group}/{rt.version}/namespaces/{namespace}/{rt.plural}/{name}")
        self.authorize(user, attrs, rt)
        ctx = RequestContext(user=user, field_manager="hortus-console")
        code = 500
        try:
            result: JSON = await anyio.to_thread.run_sync(lambda: call(ctx))
            code = 200
            return result
        except errors.ApiError as exc:
            code = exc.code
            raise
        finally:
            if self.api.audit is not None:
                event = access.audit_event(user, attrs, code)
                await anyio.to_thread.run_sync(lambda: self.api.audit(event))  # type: ignore[misc]
