"""Identities, token digests and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("name", sa.String(253), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("groups", sa.Text, nullable=False, server_default="[]"),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("identity", sa.String(253), sa.ForeignKey("identities.name", ondelete="CASCADE"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=True),
        sa.Column("revoked_at", sa.Float, nullable=True),
    )
    op.create_index("ix_tokens_identity", "tokens", ["identity"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("timestamp", sa.String(40), nullable=False),
        sa.Column("user", sa.String(253), nullable=False),
        sa.Column("verb", sa.String(32), nullable=False),
        sa.Column("api_group", sa.String(253), nullable=False, server_default=""),
        sa.Column("resource", sa.String(200), nullable=False),
        sa.Column("subresource", sa.String(64), nullable=False, server_default=""),
        sa.Column("namespace", sa.String(253), nullable=False, server_default=""),
        sa.Column("name", sa.String(253), nullable=False, server_default=""),
        sa.Column("code", sa.Integer, nullable=False),
    )
    op.create_index("ix_audit_events_user", "audit_events", ["user"])
    op.create_index("ix_audit_events_namespace", "audit_events", ["namespace"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_namespace", table_name="audit_events")
    op.drop_index("ix_audit_events_user", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_tokens_identity", table_name="tokens")
    op.drop_table("tokens")
    op.drop_table("identities")
