"""Watches: an in-process feed over the database change log, and the event stream of one watch request.

One ``ChangeFeed`` per API server process polls the change log (so watches see writes made by any process
sharing the database — several API servers on PostgreSQL) and is woken at once by local commits. The HTTP
layer (``apiserver.routes``) turns ``events()`` into a chunked stream of JSON lines.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio

from apiserver import errors, selectors
from apiserver.registry import ResourceType
from apiserver.storage.store import Change, Store

JSON = dict[str, Any]


class ChangeFeed:
    """The recent change log of one database, buffered in memory and shared by every watch of the process."""

    def __init__(self, store: Store, *, poll_interval: float = 0.2, buffer: int = 20000) -> None:
        self.store = store
        self.poll_interval = poll_interval
        self._buffer: collections.deque[Change] = collections.deque(maxlen=buffer)
        self._last = 0
        self._cond: asyncio.Condition | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        # Polling costs a query per write; it runs only while some watch is open.
        self._watchers = 0
        # Set when the server shuts down: every open watch ends its stream cleanly (clients re-watch elsewhere).
        self.closing = False

    @property
    def last_seen(self) -> int:
        return self._last

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.closing = False
        self._cond = asyncio.Condition()
        self._wake = asyncio.Event()
        self._last = await anyio.to_thread.run_sync(self.store.current_rv)
        self.store.listeners.append(self.notify)
        self._task = asyncio.create_task(self._run(), name="change-feed")

    async def stop(self) -> None:
        if self.notify in self.store.listeners:
            self.store.listeners.remove(self.notify)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def close_watches(self) -> None:
        """End every open watch now (the server is shutting down and must not wait on them)."""
        self.closing = True
        if self._cond is not None:
            async with self._cond:
                self._cond.notify_all()

    def notify(self) -> None:
        """Wake the poller now (called from any thread after a local commit)."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator[None]:
        """Keep the feed polling while a watch is open."""
        if self._watchers == 0:
            # Nobody watched until now: start from the present; older changes are read from the database.
            self._last = await anyio.to_thread.run_sync(self.store.current_rv)
            self._buffer.clear()
        self._watchers += 1
        try:
            yield
        finally:
            self._watchers -= 1

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            if self._watchers:
                await self.poll()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            self._wake.clear()

    async def poll(self) -> None:
        assert self._cond is not None
        while True:
            changes = await anyio.to_thread.run_sync(lambda: self.store.changes_since(self._last))
            if not changes:
                return
            self._buffer.extend(changes)
            self._last = changes[-1].resource_version
            async with self._cond:
                self._cond.notify_all()

    async def after(self, rv: int, *, timeout: float) -> list[Change]:
        """Changes with a resourceVersion above ``rv``, waiting up to ``timeout`` seconds for the first one.

        Raises ``errors.gone`` when the change log no longer holds the changes right after ``rv``.
        """
        assert self._cond is not None
        if rv >= self._last:
            async with self._cond:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cond.wait_for(lambda: self._last > rv or self.closing),
                                           timeout=timeout)
        if self._buffer and self._buffer[0].resource_version <= rv + 1:
            return [c for c in self._buffer if c.resource_version > rv]
        if rv >= self._last:
            return []
        return await anyio.to_thread.run_sync(lambda: self._from_database(rv))

    async def ensure_available(self, rv: int) -> None:
        """Raise ``errors.gone`` when the change log is compacted past ``rv``.

        Asked of the database, not the buffer: the buffer may still hold compacted changes, and every API server
        sharing the database must answer a resumed watch alike.
        """
        await anyio.to_thread.run_sync(lambda: self._check_compacted(rv))

    def _check_compacted(self, rv: int) -> None:
        compacted = self.store.compacted_rv()
        if rv < compacted:
            raise errors.gone(f"too old resource version: {rv} ({compacted})")

    def _from_database(self, rv: int) -> list[Change]:
        self._check_compacted(rv)
        return self.store.changes_since(rv, limit=5000)


@dataclasses.dataclass(frozen=True)
class WatchRequest:
    """What one watch asks for."""

    rt: ResourceType
    namespace: str | None
    labels: selectors.LabelSelector
    fields: selectors.FieldSelector
    field_getter: Callable[[JSON], Callable[[str], str | None]]
    resource_version: int
    bookmarks: bool
    timeout: float | None
    bookmark_interval: float = 10.0
    # The authorizer's per-object visibility (e.g. only the projects the user belongs to).
    visible: Callable[[JSON], bool] = lambda _obj: True


async def events(feed: ChangeFeed, req: WatchRequest) -> AsyncIterator[tuple[str, JSON]]:
    """(type, object) pairs after ``req.resource_version`` until the timeout; ERROR 410 when compacted."""
    async with feed.subscription():
        async for event in _events(feed, req):
            yield event


async def _events(feed: ChangeFeed, req: WatchRequest) -> AsyncIterator[tuple[str, JSON]]:
    cursor = req.resource_version
    deadline = None if req.timeout is None else time.monotonic() + req.timeout
    last_sent = time.monotonic()
    try:
        await feed.ensure_available(cursor)
    except errors.ApiError as gone:
        yield "ERROR", gone.status()
        return
    while (deadline is None or time.monotonic() < deadline) and not feed.closing:
        wait = req.bookmark_interval if deadline is None else min(req.bookmark_interval, deadline - time.monotonic())
        try:
            changes = await feed.after(cursor, timeout=max(wait, 0.0))
        except errors.ApiError as gone:
            yield "ERROR", gone.status()
            return
        for change in changes:
            cursor = change.resource_version
            event = _event_for(req, change)
            if event is not None:
                last_sent = time.monotonic()
                yield event
        if req.bookmarks and time.monotonic() - last_sent >= req.bookmark_interval:
            last_sent = time.monotonic()
            yield "BOOKMARK", bookmark(req.rt, cursor)
    if req.bookmarks:
        yield "BOOKMARK", bookmark(req.rt, cursor)


def bookmark(rt: ResourceType, rv: int) -> JSON:
    return {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": {"resourceVersion": str(rv)}}


def _matches(req: WatchRequest, obj: JSON | None) -> bool:
    if obj is None:
        return False
    if not req.visible(obj):
        return False
    md = obj.get("metadata", {})
    return req.labels.matches(md.get("labels") or {}) and req.fields.matches(req.field_getter(obj))


def _event_for(req: WatchRequest, change: Change) -> tuple[str, JSON] | None:
    """Kubernetes' selector semantics: an object leaving the selection is DELETED, one entering is ADDED."""
    if change.resource != req.rt.key:
        return None
    if req.namespace is not None and change.namespace != req.namespace:
        return None
    now = _matches(req, change.object)
    if change.type == "MODIFIED":
        before = _matches(req, change.prev)
        kind = {(True, True): "MODIFIED", (False, True): "ADDED", (True, False): "DELETED"}.get((before, now))
    else:
        kind = change.type if now else None
    return None if kind is None else (kind, change.object)
