"""The storage schema: objects, their change log, and counters (resourceVersion, compaction mark).

Imported by ``apiserver.storage.store`` and by the Alembic migrations in ``migrations/``.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

objects = sa.Table(
    "objects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("resource", sa.String(200), nullable=False),
    sa.Column("namespace", sa.String(253), nullable=False, server_default=""),
    sa.Column("name", sa.String(253), nullable=False),
    sa.Column("resource_version", sa.BigInteger, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.UniqueConstraint("resource", "namespace", "name", name="uq_objects_resource_namespace_name"),
)

changes = sa.Table(
    "changes",
    metadata,
    sa.Column("resource_version", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("resource", sa.String(200), nullable=False),
    sa.Column("namespace", sa.String(253), nullable=False, server_default=""),
    sa.Column("name", sa.String(253), nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("prev", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

RESOURCE_VERSION = "resource_version"
COMPACTED = "compacted"
