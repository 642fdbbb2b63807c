"""Engines for the embedded SQLite default and for PostgreSQL.

Called by the app factories (``garden.app``, the local seed cluster) and by tests. SQLite gets WAL, a busy
timeout and explicit ``BEGIN IMMEDIATE`` for write transactions, so concurrent writers queue instead of failing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

WRITE = {"hortus_write": True}


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for ``url``; ``sqlite:///path`` or ``postgresql+psycopg://...``."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_recycle", 1800)
    return sa.create_engine(url, **kwargs)


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_engine(url: str, **kwargs: Any) -> sa.Engine:
    kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    engine = sa.create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite's own handling defers it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        write = connection.get_execution_options().get("hortus_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
