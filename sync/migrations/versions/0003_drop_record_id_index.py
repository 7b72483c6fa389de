"""Drop ``ix_record_id`` (``record.id`` alone): every service query on ``record`` names the record
type too, so the primary key ``(record_type, id)`` serves it, and a push no longer pays for a sixth
B-tree per record (~15% of SQLite's insert into ``record``).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_record_id", table_name="record")


def downgrade() -> None:
    op.create_index("ix_record_id", "record", ["id"])
