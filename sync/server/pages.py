"""What devices read, page by page: pulled records (changed after a cursor, in the device's scope)
and the conflict log (supervisors, admins)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from fieldapp.model.registry import RECORD_TYPES, schema_signature
from sync.checksum import MASK
from sync.protocol import PROTOCOL_VERSION, Conflict, ConflictsResponse
from sync.server import epoch, record_sums
from sync.server import tables as t
from sync.server.accounts import DeviceContext
from sync.server.clock import now_ms
from sync.server.db import Database
from sync.server.metrics import PULLED
from sync.stored_rows import columns as stored_columns
from sync.stored_rows import row_builder


def _pull_scope(device: DeviceContext) -> sa.ColumnElement[bool]:
    """The records a device pulls. A team's are found by team alone: a team belongs to one program
    and a record's team is only ever one of its program's (``merge``), while naming the program too
    let SQLite page through ``ix_record_program_seq``, i.e. every team's changes of the program."""
    if device.program_wide:
        return t.record.c.program_id == device.program_id
    # Records every team shares (the information clause) carry the program's id as their team.
    return t.record.c.team_id.in_((device.team_id, device.program_id))


def _scope(device: DeviceContext, table: sa.Table) -> sa.ColumnElement[bool]:
    if device.program_wide:
        return table.c.program_id == device.program_id
    return (table.c.program_id == device.program_id) & (table.c.team_id == device.team_id)


_PULL_COLUMNS = (
    t.record.c.record_type,
    t.record.c.id,
    t.record.c.seq,
    # The stored JSON text goes out as it is: no parsing and encoding again per record.
    sa.cast(t.record.c.data, sa.Text).label("data"),
    sa.cast(t.record.c.hlcs, sa.Text).label("hlcs"),
    t.record.c.base_hlc,
    t.record.c.updated_hlc,
    t.record.c.deleted,
    t.record.c.created_at,
    t.record.c.author_id,
    t.record.c.device_id,
)
#: A first pull in columns also sends each record's stored hash.
_COLUMN_PULL_COLUMNS = (*_PULL_COLUMNS, t.record.c.hash)


#: A device's pull progress (``last_pull_seq``, ``last_seen_at``) is written at most this often per
#: service process. Writing it on every page was a write transaction per sync besides the push: on
#: SQLite more than half of the writers queueing for the one write lock under load. The mark only
#: serves pushes without a ``cursor`` (older apps; a lag logs a conflict too many, never loses one)
#: and the devices list's "last seen".
PULL_MARK_SECONDS = 10.0
_pull_marks: dict[str, float] = {}


def _mark_due(device_id: str) -> bool:
    """True (and noted) when this device's pull progress was not written in ``PULL_MARK_SECONDS``."""
    now = time.monotonic()
    if now - _pull_marks.get(device_id, -PULL_MARK_SECONDS) < PULL_MARK_SECONDS:
        return False
    _pull_marks[device_id] = now
    return True


def pull(
    db: Database,
    device: DeviceContext,
    after: int,
    limit: int,
    kinds: list[str] | None = None,
    schema: str | None = None,
    columns: list[str] | None = None,
) -> bytes:
    """A ``PullResponse`` as JSON: records in the device's scope changed after ``after``, in
    sequence order (only of ``kinds`` when given: a device repairing those). The last page carries
    the scope's ``checksum`` when the device knows the same fields (``schema``) as the service.
    Records of the types in ``columns`` go out in columns (``tables``) when the device knows the
    same fields: a first pull into empty tables (``sync.protocol.ColumnPage``)."""
    page = _page(db, device, after, limit, kinds, schema, columns)
    PULLED.inc(len(page["records"]) + sum(len(table["rows"]) for table in page.get("tables", {}).values()))
    page["server_time_ms"] = now_ms()
    return orjson.dumps(page)


