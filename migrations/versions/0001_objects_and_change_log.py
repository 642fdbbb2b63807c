"""Objects, the change log and counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "objects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("resource", sa.String(200), nullable=False),
        sa.Column("namespace", sa.String(253), nullable=False, server_default=""),
        sa.Column("name", sa.String(253), nullable=False),
        sa.Column("resource_version", sa.BigInteger, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.UniqueConstraint("resource", "namespace", "name", name="uq_objects_resource_namespace_name"),
    )
    op.create_table(
        "changes",
        sa.Column("resource_version", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("resource", sa.String(200), nullable=False),
        sa.Column("namespace", sa.String(253), nullable=False, server_default=""),
        sa.Column("name", sa.String(253), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("prev", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(counters, [{"name": "resource_version", "value": 0}, {"name": "compacted", "value": 0}])


def downgrade() -> None:
    op.drop_table("counters")
    op.drop_table("changes")
    op.drop_table("objects")
