"""Stored datetimes have one spelling (UTC ``YYYY-MM-DD HH:MM:SS.ffffff``), so SQL compares times.

A file written before schema version 10 holds three spellings (Python's, the wire's, other offsets);
opening it with ``Store`` rewrites them, and every write path keeps to the one spelling."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from fieldapp.model import Contact, Visit
from fieldapp.services.visits import recent_visits
from fieldapp.store import Store, codec
from fieldapp.store.db import raw
from fieldapp.store.migrate import migrate
from sync.hlc import encode

HLC = encode(1_700_000_000_000, 0, "oldphone")

OLD_SPELLINGS = {
    # stored text -> the time it means
    "2026-11-20 09:30:00+00:00": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),  # the write path's
    "2026-11-20T10:15:00.250000+00:00": datetime(2026, 11, 20, 10, 15, 0, 250000, tzinfo=UTC),  # pulled
    "2026-11-20T09:00:00+01:00": datetime(2026, 11, 20, 8, 0, tzinfo=UTC),  # another offset
}


def _old_file(path: Path) -> list[str]:
    """A version-9 file with one visit per old spelling (written with plain SQL, as it was)."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=9)
    ids = []
    for text in OLD_SPELLINGS:
        visit = Visit(street="Zielona", house_number="3", outcome="talked", visited_at=datetime.now(UTC))
        values = {**visit.__dict__, "base_hlc": HLC, "updated_hlc": HLC, "field_hlcs": {}}
        conn.execute(codec.insert_sql(Visit), codec.row(Visit, values))
        conn.execute("UPDATE visit SET visited_at = ?, created_at = ? WHERE id = ?", (text, text, visit.id))
        ids.append(visit.id)
    conn.close()
    return ids


def test_opening_an_old_file_rewrites_every_spelling_and_keeps_the_times(tmp_path: Path) -> None:
    ids = _old_file(tmp_path / "old.db")
    store = Store(tmp_path / "old.db")
    with store.engine.connect() as conn:
        rows = dict(raw(conn).execute("SELECT id, visited_at FROM visit").fetchall())
        created = {row[0] for row in raw(conn).execute("SELECT created_at FROM visit")}
    expected = [meant.strftime("%Y-%m-%d %H:%M:%S.%f") for meant in OLD_SPELLINGS.values()]
    assert [rows[i] for i in ids] == expected
    assert created == set(expected)
    assert [v.visited_at for v in recent_visits(store)] == sorted(OLD_SPELLINGS.values(), reverse=True)
    store.close()


def test_the_write_path_stores_the_one_spelling(tmp_path: Path) -> None:
    store = Store(tmp_path / "device.db")
    erased = datetime(2026, 11, 21, 7, 5, 3, tzinfo=UTC)
    contact = Contact(kind="resident", name="Ala", erased_at=erased)
    with store.write() as conn:
        store.save(conn, contact)
        contact.erased_at = erased.replace(microsecond=7)
        store.save(conn, contact, ["erased_at"])
    with store.engine.connect() as conn:
        stored = raw(conn).execute("SELECT erased_at, created_at FROM contact").fetchone()
    assert stored[0] == "2026-11-21 07:05:03.000007"
    assert stored[1] == contact.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    assert store.get(Contact, contact.id).erased_at == erased.replace(microsecond=7)
    store.close()
