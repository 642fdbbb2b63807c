"""The audit log table: one row per answered mutating request, newest read first.

Generic storage of ``apiserver.auth.AuditEvent`` (who, verb, resource, object, response code, time; never a
request body). Written by the garden's audit sink (``garden.audit``) and read by the console and
``hortus audit``. The table is created by migration 0002 (``impersonated_user`` by 0003).
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from apiserver.auth import AuditEvent

metadata = sa.MetaData()

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("timestamp", sa.String(40), nullable=False),
    sa.Column("user", sa.String(253), nullable=False, index=True),
    sa.Column("verb", sa.String(32), nullable=False),
    sa.Column("api_group", sa.String(253), nullable=False, server_default=""),
    sa.Column("resource", sa.String(200), nullable=False),
    sa.Column("subresource", sa.String(64), nullable=False, server_default=""),
    sa.Column("namespace", sa.String(253), nullable=False, server_default="", index=True),
    sa.Column("name", sa.String(253), nullable=False, server_default=""),
    sa.Column("code", sa.Integer, nullable=False),
    # The user the request was made as (``Impersonate-User``), while ``user`` authenticated; "" when nobody was.
    sa.Column("impersonated_user", sa.String(253), nullable=False, server_default=""),
)

# AuditEvent field -> column: "group" is a reserved word in SQL.
_COLUMNS = {"group": "api_group"}


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    """Equality filters on events; None means any. ``min_code`` keeps e.g. only failures (>= 400)."""

    user: str | None = None
    verb: str | None = None
    group: str | None = None
    resource: str | None = None
    namespace: str | None = None
    name: str | None = None
    min_code: int | None = None
    impersonated_user: str | None = None


class AuditStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def create_schema(self) -> None:
        metadata.create_all(self.engine)

    def append(self, event: AuditEvent) -> None:
        values = {_COLUMNS.get(k, k): storable(v) for k, v in dataclasses.asdict(event).items()}
        with self.engine.begin() as conn:
            conn.execute(sa.insert(audit_events).values(**values))

    def recent(self, *, limit: int = 100, filters: AuditFilter | None = None,
               hide: tuple[tuple[str, str], ...] = ()) -> list[AuditEvent]:
        """The newest ``limit`` events matching ``filters``, newest first; ``hide`` leaves out (resource,
        subresource) pairs, e.g. the seeds' heartbeats ``("seeds", "status")``."""
        a = audit_events
        query = sa.select(a).order_by(a.c.id.desc()).limit(max(0, limit))
        for field, value in dataclasses.asdict(filters or AuditFilter()).items():
            if value is None:
                continue
            if field == "min_code":
                query = query.where(a.c.code >= value)
            else:
                query = query.where(a.c[_COLUMNS.get(field, field)] == storable(value))
        for resource, subresource in hide:
            query = query.where(sa.not_(sa.and_(a.c.resource == resource, a.c.subresource == subresource)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_event(r) for r in rows]

    def prune(self, *, keep: int) -> int:
        """Drop all but the newest ``keep`` events; returns how many were dropped."""
        a = audit_events
        with self.engine.begin() as conn:
            newest = conn.execute(sa.select(a.c.id).order_by(a.c.id.desc()).offset(keep).limit(1)).scalar()
            if newest is None:
                return 0
            return conn.execute(sa.delete(a).where(a.c.id <= newest)).rowcount


def storable(value: object) -> object:
    """Text as a column can hold it: a request may name a NUL or a lone surrogate, which PostgreSQL refuses;
    they are recorded escaped (``\\x00``, ``\\ud800``) rather than dropping the event."""
    if not isinstance(value, str) or (value.isascii() and "\x00" not in value):
        return value
    return value.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def _event(row: sa.Row[tuple[object, ...]]) -> AuditEvent:
    return AuditEvent(user=row.user, verb=row.verb, group=row.api_group, resource=row.resource,
                      subresource=row.subresource, namespace=row.namespace, name=row.name, code=row.code,
                      timestamp=row.timestamp, impersonated_user=row.impersonated_user)
