"""Record checksums: ``record.hash`` and the per-scope sums ``record_sum`` (``sync.checksum``),
filled for the records already stored; a user's previous team (``scope_moves``); what each phone
reports of itself (``device_state``); records a zone's reassignment moved (``record_move``).

Revision ID: 0030
Revises: 0009
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from alembic import op

from fieldapp.model.registry import RECORD_TYPES
from sync.checksum import record_hash, to_signed, to_unsigned

revision = "0030"
down_revision = "0020"
branch_labels = None
depends_on = None

_BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("previous_team_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("moved_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "record_move",
        sa.Column("record_type", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("from_team_id", sa.String(36), nullable=True),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "device_state",
        sa.Column("device_id", sa.String(36), sa.ForeignKey("device.id"), primary_key=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("app_version", sa.String(40), nullable=True),
        sa.Column("protocol", sa.Integer, nullable=True),
        sa.Column("schema", sa.String(64), nullable=True),
        sa.Column("last_push_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_pull_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending", sa.Integer, nullable=True),
        sa.Column("oldest_pending_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checksum_state", sa.String(20), nullable=True),
        sa.Column("checksum_at", sa.BigInteger, nullable=True),
        sa.Column("clock_offset_ms", sa.BigInteger, nullable=True),
        sa.Column("cursor", sa.BigInteger, nullable=True),
        sa.Column("wipe_confirmed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column("record", sa.Column("hash", sa.BigInteger, nullable=False, server_default="0"))
    op.create_table(
        "record_sum",
        sa.Column("program_id", sa.String(36), primary_key=True),
        sa.Column("team_id", sa.String(36), primary_key=True),
        sa.Column("record_type", sa.String(64), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False),
    )
    conn = op.get_bind()
    record = sa.table(
        "record",
        sa.column("record_type"),
        sa.column("id"),
        sa.column("program_id"),
        sa.column("team_id"),
        sa.column("data"),
        sa.column("deleted"),
        sa.column("hash"),
    )
    sums: dict[tuple[str, str, str], list[int]] = {}
    updates: list[dict[str, object]] = []
    query = sa.select(
        record.c.record_type,
        record.c.id,
        record.c.program_id,
        record.c.team_id,
        sa.cast(record.c.data, sa.Text),
        record.c.deleted,
    )
    for record_type, record_id, program_id, team_id, data, deleted in conn.execute(query).all():
        model = RECORD_TYPES.get(record_type)
        if model is None:
            continue
        value = record_hash(model, record_id, orjson.loads(data), bool(deleted))
        updates.append({"k_type": record_type, "k_id": record_id, "h": to_signed(value)})
        entry = sums.setdefault((program_id, team_id or "", record_type), [0, 0])
        entry[0] += 1
        entry[1] = to_unsigned(entry[1] + value)
    statement = (
        sa.update(record)
        .where((record.c.record_type == sa.bindparam("k_type")) & (record.c.id == sa.bindparam("k_id")))
        .values(hash=sa.bindparam("h"))
    )
    for start in range(0, len(updates), _BATCH):
        conn.execute(statement, updates[start : start + _BATCH])
    if sums:
        table = sa.table(
            "record_sum",
            sa.column("program_id"),
            sa.column("team_id"),
            sa.column("record_type"),
            sa.column("count"),
            sa.column("total"),
        )
        op.bulk_insert(
            table,  # type: ignore[arg-type]
            [
                {"program_id": p, "team_id": tm, "record_type": k, "count": c, "total": to_signed(s)}
                for (p, tm, k), (c, s) in sums.items()
            ],
        )


def downgrade() -> None:
    op.drop_table("device_state")
    op.drop_table("record_move")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("moved_at")
        batch.drop_column("previous_team_id")
    op.drop_table("record_sum")
    with op.batch_alter_table("record") as batch:
        batch.drop_column("hash")
