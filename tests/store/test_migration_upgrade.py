"""Opening a database written by an older app version: every row survives, the schema is current.

The old files are real: built with the migration machinery stopped at an older version, filled with
plain SQL in the columns that version had, then opened with ``Store``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fieldapp.model import Consent, Contact, SyncedRecord, Visit, Zone, new_id
from fieldapp.store import Store, codec
from fieldapp.store import migrate as migrate_module
from fieldapp.store.migrate import LATEST_VERSION, available, migrate
from sync.hlc import encode

OLD_DEVICE = "0190a1b2-0000-7000-8000-000000000001"
NODE = "oldphone"
CONTACTS = [
    # (kind, name, address, tags, needs, deleted, position)
    ("resident", "Bożena Łódzka", "Więckowskiego 12/4", "senior", "Ławki na podwórku", False,
     (51.7716, 19.4530)),
    ("leader", "Zbigniew Żółkiewski", "Żeromskiego 31", "rower,ogródki", "", False, (51.7660, 19.4540)),
    ("ngo", "Fundacja Źródłowa Przystań", "Źródłowa 5", "dzieci", "Sala na zajęcia", False, None),
    ("resident", "Ścibor Usunięty", "Gdańska 80", "", "", True, (51.7700, 19.4480)),
]


def _hlc(n: int) -> str:
    return encode(1_700_000_000_000 + n, 0, NODE)


def _insert(conn: sqlite3.Connection, model: type[SyncedRecord], values: dict[str, Any]) -> None:
    """Insert a record with only the columns the old table has (as the old app would have)."""
    table = model.__tablename__
    old_columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    convert = codec.converters(model)
    params = [convert[name](values.get(name)) for name in old_columns]
    names = ", ".join(f'"{name}"' for name in old_columns)
    conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(old_columns))})", params)


def _record(model: type[SyncedRecord], n: int, **data: Any) -> dict[str, Any]:
    record = model(id=new_id(), **data)
    values = dict(record.__dict__)
    values.update(base_hlc=_hlc(n), updated_hlc=_hlc(n), device_id=OLD_DEVICE, author_id="animator-1")
    return values


def build_old_database(path: Path, version: int) -> dict[str, list[dict[str, Any]]]:
    """A database file at schema ``version`` with zones, contacts, consents, visits and an outbox."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert migrate(conn, target=version) == version
        written: dict[str, list[dict[str, Any]]] = {"zone": [], "contact": [], "consent": [], "visit": []}
        n = 0
        conn.execute("BEGIN")
        conn.execute("INSERT INTO meta (key, value) VALUES ('device_id', ?)", (OLD_DEVICE,))
        zone = _record(Zone, n, name="SAS Stare Polesie", kind="sas", library_branch="Filia nr 12",
                       center_lat=51.7716, center_lon=19.4530, radius_m=600.0, workers=["animator-1"])
        written["zone"].append(zone)
        for kind, name, address, tags, needs, deleted, position in CONTACTS:
            n += 1
            lat, lon = position or (None, None)
            contact = _record(
                Contact, n, kind=kind, name=name, address=address, street=address.split()[0],
                house_number=address.split()[1], city="Łódź", lat=lat, lon=lon, zone_id=zone["id"],
                tags=tags, needs=needs, deleted=deleted,
            )
            written["contact"].append(contact)
            if kind in ("resident", "leader"):
                n += 1
                written["consent"].append(_record(
                    Consent, n, contact_id=contact["id"], status="given", scope_contact=True,
                    scope_store=True, method="oral", given_at=datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
                    recorded_by="Ola Animatorka",
                ))
            for k in range(3):
                n += 1
                written["visit"].append(_record(
                    Visit, n, contact_id=contact["id"], zone_id=zone["id"], address=address,
                    visited_at=datetime(2026, 3, 1, 10, 0, tzinfo=UTC) + timedelta(days=k),
                    outcome=("not_home", "talked", "come_back")[k], notes="Zaprosić na festyn",
                    follow_up_on=date(2026, 4, 1) if k == 2 else None, lat=lat, lon=lon,
                ))
        for model in (Zone, Contact, Consent, Visit):
            for values in written[model.record_type]:
                _insert(conn, model, values)
                conn.execute(
                    "INSERT INTO outbox (record_type, record_id, fields, hlc, created_at) "
                    "VALUES (?, ?, '[\"*\"]', ?, '2026-03-01 10:00:00.000000')",
                    (model.record_type, values["id"], values["updated_hlc"]),
                )
        if version >= 2:  # the old app kept its search index itself
            from fieldapp.store.search import INDEXED, index_rows

            # Up to version 40 it indexed needs too (version 41 rebuilds the index without them).
            columns = "name, address, tags, needs, offers, interests" if version < 41 else ", ".join(
                name for name, _ in INDEXED
            )
            index_rows(conn, conn.execute(f"SELECT rowid, {columns} FROM contact WHERE deleted = 0"))
        conn.execute("COMMIT")
        return written
    finally:
        conn.close()


