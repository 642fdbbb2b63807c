"""Objects, the change log and the global resourceVersion, in one SQL database.

``apiserver.service`` reads through ``Store`` and writes inside ``Store.write()``; ``apiserver.watch`` reads the
change log with ``changes_since``. Every write transaction first takes the resourceVersion counter (a row lock
on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so resourceVersions commit in order and a change-log reader that
has seen version N has seen everything below it.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import orjson
import sqlalchemy as sa

from apiserver import decoding
from apiserver.storage import engine as engines
from apiserver.storage import tables

JSON = dict[str, Any]
log = logging.getLogger(__name__)
_SURROGATE = re.compile("[\ud800-\udfff]")


# Built once: the point read is the hottest statement, and a prebuilt statement skips SQLAlchemy's construction.
_GET = sa.select(tables.objects.c.data).where(
    tables.objects.c.resource == sa.bindparam("resource"),
    tables.objects.c.namespace == sa.bindparam("namespace"),
    tables.objects.c.name == sa.bindparam("name"),
)


class Codec(Protocol):
    """Turns a stored document into text at rest and back (encryption of sensitive kinds)."""

    def encode(self, plaintext: str) -> str: ...

    def decode(self, stored: str) -> str: ...


class PlainCodec:
    """No encryption: the document is stored as it is."""

    def encode(self, plaintext: str) -> str:
        return plaintext

    def decode(self, stored: str) -> str:
        return stored


@dataclasses.dataclass(frozen=True)
class Change:
    """One change-log row: ``type`` is ADDED, MODIFIED or DELETED; ``prev`` the object before a MODIFIED or DELETED."""

    resource_version: int
    resource: str
    namespace: str
    name: str
    type: str
    object: JSON
    prev: JSON | None


class StaleResourceVersion(Exception):
    """A write whose expected resourceVersion is no longer the stored one."""


class AlreadyStored(Exception):
    """A create of a name that exists."""


class Vanished(KeyError):
    """An update or delete of an object that is no longer stored (a concurrent delete won the race)."""


class Corrupt(Exception):
    """A stored row that cannot be read back as an object (written around the API, or damaged at rest)."""

    def __init__(self, resource: str, namespace: str, name: str, why: str) -> None:
        super().__init__(f"{resource} {namespace}/{name}: {why}")
        self.resource, self.namespace, self.name, self.why = resource, namespace, name, why


class Store:
    """SQL storage; ``sensitive(resource)`` says which kinds go through ``codec`` at rest."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        codec: Codec | None = None,
        sensitive: Callable[[str], bool] = lambda _resource: False,
    ) -> None:
        self.engine = engine
        self.codec: Codec = codec or PlainCodec()
        self.sensitive = sensitive
        # Called after every committed write (the change feed wakes up on these).
        self.listeners: list[Callable[[], None]] = []

    def create_schema(self) -> None:
        """Create the tables directly (tests and in-memory stores; servers use the Alembic migrations)."""
        tables.metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            _ensure_counters(conn)

    # --- encoding -------------------------------------------------------------------------------------------

    def _dump(self, resource: str, obj: JSON) -> str:
        # orjson refuses what it could not read back (integers beyond 64 bits, non-string keys): nothing stored
        # can poison later reads.
        text = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()
        return self.codec.encode(text) if self.sensitive(resource) else text

    def _load(self, resource: str, text: str, namespace: str = "", name: str = "") -> JSON:
        """The stored object; ``Corrupt`` when the row cannot be decoded into one that can be served.

        orjson reads what it can write back (it refuses NaN, lone surrogates and runaway nesting), and the
        object must have the metadata every reader relies on."""
        try:
            if self.sensitive(resource) or not text.startswith("{"):
                text = self.codec.decode(text)
            loaded = orjson.loads(text)
        except Exception as exc:  # a codec may raise anything on a damaged ciphertext
            raise Corrupt(resource, namespace, name, f"cannot be decoded: {exc}") from None
        if decoding.too_nested(loaded, text):
            raise Corrupt(resource, namespace, name, f"is nested deeper than {decoding.MAX_DEPTH} levels")
        md = loaded.get("metadata") if isinstance(loaded, dict) else None
        if not isinstance(md, dict) or not isinstance(md.get("name"), str) or not isinstance(
                md.get("namespace", ""), str) or not isinstance(md.get("labels") or {}, dict):
            raise Corrupt(resource, namespace, name, "is not an object with valid metadata")
        return loaded  # type: ignore[no-any-return]

    def _load_all(self, resource: str, rows: Any) -> builtins.list[JSON]:
        """Rows of (namespace, name, data) decoded; a corrupt one is logged and left out, so one bad row never
        breaks a list for everyone."""
        out = []
        for namespace, name, data in rows:
            try:
                out.append(self._load(resource, data, namespace, name))
            except Corrupt as exc:
                log.warning("skipping a stored object that cannot be read: %s", exc)
        return out

    # --- reads ----------------------------------------------------------------------------------------------

    def current_rv(self) -> int:
        with self.engine.connect() as conn:
            return _counter(conn, tables.RESOURCE_VERSION)

    def compacted_rv(self) -> int:
        with self.engine.connect() as conn:
            return _counter(conn, tables.COMPACTED)

    def get(self, resource: str, namespace: str, name: str) -> JSON | None:
        with self.engine.connect() as conn:
            return self._get(conn, resource, namespace, name)

    def _get(self, conn: sa.Connection, resource: str, namespace: str, name: str) -> JSON | None:
        if _unstorable(namespace, name):
            return None
        row = conn.execute(_GET, {"resource": resource, "namespace": namespace, "name": name}).first()
        return None if row is None else self._load(resource, row.data, namespace, name)

    def list(
        self,
        resource: str,
        namespace: str | None,
        *,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
        name: str | None = None,
    ) -> tuple[list[JSON], int]:
        """Objects ordered by (namespace, name) after the ``after`` key, and the resourceVersion they are at."""
        if _unstorable(namespace or "", name or ""):
            with self.engine.connect() as conn:
                return [], _counter(conn, tables.RESOURCE_VERSION)
        o = tables.objects
        query = (sa.select(o.c.namespace, o.c.name, o.c.data).where(o.c.resource == resource)
                 .order_by(o.c.namespace, o.c.name))
        if namespace is not None:
            query = query.where(o.c.namespace == namespace)
        if name is not None:
            query = query.where(o.c.name == name)
        if after is not None:
            query = query.where(sa.tuple_(o.c.namespace, o.c.name) > sa.tuple_(*after))
        if limit is not None:
            query = query.limit(limit)
        with self._snapshot() as conn:
            rows = conn.execute(query).all()
            rv = _counter(conn, tables.RESOURCE_VERSION)
        return self._load_all(resource, rows), rv

    def list_at(self, resource: str, namespace: str | None, resource_version: int) -> builtins.list[JSON]:
        """The objects as they were at ``resource_version``, ordered by (namespace, name): today's rows with every
        later change undone from the change log. Raises ``StaleResourceVersion`` when the log is compacted past it.
        """
        if _unstorable(namespace or ""):
            return []
        o, c = tables.objects, tables.changes
        rows = sa.select(o.c.namespace, o.c.name, o.c.data).where(o.c.resource == resource)
        later = (sa.select(c).where(c.c.resource == resource, c.c.resource_version > resource_version)
                 .order_by(c.c.resource_version.desc()))
        if namespace is not None:
            rows, later = rows.where(o.c.namespace == namespace), later.where(c.c.namespace == namespace)
        with self._snapshot() as conn:
            if resource_version < _counter(conn, tables.COMPACTED):
                raise StaleResourceVersion(str(resource_version))
            state = {(r.namespace, r.name): r.data for r in conn.execute(rows)}
            for change in conn.execute(later):
                key = (change.namespace, change.name)
                if change.type == "ADDED":
                    state.pop(key, None)
                elif change.prev is not None:
                    state[key] = change.prev
        return self._load_all(resource, [(*key, state[key]) for key in sorted(state)])

    def namespaced_resources(self, namespace: str) -> builtins.list[tuple[str, str]]:
        """(resource, name) of every object stored in ``namespace``."""
        if _unstorable(namespace):
            return []
        o = tables.objects
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(o.c.resource, o.c.name).where(o.c.namespace == namespace)).all()
        return [(r.resource, r.name) for r in rows]

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[sa.Connection]:
        """A connection whose statements all see one snapshot (objects and counter agree)."""
        with self.engine.connect() as conn:
            if not engines.is_sqlite(self.engine):
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def changes_since(self, resource_version: int, *, limit: int = 1000) -> builtins.list[Change]:
        c = tables.changes
        query = (
            sa.select(c)
            .where(c.c.resource_version > resource_version)
            .order_by(c.c.resource_version)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        out = []
        for r in rows:
            try:
                out.append(self._change(r))
            except Corrupt as exc:
                log.warning("skipping a change that cannot be read at resourceVersion %s: %s", r.resource_version, exc)
        return out

    def _change(self, r: Any) -> Change:
        return Change(
            resource_version=r.resource_version,
            resource=r.resource,
            namespace=r.namespace,
            name=r.name,
            type=r.type,
            object=self._load(r.resource, r.data, r.namespace, r.name),
            prev=None if r.prev is None else self._load(r.resource, r.prev, r.namespace, r.name),
        )

    # --- writes ---------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[WriteTxn]:
        """One serialized write transaction; each put/delete inside it gets the next resourceVersion."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(**engines.WRITE)
            with conn.begin():
                txn = WriteTxn(self, conn)
                yield txn
                txn.finish()
        for listener in self.listeners:
            listener()

    def compact(self, *, keep: int) -> int:
        """Drop change-log rows older than the newest ``keep``; returns the new compaction mark."""
        with self.write() as txn:
            return txn.compact(keep=keep)

    def reencode_sensitive(self) -> int:
        """Decode and re-encode every stored row of a sensitive kind (objects and change log) with ``codec``.

        Run after the codec's primary key changed (key rotation); resourceVersions do not move, so watches see
        nothing. Returns the number of rows rewritten.
        """
        o, c = tables.objects, tables.changes
        count = 0
        with self.write() as txn:
            kinds = set(txn.conn.execute(sa.select(o.c.resource).distinct()).scalars())
            kinds |= set(txn.conn.execute(sa.select(c.c.resource).distinct()).scalars())
            sensitive = sorted(k for k in kinds if self.sensitive(k))
            for obj in txn.conn.execute(sa.select(o.c.id, o.c.data).where(o.c.resource.in_(sensitive))).all():
                txn.conn.execute(sa.update(o).where(o.c.id == obj.id).values(data=self._reencode(obj.data)))
                count += 1
            query = sa.select(c.c.resource_version, c.c.data, c.c.prev).where(c.c.resource.in_(sensitive))
            for change in txn.conn.execute(query).all():
                prev = None if change.prev is None else self._reencode(change.prev)
                txn.conn.execute(sa.update(c).where(c.c.resource_version == change.resource_version)
                                 .values(data=self._reencode(change.data), prev=prev))
                count += 1
        return count

    def _reencode(self, stored: str) -> str:
        return self.codec.encode(self.codec.decode(stored))


class WriteTxn:
    """Writes inside ``Store.write()``; holds the resourceVersion lock until the transaction ends."""

    def __init__(self, store: Store, conn: sa.Connection) -> None:
        self.store = store
        self.conn = conn
        self.rv = _lock_counter(conn)
        self._start = self.rv

    def get(self, resource: str, namespace: str, name: str) -> JSON | None:
        return self.store._get(self.conn, resource, namespace, name)

    def create(self, resource: str, obj: JSON) -> JSON:
        ns, name = _ns_name(obj)
        if self.get(resource, ns, name) is not None:
            raise AlreadyStored(name)
        stored = self._stamp(obj)
        self.conn.execute(
            sa.insert(tables.objects).values(
                resource=resource, namespace=ns, name=name, resource_version=self.rv,
                data=self.store._dump(resource, stored),
            )
        )
        self._log(resource, "ADDED", stored, None)
        return stored

    def update(self, resource: str, obj: JSON, *, expect_rv: str | None) -> JSON:
        """Replace a stored object; with ``expect_rv``, only if it is still at that resourceVersion."""
        ns, name = _ns_name(obj)
        old = self.get(resource, ns, name)
        if old is None:
            raise Vanished(name)
        if expect_rv is not None and old["metadata"].get("resourceVersion") != expect_rv:
            raise StaleResourceVersion(name)
        stored = self._stamp(obj)
        o = tables.objects
        self.conn.execute(
            sa.update(o)
            .where(o.c.resource == resource, o.c.namespace == ns, o.c.name == name)
            .values(resource_version=self.rv, data=self.store._dump(resource, stored))
        )
        self._log(resource, "MODIFIED", stored, old)
        return stored

    def delete(self, resource: str, namespace: str, name: str, *, expect_rv: str | None = None) -> JSON:
        old = self.get(resource, namespace, name)
        if old is None:
            raise Vanished(name)
        if expect_rv is not None and old["metadata"].get("resourceVersion") != expect_rv:
            raise StaleResourceVersion(name)
        o = tables.objects
        self.conn.execute(
            sa.delete(o).where(o.c.resource == resource, o.c.namespace == namespace, o.c.name == name)
        )
        gone = self._stamp(old)
        self._log(resource, "DELETED", gone, old)  # the object before, for reads at an older resourceVersion
        return gone

    def delete_unreadable(self, resource: str, namespace: str, name: str) -> bool:
        """Remove a row that cannot be read (``Corrupt``), logging a DELETED change with only its name."""
        o = tables.objects
        gone = self.conn.execute(
            sa.delete(o).where(o.c.resource == resource, o.c.namespace == namespace, o.c.name == name))
        if not gone.rowcount:
            return False
        md = {"name": name, **({"namespace": namespace} if namespace else {})}
        self._log(resource, "DELETED", self._stamp({"metadata": md}), None)
        return True

    def compact(self, *, keep: int) -> int:
        mark = max(0, self.rv - keep)
        c = tables.changes
        self.conn.execute(sa.delete(c).where(c.c.resource_version <= mark))
        previous = _counter(self.conn, tables.COMPACTED)
        mark = max(mark, previous)
        _set_counter(self.conn, tables.COMPACTED, mark)
        return mark

    def _stamp(self, obj: JSON) -> JSON:
        self.rv += 1
        stamped = dict(obj)
        stamped["metadata"] = {**obj.get("metadata", {}), "resourceVersion": str(self.rv)}
        return stamped

    def _log(self, resource: str, kind: str, obj: JSON, prev: JSON | None) -> None:
        ns, name = _ns_name(obj)
        self.conn.execute(
            sa.insert(tables.changes).values(
                resource_version=self.rv, resource=resource, namespace=ns, name=name, type=kind,
                data=self.store._dump(resource, obj),
                prev=None if prev is None else self.store._dump(resource, prev),
                created_at=time.time(),
            )
        )

    def finish(self) -> None:
        if self.rv != self._start:
            _set_counter(self.conn, tables.RESOURCE_VERSION, self.rv)


def _unstorable(*keys: str) -> bool:
    """Whether a namespace or name could never have been stored: PostgreSQL text holds no NUL, and no text holds
    a lone surrogate. Such a key (from a URL or a selector) finds nothing, instead of failing in the driver."""
    return any("\x00" in key or (not key.isascii() and _SURROGATE.search(key) is not None) for key in keys)


def _ns_name(obj: JSON) -> tuple[str, str]:
    meta = obj.get("metadata", {})
    return meta.get("namespace") or "", meta["name"]


def _counter(conn: sa.Connection, name: str) -> int:
    c = tables.counters
    value = conn.execute(sa.select(c.c.value).where(c.c.name == name)).scalar()
    return int(value or 0)


def _lock_counter(conn: sa.Connection) -> int:
    c = tables.counters
    query = sa.select(c.c.value).where(c.c.name == tables.RESOURCE_VERSION)
    if not engines.is_sqlite(conn.engine):
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())


def _set_counter(conn: sa.Connection, name: str, value: int) -> None:
    c = tables.counters
    conn.execute(sa.update(c).where(c.c.name == name).values(value=value))


def _ensure_counters(conn: sa.Connection) -> None:
    existing = set(conn.execute(sa.select(tables.counters.c.name)).scalars())
    for name in (tables.RESOURCE_VERSION, tables.COMPACTED):
        if name not in existing:
            conn.execute(sa.insert(tables.counters).values(name=name, value=0))
