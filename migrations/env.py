"""Alembic environment: runs the migrations against the URL or connection the runner passes in.

Invoked by ``apiserver.storage.migrate.upgrade`` (``hortus db upgrade`` and server start).
"""

from __future__ import annotations

from alembic import context

from apiserver.storage import engine as engines
from apiserver.storage.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engines.make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
