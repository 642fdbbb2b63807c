"""Live updates: the change log as server-sent events, only of objects the viewer may see.

Served by ``garden.console.app`` at ``/console/events``; ``static/console.js`` turns each event into an htmx
``live`` trigger on the fragments that show that object, which then re-render through the ordinary (authorized)
routes. An event carries the kind and name of what changed, never the object itself.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio

from apiserver import errors
from apiserver.watch import ChangeFeed

JSON = dict[str, Any]
KINDS = {"core.gardener.cloud/shoots": "shoot", "core.gardener.cloud/seeds": "seed",
         "core.gardener.cloud/projects": "project"}
KEEPALIVE = 15.0


async def events(feed: ChangeFeed, visible: Callable[[str, JSON], bool], *,
                 current_rv: Callable[[], int]) -> AsyncIterator[bytes]:
    """The event stream of one viewer: ``visible(storage key, object)`` is the authorizer's verdict."""
    async with feed.subscription():
        cursor = await anyio.to_thread.run_sync(current_rv)
        yield b"retry: 2000\n: connected\n\n"
        while not feed.closing:
            try:
                changes = await feed.after(cursor, timeout=KEEPALIVE)
            except errors.ApiError:  # compacted past our cursor: every view should re-render
                cursor = await anyio.to_thread.run_sync(current_rv)
                yield _event({"kind": "reset"})
                continue
            if not changes:
                yield b": keepalive\n\n"
                continue
            seen: dict[tuple[str, str, str], JSON] = {}
            for change in changes:
                cursor = max(cursor, change.resource_version)
                kind = KINDS.get(change.resource)
                if kind is None or not visible(change.resource, change.object):
                    continue
                seen[(kind, change.namespace, change.name)] = {
                    "kind": kind, "namespace": change.namespace, "name": change.name, "type": change.type,
                    "rv": change.resource_version}
            for doc in seen.values():
                yield _event(doc)


def _event(doc: JSON) -> bytes:
    return f"event: change\ndata: {json.dumps(doc, separators=(',', ':'))}\n\n".encode()
