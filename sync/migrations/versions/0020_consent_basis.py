"""``consent_basis``: each person's newest consent as the service knows it (whether it lets their
personal data be kept), kept in the transaction of every push that writes a consent. A push looks up
here whether the visits and tasks it writes may carry notes about the person they name (RODO: notes
follow the person's consent) instead of parsing every consent's JSON.

Filled here from the consents already stored.

Revision ID: 0020
Revises: 0009
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "consent_basis",
        sa.Column("contact_id", sa.String(64), primary_key=True),
        sa.Column("given_at", sa.String(40), nullable=False),
        sa.Column("base_hlc", sa.String(100), nullable=False),
        sa.Column("stores", sa.Boolean, nullable=False),
    )
    newest: dict[str, dict[str, object]] = {}
    rows = op.get_bind().execute(
        sa.text("SELECT data, base_hlc, deleted FROM record WHERE record_type = 'consent'")
    )
    for data, base_hlc, deleted in rows:
        values = json.loads(data) if isinstance(data, str | bytes) else data
        contact_id = values.get("contact_id")
        if deleted or not isinstance(contact_id, str):
            continue
        row = {
            "contact_id": contact_id,
            "given_at": str(values.get("given_at") or ""),
            "base_hlc": base_hlc,
            "stores": values.get("status") == "given" and bool(values.get("scope_store")),
        }
        known = newest.get(contact_id)
        if known is None or (row["given_at"], row["base_hlc"]) > (known["given_at"], known["base_hlc"]):
            newest[contact_id] = row
    if newest:
        op.bulk_insert(table, list(newest.values()))


def downgrade() -> None:
    op.drop_table("consent_basis")
