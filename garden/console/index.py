"""The console's shoot index: a row per shoot in memory, kept current from the change log (a watch cache).

Owned by ``garden.console.app.Console``; every page calls ``refresh()`` first, which reads only the change-log rows
written since the last call (one indexed query when nothing changed), so pages over 10,000 shoots never list and
decode the shoots again. Also remembers finished operations (type, duration) for the overview's duration chart,
seeded from the change log that is still retained when the index is first built.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
from collections.abc import Iterable
from typing import Any, Protocol

from garden.console import summary
from garden.console.summary import ShootRow
from shoot import conditions

JSON = dict[str, Any]
SHOOTS = "core.gardener.cloud/shoots"
_PAGE = 1000


class ChangeRow(Protocol):
    resource_version: int
    resource: str
    namespace: str
    name: str
    type: str
    object: JSON
    prev: JSON | None


class ChangeSource(Protocol):
    """What the index reads: ``apiserver.storage.store.Store`` satisfies it."""

    def list(self, resource: str, namespace: str | None, *, after: tuple[str, str] | None = ...,
             limit: int | None = ..., name: str | None = ...) -> tuple[list[JSON], int]: ...

    def changes_since(self, resource_version: int, *, limit: int = ...) -> Any: ...

    def compacted_rv(self) -> int: ...


@dataclasses.dataclass(frozen=True)
class Finished:
    """One operation that ended: when, how long it ran, how it ended."""

    namespace: str
    name: str
    seed: str
    type: str
    state: str
    finished: float
    seconds: float


class ShootIndex:
    def __init__(self, source: ChangeSource, *, history: int = 5000) -> None:
        self.source = source
        self.rows: dict[tuple[str, str], ShootRow] = {}
        self.finished: collections.deque[Finished] = collections.deque(maxlen=history)
        self.rv = -1
        self._started: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def refresh(self) -> int:
        """Catch up with the change log (building the index on first use); returns the resourceVersion seen."""
        with self._lock:
            if self.rv < 0:
                self._build()
            else:
                self._follow()
            return self.rv

    def snapshot(self) -> list[ShootRow]:
        with self._lock:
            return list(self.rows.values())

    def _build(self) -> None:
        rows: dict[tuple[str, str], ShootRow] = {}
        after: tuple[str, str] | None = None
        rv = 0
        while True:
            page, page_rv = self.source.list(SHOOTS, None, after=after, limit=_PAGE)
            rv = rv or page_rv
            for obj in page:
                built = summary.row(obj)
                rows[built.key] = built
            if len(page) < _PAGE:
                break
            after = (page[-1]["metadata"].get("namespace") or "", page[-1]["metadata"]["name"])
        self.rows = rows
        # Changes committed while the pages were read are applied again by _follow: applying a change is idempotent.
        self.rv = rv
        self._history_from_log(rv)
        self._follow()

    def _history_from_log(self, until: int) -> None:
        """Finished operations still visible in the retained change log (the chart has a past from the start)."""
        cursor = self.source.compacted_rv()
        while cursor < until:
            changes = self.source.changes_since(cursor, limit=_PAGE)
            if not changes:
                break
            for change in changes:
                if change.resource_version > until:
                    return
                if change.resource == SHOOTS:
                    self._track(change)
            cursor = changes[-1].resource_version

    def _follow(self) -> None:
        while True:
            changes = self.source.changes_since(self.rv, limit=_PAGE)
            if not changes:
                return
            if changes[0].resource_version > self.rv + 1 and self.source.compacted_rv() > self.rv:
                # The log was compacted past what we saw: start again from the objects.
                self.rv = -1
                self._build()
                return
            self.apply(changes)
            if len(changes) < _PAGE:
                return

    def apply(self, changes: Iterable[ChangeRow]) -> None:
        for change in changes:
            self.rv = max(self.rv, change.resource_version)
            if change.resource != SHOOTS:
                continue
            key = (change.namespace, change.name)
            if change.type == "DELETED":
                self.rows.pop(key, None)
                self._started.pop(key, None)
            else:
                self.rows[key] = summary.row(change.object)
            self._track(change)

    def _track(self, change: ChangeRow) -> None:
        """Note when an operation started and, when it ends, how long it ran."""
        key = (change.namespace, change.name)
        now = _operation(change.object)
        before = _operation(change.prev) if change.prev else {}
        state, was = now.get("state"), before.get("state")
        at = conditions.parse_timestamp(now.get("lastUpdateTime"))
        if at is None:
            return
        if state == "Processing" and (was != "Processing" or before.get("type") != now.get("type")):
            self._started[key] = at
        elif state in ("Succeeded", "Failed") and was != state:
            started = self._started.pop(key, None)
            if started is None and was == "Processing":
                started = conditions.parse_timestamp(before.get("lastUpdateTime"))
            if started is not None:
                seed = str(((change.object.get("spec") or {}).get("seedName")) or "")
                self.finished.append(Finished(namespace=change.namespace, name=change.name, seed=seed,
                                              type=str(now.get("type") or ""), state=str(state), finished=at,
                                              seconds=max(0.0, at - started)))


def _operation(obj: JSON | None) -> JSON:
    return ((obj or {}).get("status") or {}).get("lastOperation") or {}