def _rows(path: Path, table: str, columns: list[str], key: str = "id") -> dict[Any, tuple]:
    conn = sqlite3.connect(path)
    try:
        names = ", ".join(f'"{c}"' for c in columns)
        return {row[0]: row for row in conn.execute(f"SELECT {key}, {names} FROM {table}")}
    finally:
        conn.close()


def _columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


# The versions that exist (branches reserve numbers, so there may be gaps), all but the newest.
@pytest.mark.parametrize("old_version", [m.version for m in available() if m.version < LATEST_VERSION])
def test_old_database_opens_with_every_row_and_newest_schema(tmp_path: Path, old_version: int) -> None:
    path = tmp_path / "old.db"
    written = build_old_database(path, old_version)
    old_columns = {table: _columns(path, table) for table in written}
    before = {table: _rows(path, table, old_columns[table]) for table in written}
    outbox_before = _rows(path, "outbox", ["record_id", "fields", "hlc"], key="seq")

    store = Store(path)
    try:
        assert store.schema_version == LATEST_VERSION
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA user_version").scalar() == LATEST_VERSION
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # Every row, every old column, unchanged.
        for table, rows in before.items():
            assert _columns(path, table)[: len(old_columns[table])] == old_columns[table]
            after = _rows(path, table, old_columns[table])
            assert after == rows, table
            assert len(after) == len(written[table])
        assert _rows(path, "outbox", ["record_id", "fields", "hlc"], key="seq") == outbox_before
        assert store.device_id == OLD_DEVICE

        # The ORM reads the migrated rows.
        for values in written["contact"]:
            contact = store.get(Contact, values["id"])
            assert contact is not None and contact.name == values["name"]
            assert contact.deleted == values["deleted"] and contact.base_hlc == values["base_hlc"]
        visit = store.get(Visit, written["visit"][2]["id"])
        assert visit is not None and visit.follow_up_on == date(2026, 4, 1) and visit.outcome == "come_back"
        zone = store.get(Zone, written["zone"][0]["id"])
        assert zone is not None and zone.workers == ["animator-1"] and zone.radius_m == 600.0

        # Search works on the migrated contacts; the tombstoned one is not found.
        assert [c.name for c in store.search_contacts("lodzka")] == ["Bożena Łódzka"]
        assert [c.name for c in store.search_contacts("zolkiewski")] == ["Zbigniew Żółkiewski"]
        assert [c.name for c in store.search_contacts("zrodlowa")] == ["Fundacja Źródłowa Przystań"]
        assert store.search_contacts("lawki") == []  # needs are not indexed (RODO art. 9; migration 41)
        assert store.search_contacts("scibor") == []

        # The spatial index (added in version 3) holds the live contacts with a position.
        with store.engine.connect() as conn:
            spatial = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'geo_contact'").all()
            if spatial:
                indexed = conn.exec_driver_sql("SELECT count(*) FROM geo_contact").scalar()
                assert indexed == 2

        # New writes continue after the old clock and go to the outbox.
        with store.write() as conn:
            made = store.save(conn, Contact(kind="ngo", name="Klub Łódzkich Seniorów"))
        assert made.updated_hlc > max(v["updated_hlc"] for vs in written.values() for v in vs)
        assert [c.id for c in store.search_contacts("lodzkich")] == [made.id]
        assert store.pending_changes() == sum(len(v) for v in written.values()) + 1
    finally:
        store.close()

    # Opening again is a no-op.
    again = Store(path)
    assert again.schema_version == LATEST_VERSION
    again.close()


def test_failed_migration_keeps_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration that fails half-way leaves the file at the previous version, untouched."""
    path = tmp_path / "old.db"
    build_old_database(path, LATEST_VERSION)
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for migration in available():
        shutil.copy(migration.path, migrations / migration.path.name)
    broken = LATEST_VERSION + 1
    (migrations / f"{broken:04d}_broken.sql").write_text(
        "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n", encoding="utf-8"
    )
    monkeypatch.setattr(migrate_module, "MIGRATIONS_DIR", migrations)
    monkeypatch.setattr(migrate_module, "LATEST_VERSION", broken)

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError):
            migrate(conn)
        assert migrate_module.current_version(conn) == LATEST_VERSION
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM contact").fetchone() == (len(CONTACTS),)
    finally:
        conn.close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this app"):
        Store(path)


def test_old_outbox_fields_are_json(tmp_path: Path) -> None:
    """The outbox rows written by the old app stay readable as the sync client expects."""
    path = tmp_path / "old.db"
    build_old_database(path, 1)
    store = Store(path)
    try:
        with store.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT fields FROM outbox").all()
        assert rows and all(json.loads(fields) == ["*"] for (fields,) in rows)
    finally:
        store.close()
