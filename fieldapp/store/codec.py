"""Column values of synced records as SQLite stores them, for the DBAPI fast path.

The write path and bulk sync apply bypass SQLAlchemy's per-statement compilation: they bind plain
SQLite values produced here, in exactly the formats SQLAlchemy writes and reads back (so ORM reads
of the same rows keep working).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, TypeDecorator

from fieldapp import jsonfast
from fieldapp.model.base import SyncedRecord
from sync.multirow import insert_many

Converter = Callable[[Any], Any]

#: ISO datetimes already in UTC (or naive) with whole or microsecond seconds: once parsed (which
#: checks them), their stored form is a re-cut of the text (formatting took 4x as long).
_PLAIN_UTC = re.compile(
    r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?(\+00:00|Z)?"
)


def to_sqlite_datetime(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if _PLAIN_UTC.fullmatch(value):
            return f"{value[:10]} {value[11:19]}{value[19:26] if value[19:20] == '.' else '.000000'}"
        value = parsed
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    # Not strftime: its %Y drops the leading zeros of years before 1000, which nothing reads back.
    return value.isoformat(" ", "microseconds")


def _date(value: date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _bool(value: Any) -> int | None:
    return None if value is None else int(bool(value))


def as_stored(value: Any) -> Any:
    """The converter of columns whose Python value is already the SQLite one."""
    return value


@cache
def columns(model: type[SyncedRecord]) -> tuple[str, ...]:
    return tuple(column.name for column in model.__table__.columns)  # type: ignore[attr-defined]


def _by_column_type(model: type[SyncedRecord], by_type: dict[type, Converter]) -> dict[str, Converter]:
    """Per column of the model's table: the converter of its SQL type (``as_stored`` otherwise)."""
    chosen = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        stored = _stored_type(column)
        found = (fn for kind, fn in by_type.items() if isinstance(stored, kind))
        chosen[column.name] = next(found, as_stored)
    return chosen


def _stored_type(column: Any) -> Any:
    """The SQL type that stores the column: a decorated type's implementation (sqlmodel declares
    datetimes as ``UTCDateTime``, a decorator of ``DateTime``)."""
    kind = column.type
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


@cache
def converters(model: type[SyncedRecord]) -> dict[str, Converter]:
    """Per column: Python/JSON value → SQLite value."""
    return _by_column_type(model, {DateTime: to_sqlite_datetime, Date: _date, JSON: _json, Boolean: _bool})


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
    return _by_column_type(model, {DateTime: _wire_datetime, JSON: _wire_json, Boolean: _wire_bool})


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
