"""Namespace lifecycle: deletion through the ``kubernetes`` finalizer, as the real namespace controller does it.

A deleted Namespace turns Terminating (its ``spec.finalizers`` hold it); ``NamespaceController`` — run by
``apiserver.server`` for every server that serves namespaces — deletes everything in it, then removes the
``kubernetes`` finalizer, and the Namespace goes once its metadata finalizers are gone too.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from apiserver import errors, rounds
from apiserver.context import system_context
from apiserver.registry import ResourceType
from apiserver.service import ResourceService

log = logging.getLogger(__name__)
JSON = dict[str, Any]
FINALIZER = "kubernetes"


def is_namespace(rt: ResourceType) -> bool:
    return rt.group == "" and rt.plural == "namespaces"


def spec_finalizers(obj: JSON) -> list[str]:
    return list((obj.get("spec") or {}).get("finalizers") or [])


def finalize(service: ResourceService, rt: ResourceType, name: str, body: JSON) -> JSON:
    """``PUT /api/v1/namespaces/<name>/finalize``: replace ``spec.finalizers`` only."""
    old = service.get(rt, "", name)
    new = copy.deepcopy(old)
    new.setdefault("spec", {})["finalizers"] = list((body.get("spec") or {}).get("finalizers") or [])
    return service.update(rt, "", name, new, system_context(), subresource="finalize")


class NamespaceController:
    """Empties terminating namespaces and lets them go."""

    def __init__(self, service: ResourceService, *, interval: float = 0.5) -> None:
        self.service = service
        self.interval = interval

    async def run_forever(self) -> None:
        await rounds.run_forever(self.sync_once, interval=self.interval, name="namespace controller")

    def sync_once(self) -> None:
        rt = self.service.registry.get("", "v1", "namespaces")
        if rt is None:
            return
        for ns in self.service.list(rt, None).items:
            if ns["metadata"].get("deletionTimestamp") and FINALIZER in spec_finalizers(ns):
                self._drain(rt, ns)

    def _drain(self, rt: ResourceType, ns: JSON) -> None:
        name = ns["metadata"]["name"]
        remaining = self.service.store.namespaced_resources(name)
        for key, obj_name in remaining:
            kind = self.service.registry.by_key(key)
            if kind is None:
                continue
            try:
                self.service.delete(kind, name, obj_name, system_context(), options={"propagationPolicy": "Background"})
            except errors.ApiError as exc:
                if exc.code != 404:
                    raise
        if self.service.store.namespaced_resources(name):
            return
        body = {"spec": {"finalizers": [f for f in spec_finalizers(ns) if f != FINALIZER]}}
        try:
            finalize(self.service, rt, name, body)
        except errors.ApiError as exc:
            if exc.code != 404:
                raise
