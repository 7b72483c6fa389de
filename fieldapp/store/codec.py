"""Column values of synced records as SQLite stores them, for the DBAPI fast path.

The write path and bulk sync apply bypass SQLAlchemy's per-statement compilation: they bind plain
SQLite values produced here, in exactly the formats SQLAlchemy writes and reads back (so ORM reads
of the same rows keep working). The stored forms themselves are shared with the service
(``sync.stored_rows``: it builds a first pull's rows in columns).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime

from fieldapp import jsonfast
from fieldapp.model.base import SyncedRecord
from sync.multirow import insert_many
from sync.stored_rows import (
    Converter,
    _json,
    as_stored,
    by_column_type,
    columns,
    converters,
    to_sqlite_datetime,
)

__all__ = ["Converter", "as_stored", "columns", "converters", "to_sqlite_datetime"]

def _wire_datetime(value: str | None) -> str | None:
    """Stored as UTC without an offset ("2026-11-23 06:00:00.000000"); sent with it, in the form
    the service stores (``datetime.isoformat`` of a UTC time)."""
    if value is None:
        return None
    if len(value) != 26 or value[19] != ".":  # not the stored form: parsed
        parsed = datetime.fromisoformat(value)
        return (parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()
    text = value.replace(" ", "T", 1)
    return f"{text[:19]}+00:00" if text.endswith(".000000") else f"{text}+00:00"


def _wire_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _wire_json(value: str | None) -> Any:
    # Already JSON text: sent as it is (``jsonfast.embedded``).
    return None if value is None else jsonfast.embedded(value)


@cache
def wire_readers(model: type[SyncedRecord]) -> dict[str, Converter]:
    """Per column: SQLite value → its JSON wire form (for ``jsonfast.dumps``), the inverse of
    ``converters`` without building Python dates or parsing JSON."""
    return by_column_type(model, {DateTime: _wire_datetime, JSON: _wire_json, Boolean: _wire_bool})


@cache
def json_columns(model: type[SyncedRecord]) -> frozenset[str]:
    """The columns stored as JSON text."""
    return frozenset(name for name, fn in converters(model).items() if fn is _json)


@cache
def insert_sql(model: type[SyncedRecord]) -> str:
    names = columns(model)
    quoted = ", ".join(f'"{name}"' for name in names)
    return f"INSERT INTO {model.__tablename__} ({quoted}) VALUES ({', '.join('?' * len(names))})"


#: Rows per statement of ``insert_rows`` (fewer where SQLite allows fewer variables).
ROWS_PER_INSERT = 400


def insert_rows(db: sqlite3.Connection, model: type[SyncedRecord], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows (parameters of ``insert_sql(model)``) with one multi-row ``INSERT`` per
    ``ROWS_PER_INSERT``, not one statement step per row: the sqlite3 module releases the GIL for
    each step, so a long step lets another thread (the sync's page fetcher) run beside SQLite, where
    ``executemany`` handed the GIL back and forth at every row (the first pull: ~5% faster)."""
    width = len(columns(model))
    per = max(1, min(ROWS_PER_INSERT, db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    insert_many(db.execute, insert_sql(model), rows, per)


def row(model: type[SyncedRecord], values: dict[str, Any]) -> tuple[Any, ...]:
    """The parameters of ``insert_sql(model)`` for a dict of column values (missing → None)."""
    convert = converters(model)
    return tuple(convert[name](values.get(name)) for name in columns(model))


def update_sql(model: type[SyncedRecord], names: tuple[str, ...]) -> str:
    assignments = ", ".join(f'"{name}" = ?' for name in names)
    return f"UPDATE {model.__tablename__} SET {assignments} WHERE id = ?"


def values(model: type[SyncedRecord], names: tuple[str, ...], source: dict[str, Any]) -> list[Any]:
    convert = converters(model)
    return [convert[name](source[name]) for name in names]
