"""The ``scale`` subresource: an ``autoscaling/v1`` Scale view of a workload's replicas (``kubectl scale``).

``ScaleHandler`` is registered in ``ApiServer.subresources`` by ``seed.local.server`` for deployments,
replicasets and statefulsets, and by ``seed.local.crds`` for custom resources with a scale subresource. GET
renders the Scale; PUT (and PATCH, which the routes turn into GET + patch + PUT) writes ``spec.replicas`` back
to the object through the generic update, so admission, generation and watches behave as for any write.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from apiserver import errors, selectors, tables
from apiserver.context import RequestContext
from apiserver.errors import Cause
from apiserver.paths import Target
from apiserver.registry import ResourceType
from apiserver.server import ApiServer

JSON = dict[str, Any]
_RETRIES = 5


@dataclasses.dataclass(frozen=True)
class ScalePaths:
    """Where a kind keeps its replicas: the CRD ``subresources.scale`` fields, or apps/v1's own places.

    ``label_selector`` None means: render ``spec.selector`` (a LabelSelector object) as a selector string.
    """

    spec_replicas: str = ".spec.replicas"
    status_replicas: str = ".status.replicas"
    label_selector: str | None = None


class ScaleHandler:
    """GET and PUT of ``<plural>/<name>/scale``."""

    def __init__(self, paths: ScalePaths | None = None) -> None:
        self.paths = paths or ScalePaths()

    def __call__(self, api: ApiServer, target: Target, method: str, body: JSON | None, ctx: RequestContext) -> JSON:
        namespace = target.namespace or ""
        if method == "GET":
            return self.scale(target.rt, api.service.get(target.rt, namespace, target.name))
        if method != "PUT" or body is None:
            raise errors.method_not_allowed()
        return self._update(api, target, body, ctx)

    def scale(self, rt: ResourceType, obj: JSON) -> JSON:
        md = obj["metadata"]
        replicas = tables.evaluate(obj, self.paths.spec_replicas)
        status: JSON = {"replicas": _count(tables.evaluate(obj, self.paths.status_replicas))}
        selector = self._selector(obj)
        if selector:
            status["selector"] = selector
        scale_md = {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in md}
        return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": scale_md,
                "spec": {"replicas": _count(replicas)}, "status": status}

    def _selector(self, obj: JSON) -> str:
        if self.paths.label_selector is None:
            selector = (obj.get("spec") or {}).get("selector")
            return str(selectors.label_selector_from_json(selector)) if isinstance(selector, dict) else ""
        value = tables.evaluate(obj, self.paths.label_selector)
        return value if isinstance(value, str) else ""

    def _update(self, api: ApiServer, target: Target, body: JSON, ctx: RequestContext) -> JSON:
        rt, namespace, name = target.rt, target.namespace or "", target.name
        replicas = _wanted_replicas(body, name)
        pinned = (body.get("metadata") or {}).get("resourceVersion") or None
        for _ in range(_RETRIES):
            old = api.service.get(rt, namespace, name)
            if pinned is not None and old["metadata"].get("resourceVersion") != pinned:
                raise errors.conflict(rt.qualified, name)
            new = copy.deepcopy(old)
            _put(new, self.paths.spec_replicas, replicas)
            new["metadata"]["resourceVersion"] = pinned or old["metadata"]["resourceVersion"]
            try:
                return self.scale(rt, api.service.update(rt, namespace, name, new, ctx))
            except errors.ApiError as exc:
                if exc.code != 409 or pinned is not None:
                    raise
        raise errors.conflict(rt.qualified, name)


def _wanted_replicas(body: JSON, name: str) -> int:
    replicas = (body.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.invalid("Scale", name, [Cause(
            field="spec.replicas", message=f"Invalid value: {replicas}: must be greater than or equal to 0")],
            group="autoscaling")
    return replicas


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _put(obj: JSON, path: str, value: Any) -> None:
    """Set a simple dotted path such as ``.spec.replicas`` (the only form a CRD's specReplicasPath takes)."""
    *parents, leaf = path.strip().lstrip(".").split(".")
    node = obj
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
