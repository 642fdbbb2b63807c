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
import time
from collections.abc import Iterable
from typing import Any, Protocol

from garden.console import query, summary
from garden.console.summary import ShootRow
from shoot import conditions

JSON = dict[str, Any]
SHOOTS = "core.gardener.cloud/shoots"
_PAGE = 1000
# How much of the retained change log the first build reads for the duration chart's past.
HISTORY_ROWS = 5_000


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
        # Bumped whenever a row changes: sorted orders and facets are cached per version.
        self.version = 0
        # Sorted orders with each row's position; a changed row whose sort key stays is replaced in place.
        self._orders: dict[tuple[str, bool], tuple[list[ShootRow], dict[tuple[str, str], int]]] = {}
        self._facets: tuple[int, dict[str, list[str]]] | None = None
        self._facets_at = 0.0
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

    def ordered(self, sort: str, descending: bool) -> list[ShootRow]:
        """Every row in a sort order, kept across changes that leave the order as it is (do not change the list)."""
        with self._lock:
            found = self._orders.get((sort, descending))
            if found is None:
                rows = query.ordered(self.rows.values(), sort, descending)
                found = (rows, {r.key: i for i, r in enumerate(rows)})
                self._orders[(sort, descending)] = found
            return found[0]

    def _reorder(self, old: ShootRow | None, new: ShootRow | None) -> None:
        """Keep the cached orders: replace a row in place when its sort keys did not change, else drop them."""
        if old is None or new is None:
            self._orders.clear()
            return
        for (sort, _descending), (rows, positions) in list(self._orders.items()):
            key = query.SORTS[sort][0]
            if key(old) != key(new):
                self._orders.clear()
                return
            rows[positions[old.key]] = new

    def facets(self, *, max_age: float = 5.0) -> dict[str, list[str]]:
        """The filter values over all rows, recomputed at most every ``max_age`` seconds while rows change
        (a new project or seed shows up in the dropdowns within that time)."""
        now = time.monotonic()
        with self._lock:
            if self._facets is None or (self._facets[0] != self.version and now - self._facets_at >= max_age):
                self._facets = (self.version, query.facets(list(self.rows.values())))
                self._facets_at = now
            return self._facets[1]

    def _build(self) -> None:
        # One snapshot read (objects and resourceVersion agree); changes after it are applied by _follow.
        found, rv = self.source.list(SHOOTS, None)
        self.rows = {(built := summary.row(obj)).key: built for obj in found}
        self.version += 1
        self._orders.clear()
        self.rv = rv
        self._history_from_log(rv)
        self._follow()

    def _history_from_log(self, until: int) -> None:
        """Finished operations still visible in the retained change log (the chart has a past from the start)."""
        cursor = max(self.source.compacted_rv(), until - HISTORY_ROWS)
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
            self.version += 1
            old = self.rows.get(key)
            if change.type == "DELETED":
                self.rows.pop(key, None)
                self._started.pop(key, None)
                self._reorder(old, None)
            else:
                self.rows[key] = new = summary.row(change.object)
                self._reorder(old, new)
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
