"""Synced records in the device store's stored form: its columns, their SQLite values, and the
row of a pulled record. Shared by both ends: the device inserts these rows (``fieldapp.store.codec``,
``fieldapp.sync.apply``), and the service builds the very same rows for a device's first pull in
columns (``sync.server.pages``), so both paths write identical stores by construction.

The formats are those SQLAlchemy writes and reads back (so ORM reads of the same rows keep working).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, TypeDecorator

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import to_wire

Converter = Callable[[Any], Any]
RowBuilder = Callable[[dict[str, Any]], tuple[Any, ...] | None]

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


def by_column_type(model: type[SyncedRecord], by_type: dict[type, Converter]) -> dict[str, Converter]:
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
    return by_column_type(model, {DateTime: to_sqlite_datetime, Date: _date, JSON: _json, Boolean: _bool})


# -- the row of a pulled record ---------------------------------------------------------------


@cache
def wire_defaults(model: type[SyncedRecord]) -> tuple[dict[str, Any], frozenset[str]]:
    """Wire defaults of the optional data fields, and the names of the required ones."""
    defaults: dict[str, Any] = {}
    required: set[str] = set()
    for name in model.data_fields():
        info = model.model_fields[name]
        if info.is_required():
            required.add(name)
        else:
            defaults[name] = to_wire(info.get_default(call_default_factory=True))
    return defaults, frozenset(required)


@cache
def writable(model: type[SyncedRecord]) -> frozenset[str]:
    return frozenset((*model.data_fields(), "deleted"))


def now() -> str:
    return datetime.now(UTC).isoformat()


def _column_source(name: str, model: type[SyncedRecord], required: frozenset[str]) -> str:
    """The Python expression of a column's wire value inside the compiled builder."""
    envelope = {
        "id": 'remote["id"]',
        "created_at": 'remote.get("created_at") or _now()',
        "base_hlc": "base",
        "updated_hlc": 'remote["updated_hlc"]',
        "field_hlcs": 'remote["hlcs"]',
        "author_id": 'remote.get("author_id")',
        "device_id": 'remote.get("device_id")',
        "deleted": 'remote.get("deleted", False)',
    }
    if name in envelope:
        return envelope[name]
    if name in required:
        return f"fields[{name!r}]"
    if name in model.data_fields():
        return f"get({name!r}, _default_{name})"
    return f"get({name!r})"


@cache
def row_builder(model: type[SyncedRecord]) -> RowBuilder:
    """A function compiled for ``model``: pulled record (``sync.protocol.RemoteRecord`` as a dict)
    → its row in ``columns(model)`` order, as stored (None when a required field is missing). The
    generic dict-and-converter path cost ~11 µs a contact, most of it Python calls per column."""
    defaults, required = wire_defaults(model)
    convert = converters(model)
    scope: dict[str, Any] = {"_now": now, "_required": required}
    parts: list[str] = []
    for name in columns(model):
        source = _column_source(name, model, required)
        if name in defaults:
            scope[f"_default_{name}"] = defaults[name]
        if name == "field_hlcs":
            scope["_stamps"] = _stamps_converter(writable(model), convert[name])
            source = f"_stamps({source}, base)"
        elif convert[name] is not as_stored:
            scope[f"_to_{name}"] = convert[name]
            source = f"_to_{name}({source})"
        parts.append(source)
    code = (
        "def build(remote):\n"
        '    fields = remote["fields"]\n'
        "    if not _required <= fields.keys():\n"
        "        return None\n"
        "    get = fields.get\n"
        '    base = remote["base_hlc"]\n'
        f"    return ({', '.join(parts)},)\n"
    )
    exec(compile(code, f"<pull row builder of {model.__name__}>", "exec"), scope)
    return scope["build"]  # type: ignore[no-any-return]


def _stamps_converter(writable: frozenset[str], to_json: Converter) -> Callable[[dict[str, str], str], Any]:
    """Per-field HLCs worth keeping (those that differ from the base), as stored."""

    empty = to_json({})

    def stamps(hlcs: dict[str, str], base: str) -> Any:
        if not hlcs:  # a record written once: its fields share the base HLC
            return empty
        return to_json({k: v for k, v in hlcs.items() if v != base and k in writable})

    return stamps
