"""Lists of one kind: label and field selectors, paging with ``limit`` and opaque continue tokens.

Called by ``apiserver.service.ResourceService.list``; ``apiserver.routes`` checks a watch's field selector against
``allowed_fields``. A continue token pins the resource version of the first page, as Kubernetes' does.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from typing import Any

from apiserver import errors, selectors
from apiserver.objects import with_type
from apiserver.registry import ResourceType
from apiserver.storage.store import StaleResourceVersion, Store

JSON = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class ListResult:
    items: list[JSON]
    resource_version: int
    continue_token: str | None


def allowed_fields(rt: ResourceType) -> set[str]:
    base = {"metadata.name"} | ({"metadata.namespace"} if rt.namespaced else set())
    return base | set(rt.field_selectors)


def list_objects(
    store: Store,
    rt: ResourceType,
    namespace: str | None,
    *,
    label_selector: str = "",
    field_selector: str = "",
    limit: int | None = None,
    continue_token: str | None = None,
) -> ListResult:
    labels = selectors.parse_label_selector(label_selector)
    fields = selectors.parse_field_selector(field_selector)
    selectors.check_fields(fields, allowed_fields(rt), rt.qualified)
    after, pinned_rv = decode_continue(continue_token) if continue_token else (None, None)
    only_name = _equality(fields, "metadata.name")
    items: list[JSON] = []
    rv = pinned_rv
    batch = max(limit or 500, 100)
    while True:
        page, page_rv = store.list(rt.key, namespace, after=after, limit=batch, name=only_name)
        rv = rv or page_rv
        for obj in page:
            after = (obj["metadata"].get("namespace") or "", obj["metadata"]["name"])
            if labels.matches(obj["metadata"].get("labels") or {}) and fields.matches(_getter(rt, obj)):
                items.append(with_type(rt, obj))
                if limit and len(items) == limit:
                    more = bool(store.list(rt.key, namespace, after=after, limit=1, name=only_name)[0])
                    return ListResult(items, rv, encode_continue(after, rv) if more else None)
        if len(page) < batch:
            return ListResult(items, rv, None)


def list_exact(
    store: Store,
    rt: ResourceType,
    namespace: str | None,
    resource_version: int,
    *,
    label_selector: str = "",
    field_selector: str = "",
    limit: int | None = None,
) -> ListResult:
    """A list at exactly ``resource_version`` (``resourceVersionMatch=Exact``), rebuilt from the change log."""
    labels = selectors.parse_label_selector(label_selector)
    fields = selectors.parse_field_selector(field_selector)
    selectors.check_fields(fields, allowed_fields(rt), rt.qualified)
    try:
        state = store.list_at(rt.key, namespace, resource_version)
    except StaleResourceVersion:
        raise errors.gone(f"too old resource version: {resource_version} ({store.compacted_rv()})") from None
    items = [with_type(rt, obj) for obj in state
             if labels.matches(obj["metadata"].get("labels") or {}) and fields.matches(_getter(rt, obj))]
    if not limit or len(items) <= limit:
        return ListResult(items, resource_version, None)
    last = items[limit - 1]["metadata"]
    return ListResult(items[:limit], resource_version,
                      encode_continue((last.get("namespace") or "", last["name"]), resource_version))


def encode_continue(after: tuple[str, str], rv: int) -> str:
    raw = json.dumps({"rv": rv, "ns": after[0], "name": after[1]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_continue(token: str) -> tuple[tuple[str, str], int]:
    try:
        doc = json.loads(base64.urlsafe_b64decode(token.encode()))
        return (str(doc["ns"]), str(doc["name"])), int(doc["rv"])
    except (ValueError, KeyError, TypeError):
        raise errors.bad_request("continue key is not valid: the format is invalid") from None


def _getter(rt: ResourceType, obj: JSON) -> Callable[[str], str | None]:
    def get(field: str) -> str | None:
        path = rt.field_selectors.get(field, field)
        return selectors.field_value(obj, path)

    return get


def _equality(fields: selectors.FieldSelector, field: str) -> str | None:
    for f, op, value in fields.requirements:
        if f == field and op in ("=", "=="):
            return value
    return None
