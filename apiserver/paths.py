"""Resource URLs: ``/api/v1/...`` and ``/apis/<group>/<version>/[namespaces/<ns>/]<plural>[/<name>[/<sub>]]``.

Called by ``apiserver.routes`` to find the kind, namespace, name and subresource a request is about.
"""

from __future__ import annotations

import dataclasses

from apiserver import errors
from apiserver.registry import Registry, ResourceType


@dataclasses.dataclass(frozen=True)
class Target:
    rt: ResourceType
    namespace: str | None  # None: across all namespaces (or a cluster-scoped kind)
    name: str = ""
    subresource: str = ""


def resolve(registry: Registry, group: str, version: str, rest: str) -> Target:
    segs = [s for s in rest.split("/") if s]
    if len(segs) >= 3 and segs[0] == "namespaces":
        rt = registry.get(group, version, segs[2])
        if rt is not None and rt.namespaced:
            return _target(rt, segs[1], segs[3:])
    if not segs:
        raise errors.path_not_found()
    rt = registry.get(group, version, segs[0])
    if rt is None:
        raise errors.path_not_found()
    return _target(rt, None if rt.namespaced else "", segs[1:])


def _target(rt: ResourceType, namespace: str | None, segs: list[str]) -> Target:
    if len(segs) > 2:
        raise errors.path_not_found()
    name = segs[0] if segs else ""
    sub = segs[1] if len(segs) > 1 else ""
    if sub and sub not in rt.subresources:
        raise errors.path_not_found()
    return Target(rt=rt, namespace=namespace, name=name, subresource=sub)
