"""Per-scope checksums of the records (``sync.checksum``), kept as records are written.

Every write of ``record`` goes through ``record_rows`` (pushes, restores, moves between teams),
which adds the change of each row's hash to the sums of its program, team and type here, in the
same transaction. Writers hold the change counter's lock (they take new seqs), so reading a sum
and writing it back cannot interleave with another writer's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from fieldapp.model.registry import RECORD_TYPES
from sync.checksum import record_hash, to_signed, to_unsigned
from sync.server import tables as t

#: (program_id, team_id or "", record_type)
SumKey = tuple[str, str, str]
#: Per key: (records added or removed, hashes added or removed).
Deltas = dict[SumKey, list[int]]


def row_hash(row: dict[str, Any]) -> int:
    """The signed hash of a ``record`` row as a dict of its columns (``data`` parsed)."""
    model = RECORD_TYPES.get(row["record_type"])
    if model is None:
        return 0
    return to_signed(record_hash(model, row["id"], row["data"], bool(row["deleted"])))


def key_of(row: dict[str, Any]) -> SumKey:
    return (row["program_id"], row["team_id"] or "", row["record_type"])


def note(deltas: Deltas, key: SumKey, count: int, hash_: int) -> None:
    entry = deltas.setdefault(key, [0, 0])
    entry[0] += count
    entry[1] += hash_


def apply(conn: sa.Connection, deltas: Deltas) -> None:
    """Add ``deltas`` to the stored sums (read, added mod 2**64, written back)."""
    deltas = {key: delta for key, delta in deltas.items() if delta[0] or delta[1]}
    if not deltas:
        return
    if conn.dialect.name == "postgresql":
        _add_in_place(conn, deltas)
        return
    keys = list(deltas)
    stored: dict[SumKey, tuple[int, int]] = {}
    programs = sorted({key[0] for key in keys})
    c = t.record_sum.c
    query = sa.select(c.program_id, c.team_id, c.record_type, c["count"], c.total).where(
        c.program_id.in_(programs)
    )
    for program_id, team_id, record_type, count, total in conn.execute(query):
        stored[(program_id, team_id, record_type)] = (count, total)
    values = []
    for key in keys:
        count, total = stored.get(key, (0, 0))
        count += deltas[key][0]
        total = to_signed(to_unsigned(total) + deltas[key][1])
        values.append(
            {"program_id": key[0], "team_id": key[1], "record_type": key[2], "count": count, "total": total}
        )
    insert = _upsert(conn)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["program_id", "team_id", "record_type"],
            set_={"count": insert.excluded["count"], "total": insert.excluded.total},
        ),
        values,
    )


#: PostgreSQL adds a delta to a stored sum mod 2**64 itself (in ``numeric``: BIGINT would overflow),
#: one statement fewer while every other push waits for the counter lock.
_ADD_SQL = (
    "INSERT INTO record_sum (program_id, team_id, record_type, count, total) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (program_id, team_id, record_type) DO UPDATE SET "
    "count = record_sum.count + excluded.count, "
    "total = ((((record_sum.total::numeric + excluded.total::numeric + 9223372036854775808) "
    "%% 18446744073709551616) + 18446744073709551616) %% 18446744073709551616 - 9223372036854775808)::bigint"
)


def _add_in_place(conn: sa.Connection, deltas: Deltas) -> None:
    rows = [(p, tm, k, delta[0], to_signed(delta[1])) for (p, tm, k), delta in sorted(deltas.items())]
    conn.exec_driver_sql(_ADD_SQL, rows)


def _upsert(conn: sa.Connection) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    if conn.dialect.name == "postgresql":
        return postgresql.insert(t.record_sum)
    return sqlite.insert(t.record_sum)


def scope_sums(
    conn: sa.Connection, program_id: str, team_id: str | None, kinds: Iterable[str] | None = None
) -> dict[str, list[int]]:
    """``{record_type: [count, unsigned sum]}`` over a program (``team_id`` None) or one team."""
    query = sa.select(t.record_sum.c.record_type, t.record_sum.c["count"], t.record_sum.c.total).where(
        t.record_sum.c.program_id == program_id
    )
    if team_id is not None:
        query = query.where(t.record_sum.c.team_id == team_id)
    wanted = set(kinds) if kinds is not None else None
    sums: dict[str, list[int]] = {}
    for record_type, count, total in conn.execute(query):
        if wanted is not None and record_type not in wanted:
            continue
        entry = sums.setdefault(record_type, [0, 0])
        entry[0] += count
        entry[1] = to_unsigned(entry[1] + total)
    return {kind: value for kind, value in sums.items() if value[0]}