def _page(
    db: Database,
    device: DeviceContext,
    after: int,
    limit: int,
    kinds: list[str] | None = None,
    schema: str | None = None,
    columns: list[str] | None = None,
) -> dict[str, Any]:
    """``pull``'s page as a dict (its ``server_time_ms`` set when it is sent)."""
    same_schema = schema == schema_signature()
    in_columns = frozenset(columns or ()) & RECORD_TYPES.keys() if same_schema else frozenset()
    scope = _pull_scope(device)
    if kinds:
        scope = scope & t.record.c.record_type.in_(kinds)
    with db.read() as conn:
        top, current_epoch = conn.execute(
            sa.select(t.counter.c.value, epoch.CURRENT).where(t.counter.c.name == "change")
        ).one()
        rows = conn.execute(
            sa.select(*(_COLUMN_PULL_COLUMNS if in_columns else _PULL_COLUMNS))
            .where((t.record.c.seq > after) & scope)
            .order_by(t.record.c.seq)
            .limit(limit + 1)
        ).all()
        checksum = None
        if len(rows) <= limit and same_schema and after <= top:
            checksum = _checksum(conn, device, kinds, top)
    has_more = len(rows) > limit
    rows = rows[:limit]
    # Without more rows the cursor may jump to ``top``: every change up to it had committed when it
    # was read, so nothing below it can appear later.
    cursor = rows[-1].seq if has_more else max(after, top, rows[-1].seq if rows else 0)
    if after > top:
        # Beyond the counter: the database was restored from an older backup. Never echo such a
        # cursor back: the counter is the answer, and a device seeing it fall starts again.
        cursor = top
    if top >= after > device.last_pull_seq and _mark_due(device.id):
        with db.write() as conn:
            conn.execute(
                sa.update(t.device)
                .where((t.device.c.id == device.id) & (t.device.c.last_pull_seq < after))
                .values(last_pull_seq=after, last_seen_at=datetime.now(UTC))
            )
    tables = _tables(rows, in_columns) if in_columns else None
    if tables is not None:
        rows = tables.pop("")  # what stays records
    fragment = orjson.Fragment
    records = [
        {
            "record_type": row[0],
            "id": row[1],
            "seq": row[2],
            "fields": fragment(row[3]),
            "hlcs": fragment(row[4]),
            "base_hlc": row[5],
            "updated_hlc": row[6],
            "deleted": bool(row[7]),
            "created_at": row[8],
            "author_id": row[9],
            "device_id": row[10],
        }
        for row in rows
    ]
    page = {
        "protocol": PROTOCOL_VERSION,
        "records": records,
        **({"tables": tables} if tables else {}),
        "cursor": cursor,
        "has_more": has_more,
        "server_time_ms": 0,
        "epoch": current_epoch,
    }
    if checksum is not None and not (rows and rows[-1].seq > top):
        # Rows committed after the counter was read (PostgreSQL reads each statement anew) are
        # past what the sums describe: no checksum then, the next pull gives one.
        page["checksum"] = checksum
    return page


def _tables(rows: Sequence[Any], kinds: frozenset[str]) -> dict[str, Any]:
    """Rows of ``kinds`` as ``ColumnPage``s per type (``sync.stored_rows``: the very rows the device
    would build of the records); the other rows, and any the row cannot be built of, under ``""``."""
    loads = orjson.loads
    tables: dict[str, Any] = {}
    rest = []
    for row in rows:
        kind = row[0]
        if kind not in kinds:
            rest.append(row)
            continue
        table = tables.get(kind)
        if table is None:
            model = RECORD_TYPES[kind]
            table = tables[kind] = {
                "columns": list(stored_columns(model)), "rows": [], "hashes": [], "build": row_builder(model)
            }
        hlcs = row[4]
        built = table["build"](
            {
                "id": row[1],
                "fields": loads(row[3]),
                "hlcs": {} if hlcs == "{}" else loads(hlcs),
                "base_hlc": row[5],
                "updated_hlc": row[6],
                "deleted": bool(row[7]),
                "created_at": row[8],
                "author_id": row[9],
                "device_id": row[10],
            }
        )
        if built is None:
            rest.append(row)
            continue
        table["rows"].append(built)
        table["hashes"].append(row[11] & MASK)
    for table in tables.values():
        del table["build"]
    return {**{kind: table for kind, table in tables.items() if table["rows"]}, "": rest}


def _checksum(
    conn: sa.Connection, device: DeviceContext, kinds: list[str] | None, top: int
) -> dict[str, Any] | None:
    """The scope's per-kind ``[count, sum]`` at the change counter ``top``; None when a write
    committed between reading the counter and the sums (they would not match any cursor)."""
    team = None if device.program_wide else device.team_id
    sums = record_sums.scope_sums(conn, device.program_id, team, kinds)
    again = conn.execute(sa.select(t.counter.c.value).where(t.counter.c.name == "change")).scalar_one()
    return {"at": top, "kinds": sums} if again == top else None


def conflicts(db: Database, device: DeviceContext, after: int, limit: int) -> ConflictsResponse:
    """The conflict log in the device's scope after the conflict id ``after``, oldest first."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(t.conflict)
            .where((t.conflict.c.id > after) & _scope(device, t.conflict))
            .order_by(t.conflict.c.id)
            .limit(limit + 1)
        ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = [
        Conflict(
            id=row.id,
            seq=row.seq,
            record_type=row.record_type,
            record_id=row.record_id,
            field=row.field,
            winner_value=row.winner_value,
            winner_hlc=row.winner_hlc,
            loser_value=row.loser_value,
            loser_hlc=row.loser_hlc,
            loser_device=row.loser_device,
            team_id=row.team_id,
            created_at=row.created_at.isoformat(),
        )
        for row in rows
    ]
    return ConflictsResponse(conflicts=items, cursor=rows[-1].id if rows else after, has_more=has_more)
