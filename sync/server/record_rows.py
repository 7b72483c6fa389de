"""The ``record`` table as a push reads and writes it: rows as dicts of its columns (JSON columns
parsed), read and written with driver SQL, in as few statements as the backend allows (on
PostgreSQL each statement of a push is a round trip made while every other push waits for the
counter lock)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
import sqlalchemy as sa

from sync.multirow import insert_many
from sync.server import record_sums
from sync.server import tables as t
from sync.server.db import among, param_mark

Key = tuple[str, str]

COLUMNS = tuple(column.name for column in t.record.columns)
assert COLUMNS[:5] == ("record_type", "id", "program_id", "team_id", "seq")  # insert_records
_JSON_COLUMNS = ("data", "hlcs", "field_seqs")
#: The columns a merge changes in a stored record.
MERGED_COLUMNS = ("data", "hlcs", "field_seqs", "deleted", "updated_hlc", "seq", "hash")
_JSON_LOADS = orjson.loads

#: Rows per statement of ``insert_records`` on SQLite: 400 x 14 parameters, well under its limit
#: of 32,766 (by default).
INSERT_ROWS_PER_STATEMENT = 400


def stored_records(conn: sa.Connection, wanted: dict[str, set[str]]) -> dict[Key, dict[str, Any]]:
    """The stored rows of these records (record type → ids), locked for this push (PostgreSQL;
    SQLite locks the file). One statement for every type."""
    of_type, type_params = among(conn, "record_type", sorted(wanted))
    where, params = among(conn, "id", sorted(set().union(*wanted.values())))
    lock = "" if conn.dialect.name == "sqlite" else " FOR UPDATE"
    names = ", ".join(COLUMNS)
    found = conn.exec_driver_sql(
        f"SELECT {names} FROM record WHERE {of_type} AND {where}{lock}", (*type_params, *params)
    )
    rows: dict[Key, dict[str, Any]] = {}
    for values in found:
        row = dict(zip(COLUMNS, values, strict=True))
        if row["id"] not in wanted[row["record_type"]]:
            continue  # an id asked for under another type
        for name in _JSON_COLUMNS:  # text on SQLite, already parsed by psycopg
            if isinstance(row[name], str | bytes):
                row[name] = _JSON_LOADS(row[name])
        row["deleted"] = bool(row["deleted"])
        rows[(row["record_type"], row["id"])] = row
    return rows


def insert_records(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Insert new records with driver SQL (SQLAlchemy's per-row processing cost as much as SQLite's
    own insert). SQLite: one multi-row ``INSERT`` per ``INSERT_ROWS_PER_STATEMENT`` (a statement a
    row, ``executemany``, cost ~30% more); PostgreSQL: one ``COPY`` (``_copy_in``). JSON columns go
    as text (PostgreSQL reads it as ``json``). Their hashes join the scope sums (``record_sums``)."""
    dumps = orjson.dumps
    deltas: record_sums.Deltas = {}
    for row in rows:
        row["hash"] = record_sums.row_hash(row)
        record_sums.note(deltas, record_sums.key_of(row), 1, row["hash"])
    record_sums.apply(conn, deltas)
    params = [
        (
            row["record_type"],
            row["id"],
            row["program_id"],
            row["team_id"],
            row["seq"],
            dumps(row["data"]).decode(),
            dumps(row["hlcs"]).decode() if row["hlcs"] else "{}",  # a new record's fields share its base HLC
            dumps(row["field_seqs"]).decode(),
            row["base_hlc"],
            row["updated_hlc"],
            row["deleted"],
            row["created_at"],
            row["author_id"],
            row["device_id"],
            row["hash"],
        )
        for row in rows
    ]
    if param_mark(conn) != "?":
        _copy_in(conn, params)
        return
    marks = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO record ({', '.join(COLUMNS)}) VALUES ({marks})"
    insert_many(conn.exec_driver_sql, sql, params, INSERT_ROWS_PER_STATEMENT)


_COPY_SQL = f"COPY record ({', '.join(COLUMNS)}) FROM STDIN"


def _copy_in(conn: sa.Connection, params: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: the rows in one ``COPY … FROM STDIN`` on the transaction's connection. A plain
    insert, as the ``INSERT`` it replaces (the rows are new: the push read their keys under the
    counter lock). 2,000 records: psycopg's pipelined ``executemany`` ~27 us a row of wall time
    (~11.5 of the service's CPU, ~15 of the database's), ``COPY`` ~11 (~2 and ~10); one statement
    of ``unnest`` arrays was slower still (~70, psycopg dumping the arrays). Errors reach the
    service's handlers as SQLAlchemy's (a value too long: ``DataError``, 422)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
            write = copy.write_row
            for row in params:
                write(row)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(
            _COPY_SQL, None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc


def update_records(conn: sa.Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Write the ``MERGED_COLUMNS`` of stored records back, one ``executemany``; each row's new hash
    replaces its old one in the scope sums."""
    rows = list(rows)
    deltas: record_sums.Deltas = {}
    for row in rows:
        old = row.get("hash") or 0
        row["hash"] = record_sums.row_hash(row)
        record_sums.note(deltas, record_sums.key_of(row), 0, row["hash"] - old)
    record_sums.apply(conn, deltas)
    conn.execute(
        sa.update(t.record).where(
            (t.record.c.record_type == sa.bindparam("key_type")) & (t.record.c.id == sa.bindparam("key_id"))
        ),
        [
            {"key_type": row["record_type"], "key_id": row["id"], **{c: row[c] for c in MERGED_COLUMNS}}
            for row in rows
        ],
    )
