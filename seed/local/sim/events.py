"""Events for what the simulation does (Scheduled, Pulled, Created, Started, ScalingReplicaSet, ...).

``Recorder`` is shared by the simulated controllers of one ``Simulation``. Like client-go's event recorder it
aggregates: the same reason and message about the same object bumps ``count`` and ``lastTimestamp`` of one Event
instead of creating another. Recording never fails the caller (a terminating namespace refuses new Events).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from apiserver import errors, meta
from apiserver.context import system_context
from apiserver.server import ApiServer

log = logging.getLogger(__name__)
JSON = dict[str, Any]
NORMAL, WARNING = "Normal", "Warning"
_REMEMBERED = 20000


class Recorder:
    """Writes core/v1 Events about objects of one API server."""

    def __init__(self, api: ApiServer) -> None:
        self.api = api
        # (involved uid, reason, message) -> (namespace, event name), for aggregation.
        self._seen: dict[tuple[str, str, str], tuple[str, str]] = {}

    def record(self, obj: JSON, *, reason: str, message: str, component: str, type_: str = NORMAL,
               host: str = "", field_path: str = "") -> None:
        rt = self.api.registry.get("", "v1", "events")
        if rt is None:
            return
        md = obj["metadata"]
        key = (str(md.get("uid", "")), reason, message)
        try:
            if key in self._seen and self._bump(rt, *self._seen[key]):
                return
            body = _event(obj, reason=reason, message=message, component=component, type_=type_, host=host,
                          field_path=field_path)
            created = self.api.service.create(rt, body["metadata"]["namespace"], body, system_context())
        except errors.ApiError as exc:
            log.debug("event %s about %s not recorded: %s", reason, md.get("name"), exc)
            return
        if len(self._seen) > _REMEMBERED:
            self._seen.clear()
        self._seen[key] = (created["metadata"]["namespace"], created["metadata"]["name"])

    def _bump(self, rt: Any, namespace: str, name: str) -> bool:
        stored = self.api.store.get(rt.key, namespace, name)
        if stored is None:
            return False
        stored["count"] = int(stored.get("count") or 1) + 1
        stored["lastTimestamp"] = meta.now()
        self.api.service.update(rt, namespace, name, stored, system_context())
        return True


def _event(obj: JSON, *, reason: str, message: str, component: str, type_: str, host: str,
           field_path: str) -> JSON:
    md = obj["metadata"]
    namespace = md.get("namespace") or "default"
    stamp = meta.now()
    involved = {"kind": obj.get("kind", ""), "namespace": md.get("namespace") or "", "name": md["name"],
                "uid": md.get("uid", ""), "apiVersion": obj.get("apiVersion", ""),
                "resourceVersion": md.get("resourceVersion", "")}
    if not involved["namespace"]:
        del involved["namespace"]
    if field_path:
        involved["fieldPath"] = field_path
    source = {"component": component, **({"host": host} if host else {})}
    return {
        "apiVersion": "v1", "kind": "Event",
        # Kubernetes names Events "<object>.<unix nanoseconds in hex>".
        "metadata": {"name": f"{md['name']}.{time.time_ns():x}", "namespace": namespace},
        "involvedObject": involved, "reason": reason, "message": message, "type": type_,
        "source": source, "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1,
        "reportingComponent": component, "reportingInstance": host or component,
    }
