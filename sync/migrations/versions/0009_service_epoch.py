"""``service_epoch``: one row holding the database's epoch (``sync.server.epoch``), a random number
changed by every restore from a backup, so devices notice that the service went back in time.

Revision ID: 0009
Revises: 0004
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "service_epoch",
        sa.Column("value", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    )
    # As sync.server.epoch.fresh (a migration keeps its own copy: that module may change later).
    op.bulk_insert(table, [{"value": secrets.randbelow(2**53 - 1) + 1, "started_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("service_epoch")
