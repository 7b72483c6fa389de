"""The service's audit log: who viewed, exported, erased or reviewed what (issue 6).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("entry_key", sa.String(100), nullable=False, unique=True),
        sa.Column("program_id", sa.String(36), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=False),
        sa.Column("actor_role", sa.String(40), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target_type", sa.String(64), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
    )
    op.create_index("ix_audit_program_id", "audit", ["program_id", "id"])
    op.create_index("ix_audit_target", "audit", ["target_type", "target_id"])


def downgrade() -> None:
    op.drop_table("audit")
