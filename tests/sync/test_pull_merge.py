"""The pull's fast paths keep the exact stored forms: compiled row builders against the plain
definition, the datetime re-cut against parsing and formatting, ASCII folding against the full fold."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from fieldapp.model.registry import RECORD_TYPES, field_kind, to_wire
from fieldapp.store import Store, codec
from fieldapp.store.db import raw
from fieldapp.store.text import fold
from fieldapp.sync.apply import _new_row, _reference_row, _wire_defaults, _writable

BASE = "01a2079f76520000-f79ded62"
LATER = "01a2079f76520005-f79ded62"


def _value(model: Any, name: str, rng: random.Random) -> Any:
    """A plausible wire value of a field (or None, which optional fields accept)."""
    kind = field_kind(model, name)
    if rng.random() < 0.2 and not model.model_fields[name].is_required():
        return None
    if kind is datetime:
        moment = datetime(2026, 11, 23, 6, 0, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**6))
        offset = rng.choice([None, UTC, "+02:00", "Z", "micro"])
        if offset == "+02:00":
            return moment.astimezone(timezone(timedelta(hours=2))).isoformat()
        if offset == "Z":
            return moment.isoformat().replace("+00:00", "Z")
        if offset == "micro":
            return (moment + timedelta(microseconds=rng.randrange(10**6))).isoformat(sep=" ")
        return moment.replace(tzinfo=offset).isoformat()
    if kind is date:
        return date(2026, 1, 1 + rng.randrange(28)).isoformat()
    if kind is bool:
        return rng.random() < 0.5
    if kind is int:
        return rng.randrange(1000)
    if kind is float:
        return rng.uniform(-90, 90)
    if kind in (list, dict) or kind is None:
        return to_wire(model.model_fields[name].get_default(call_default_factory=True))
    return rng.choice(["", "Łódź", "Osoba 7", "zażółć gęślą jaźń"])


def _remote(model: Any, rng: random.Random) -> dict[str, Any]:
    required = _wire_defaults(model)[1]
    names = [n for n in model.data_fields() if n in required or rng.random() < 0.7]
    hlcs = {n: rng.choice([BASE, LATER]) for n in names if rng.random() < 0.3}
    if rng.random() < 0.2:
        hlcs["not_a_field"] = LATER
    record: dict[str, Any] = {
        "record_type": model.record_type,
        "id": f"id-{rng.randrange(10**9)}",
        "fields": {n: _value(model, n, rng) for n in names},
        "hlcs": hlcs,
        "base_hlc": BASE,
        "updated_hlc": LATER,
    }
    for key, value in (
        ("deleted", rng.random() < 0.3),
        ("created_at", rng.choice([None, "2026-11-23 08:56:55.029897+00:00", "2026-11-23T09:00:00+01:00"])),
        ("author_id", rng.choice([None, "author"])),
        ("device_id", rng.choice([None, "device"])),
    ):
        if rng.random() < 0.8:
            record[key] = value
    return record


@pytest.mark.parametrize("record_type", sorted(RECORD_TYPES))
def test_compiled_row_builder_equals_the_plain_definition(record_type: str) -> None:
    model = RECORD_TYPES[record_type]
    rng = random.Random(record_type)
    for _ in range(300):
        remote = _remote(model, rng)
        if remote.get("created_at") is None:
            remote["created_at"] = "2026-11-23T07:00:00+00:00"  # the fallback is "now": not comparable
        assert _new_row(model, remote) == _reference_row(model, remote)


@pytest.mark.parametrize("variables", [250_000, 100])
def test_insert_rows_stores_what_one_insert_a_row_stores(tmp_path: Path, variables: int) -> None:
    """Rows split over multi-row statements (3 a statement where SQLite allows 100 variables) land
    exactly as ``insert_sql`` row by row puts them."""
    model = RECORD_TYPES["contact"]
    rng = random.Random(7)
    contacts = [
        model(
            kind="resident",
            name=rng.choice(["Osoba 7", "zażółć gęślą jaźń", 'O\'Brien "Ola"']),
            lat=rng.choice([None, rng.uniform(-90, 90)]),
            lon=rng.uniform(-180, 180),
            notes="" if n % 2 else "x" * n,
        )
        for n in range(1_001)
    ]
    rows = [codec.row(model, contact.__dict__) for contact in contacts]
    stored = []
    for name, insert in (
        ("one", lambda db: db.executemany(codec.insert_sql(model), rows)),
        ("many", lambda db: codec.insert_rows(db, model, rows)),
    ):
        store = Store(tmp_path / f"{name}.db")
        with store.write() as conn:
            db = raw(conn)
            db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variables)
            insert(db)
            stored.append(db.execute("SELECT * FROM contact ORDER BY rowid").fetchall())
        store.close()
    assert len(stored[0]) == len(rows) > 900
    assert stored[1] == stored[0]


def test_a_record_without_a_required_field_is_left_out() -> None:
    model = next(m for m in RECORD_TYPES.values() if _wire_defaults(m)[1])
    remote = _remote(model, random.Random(1))
    remote["fields"].pop(sorted(_wire_defaults(model)[1])[0])
    assert _new_row(model, remote) is None


def test_field_hlcs_keep_only_later_writable_fields() -> None:
    model = RECORD_TYPES["contact"]
    remote = _remote(model, random.Random(2))
    remote["hlcs"] = {"name": LATER, "city": BASE, "bogus": LATER}
    row = _new_row(model, remote)
    assert row is not None
    stored = dict(zip(codec.columns(model), row, strict=True))
    assert stored["field_hlcs"] == '{"name":"' + LATER + '"}'
    assert "name" in _writable(model)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-17T19:36:54+00:00",
        "2026-11-23 08:56:55.029897+00:00",
        "2026-11-23T08:56:55.029897",
        "2026-11-23T08:56:55Z",
        "2026-11-23T08:56:55.123+00:00",
        "2026-11-23T08:56:55+02:00",
        "2026-11-23T23:56:55-05:30",
        "2026-11-23T08:56",
        "2026-11-23",
        "0001-01-01T00:00:00+00:00",
        "0999-12-31 23:59:59.5",
    ],
)
def test_datetime_fast_path_stores_what_parsing_stores(text: str) -> None:
    parsed = datetime.fromisoformat(text)
    utc = parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    expected = f"{utc.year:04d}-{utc:%m-%d %H:%M:%S.%f}"
    assert codec.to_sqlite_datetime(text) == expected


@pytest.mark.parametrize("text", ["2026-13-01T00:00:00+00:00", "2026-02-30 10:00:00", "2026-11-23T25:00:00Z"])
def test_datetime_fast_path_still_refuses_impossible_dates(text: str) -> None:
    with pytest.raises(ValueError):
        codec.to_sqlite_datetime(text)


@pytest.mark.parametrize("text", ["Osoba 12", "PIOTRKOWSKA 3/5", "", "Łódź", "Żółkiewskiego", "Straße"])
def test_fold_of_ascii_is_lower_case(text: str) -> None:
    import unicodedata

    slow = unicodedata.normalize("NFKD", text.translate(str.maketrans({"ł": "l", "Ł": "l", "ß": "ss"})))
    assert fold(text) == "".join(ch for ch in slow if not unicodedata.combining(ch)).lower()
