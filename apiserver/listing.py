"""Lists of one kind: label and field selectors, what the caller may see, paging with ``limit`` and sealed
continue tokens.

Called by ``apiserver.service.ResourceService.list``; ``apiserver.routes`` checks a watch's field selector against
``allowed_fields``. A continue token pins the resource version of the first page, as Kubernetes' does, and names
only the last object the caller was shown (``apiserver.continuation``). Visibility is applied while scanning, so a
page is full of objects the caller may see and its size says nothing about other tenants' objects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from apiserver import errors, selectors
from apiserver.continuation import ContinueTokens, ListScope
from apiserver.objects import with_type
from apiserver.registry import ResourceType
from apiserver.storage.store import StaleResourceVersion, Store

JSON = dict[str, Any]
# Kubernetes' words for a continue token whose first page's resourceVersion has been compacted away.
EXPIRED = ("The provided continue parameter is too old to display a consistent list result. You can start a new list "
           "without the continue parameter.")
# Whether the caller may see one object of the list (``Authorizer.visible`` bound to the caller).
Visible = Callable[[JSON], bool]


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
    tokens: ContinueTokens,
    label_selector: str = "",
    field_selector: str = "",
    limit: int | None = None,
    continue_token: str | None = None,
    caller: str = "",
    visible: Visible | None = None,
) -> ListResult:
    labels = selectors.parse_label_selector(label_selector)
    fields = selectors.parse_field_selector(field_selector)
    selectors.check_fields(fields, allowed_fields(rt), rt.qualified)
    scope = ListScope(rt.key, namespace, label_selector, field_selector, caller)
    after, pinned_rv = tokens.open(continue_token, scope) if continue_token else (None, None)
    if pinned_rv is not None and pinned_rv < store.compacted_rv():
        raise errors.gone(EXPIRED)
    only_name = _equality(fields, "metadata.name")
    items: list[JSON] = []
    rv = pinned_rv
    batch = max(limit or 500, 100)
    while True:
        page, page_rv = store.list(rt.key, namespace, after=after, limit=batch, name=only_name)
        rv = rv or page_rv
        for obj in page:
            if not (labels.matches(obj["metadata"].get("labels") or {}) and fields.matches(_getter(rt, obj))):
                continue
            typed = with_type(rt, obj)
            if visible is not None and not visible(typed):
                continue
            if limit and len(items) == limit:  # one more the caller may see: the page ends before it
                return ListResult(items, rv, tokens.seal(scope, _position(items[-1]), rv))
            items.append(typed)
        if page:
            after = _position(page[-1])
        if len(page) < batch:
            return ListResult(items, rv, None)


def list_exact(
    store: Store,
    rt: ResourceType,
    namespace: str | None,
    resource_version: int,
    *,
    tokens: ContinueTokens,
    label_selector: str = "",
    field_selector: str = "",
    limit: int | None = None,
    caller: str = "",
    visible: Visible | None = None,
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
    items = [obj for obj in items if visible is None or visible(obj)]
    if not limit or len(items) <= limit:
        return ListResult(items, resource_version, None)
    scope = ListScope(rt.key, namespace, label_selector, field_selector, caller)
    return ListResult(items[:limit], resource_version, tokens.seal(scope, _position(items[limit - 1]),
                                                                    resource_version))


def _position(obj: JSON) -> tuple[str, str]:
    return obj["metadata"].get("namespace") or "", obj["metadata"]["name"]


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
