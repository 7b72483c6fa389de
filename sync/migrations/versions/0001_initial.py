"""Initial schema: programs, teams, accounts, devices, enrollments, records, conflicts, batches.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "program",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "team",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("program.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_team_program_id", "team", ["program_id"])
    op.create_table(
        "account",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("program_id", sa.String(36), sa.ForeignKey("program.id"), nullable=False),
        sa.Column("team_id", sa.String(36), sa.ForeignKey("team.id"), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_account_program_id", "account", ["program_id"])
    op.create_index("ix_account_team_id", "account", ["team_id"])
    op.create_table(
        "device",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("client_device_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=True),
        sa.Column("last_pull_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_device_account_id", "device", ["account_id"])
    op.create_index("ix_device_client_device_id", "device", ["client_device_id"])
    op.create_table(
        "enrollment",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("device_id", sa.String(36), nullable=True),
    )
    op.create_table(
        "record",
        sa.Column("record_type", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("program_id", sa.String(36), nullable=False),
        sa.Column("team_id", sa.String(36), nullable=True),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("hlcs", sa.JSON, nullable=False),
        sa.Column("field_seqs", sa.JSON, nullable=False),
        sa.Column("base_hlc", sa.String(100), nullable=False),
        sa.Column("updated_hlc", sa.String(100), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=True),
        sa.Column("author_id", sa.String(64), nullable=True),
        sa.Column("device_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_record_id", "record", ["id"])
    op.create_index("ix_record_team_seq", "record", ["team_id", "seq"])
    op.create_index("ix_record_program_seq", "record", ["program_id", "seq"])
    op.create_table(
        "conflict",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("program_id", sa.String(36), nullable=False),
        sa.Column("team_id", sa.String(36), nullable=True),
        sa.Column("record_type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("winner_value", sa.JSON, nullable=True),
        sa.Column("winner_hlc", sa.String(100), nullable=False),
        sa.Column("loser_value", sa.JSON, nullable=True),
        sa.Column("loser_hlc", sa.String(100), nullable=False),
        sa.Column("loser_device", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_conflict_program_id", "conflict", ["program_id", "id"])
    op.create_table(
        "batch",
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "counter",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(
        sa.table("counter", sa.column("name", sa.String), sa.column("value", sa.BigInteger)),
        [{"name": "change", "value": 0}],
    )


def downgrade() -> None:
    for name in ("counter", "batch", "conflict", "record", "enrollment", "device", "account", "team",
                 "program"):
        op.drop_table(name)
