"""An ``Api`` that records what a plugin changes: which objects it created, changed, deleted or gave a new status.

A write that leaves the stored object's content as it was is no change: its labels, annotations, finalizers, owners
and everything outside ``metadata`` and ``status`` (controllers write status on their own meanwhile).

Used by the conformance kit (``hortus.kit.conformance``) around the seed and the shoot API of each run: a second
reconcile must record no change but the extension object's own status, and after delete every object recorded as
created must be gone.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from extensions.contract import JSON, Api

Key = tuple[str, str, str, str]  # (where, apiVersion/kind, namespace, name)


@dataclasses.dataclass(frozen=True)
class Change:
    what: str  # created, changed, deleted, status
    key: Key

    def __str__(self) -> str:
        where, kind, namespace, name = self.key
        at = f"{namespace}/{name}" if namespace else name
        return f"{self.what} {kind} {at} (in the {where} API)"


@dataclasses.dataclass
class Journal:
    """What every ``RecordingApi`` sharing it has recorded."""

    changes: list[Change] = dataclasses.field(default_factory=list)
    created: dict[Key, None] = dataclasses.field(default_factory=dict)

    def mark(self) -> int:
        return len(self.changes)

    def since(self, mark: int) -> list[Change]:
        return self.changes[mark:]


class RecordingApi:
    """``inner`` with every effective write recorded in ``journal`` under ``where`` ("seed" or "shoot")."""

    def __init__(self, inner: Api, journal: Journal, *, where: str) -> None:
        self.inner = inner
        self.journal = journal
        self.where = where

    def get(self, api_version: str, kind: str, name: str, *, namespace: str | None = None) -> JSON | None:
        return self.inner.get(api_version, kind, name, namespace=namespace)

    def list(self, api_version: str, kind: str, *, namespace: str | None = None,
             label_selector: str = "") -> list[JSON]:
        return self.inner.list(api_version, kind, namespace=namespace, label_selector=label_selector)

    def apply(self, obj: JSON) -> JSON:
        before = self._live(obj)
        after = self.inner.apply(obj)
        key = self._key(obj)
        if before is None:
            self._record("created", key)
            self.journal.created[key] = None
        elif _rv(before) != _rv(after) and _content(before) != _content(after):
            self._record("changed", key)
        return after

    def apply_status(self, obj: JSON) -> JSON:
        before = self._live(obj)
        after = self.inner.apply_status(obj)
        if before is None or before.get("status") != after.get("status"):
            self._record("status", self._key(obj))
        return after

    def delete(self, api_version: str, kind: str, name: str, *, namespace: str | None = None) -> bool:
        before = self.inner.get(api_version, kind, name, namespace=namespace)
        existed = self.inner.delete(api_version, kind, name, namespace=namespace)
        if before is not None and not before["metadata"].get("deletionTimestamp"):
            self._record("deleted", (self.where, f"{api_version}/{kind}", namespace or "", name))
        return existed

    def _live(self, obj: JSON) -> JSON | None:
        md = obj.get("metadata") or {}
        return self.inner.get(obj["apiVersion"], obj["kind"], md.get("name", ""), namespace=md.get("namespace"))

    def _key(self, obj: JSON) -> Key:
        md = obj.get("metadata") or {}
        return (self.where, f"{obj['apiVersion']}/{obj['kind']}", md.get("namespace") or "", md.get("name", ""))

    def _record(self, what: str, key: Key) -> None:
        self.journal.changes.append(Change(what, key))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _content(obj: JSON) -> JSON:
    md = obj.get("metadata") or {}
    kept = {k: md.get(k) or None for k in ("labels", "annotations", "finalizers", "ownerReferences")}
    return {**{k: v for k, v in obj.items() if k not in ("metadata", "status")}, "metadata": kept}


def _rv(obj: JSON) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion", ""))
