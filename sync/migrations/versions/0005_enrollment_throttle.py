"""Enrollment rate limits: wrong attempts per client address (``enroll_throttle``) and per code
(``enrollment.blocked_until``, ``last_failure_at``), with delays that grow instead of a lock that
shut the genuine user out; an admin's reissue marks the old code (``revoked_at``) and gives the new
one the address the old QR carried (``server_url``).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "enroll_throttle",
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", TS, nullable=False),
        sa.Column("blocked_until", TS, nullable=True),
    )
    with op.batch_alter_table("enrollment") as table:
        table.add_column(sa.Column("blocked_until", TS, nullable=True))
        table.add_column(sa.Column("last_failure_at", TS, nullable=True))
        table.add_column(sa.Column("revoked_at", TS, nullable=True))
        table.add_column(sa.Column("server_url", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enrollment") as table:
        for name in ("server_url", "revoked_at", "last_failure_at", "blocked_until"):
            table.drop_column(name)
    op.drop_table("enroll_throttle")
