"""``erased_contact``: the ids of contacts whose ``erased_at`` is set, kept in the transaction that
sets or clears it. A push looks up whether the records it writes name an erased person there
instead of parsing the JSON of every named contact (``json_extract`` per id), and since erasures
are rare the table is usually small enough to be read whole.

Filled here from the records already stored.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("erased_contact", sa.Column("id", sa.String(64), primary_key=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    erased_at = "json_extract(data, '$.erased_at')" if sqlite else "data->>'erased_at'"
    op.execute(
        "INSERT INTO erased_contact (id) SELECT id FROM record "
        f"WHERE record_type = 'contact' AND COALESCE({erased_at}, '') != ''"
    )


def downgrade() -> None:
    op.drop_table("erased_contact")
