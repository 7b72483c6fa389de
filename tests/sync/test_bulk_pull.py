"""A fresh device's first pull loads empty tables in bulk (``fieldapp.store.bulk``): the store it
ends with equals one pulled row by row, queries in the middle are right, and a pull cut short (a
network failure, the app killed) leaves nothing that the next open or sync does not finish."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from fieldapp.geo.spatial import nearby
from fieldapp.model import Contact, Visit
from fieldapp.services.contacts import list_contacts
from fieldapp.store import Store, bulk
from fieldapp.store.db import raw
from fieldapp.sync import SyncError
from tests.store.test_bulk import SCHEMA
from tests.sync.conftest import Device, World

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("bulk_pull_child.py")
STREETS = ("Piotrkowska", "Żółkiewskiego", "Kilińskiego")
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
#: Small pages and a small threshold: the bulk path on a few hundred records.
PAGE = 20
BULK_MIN = 10
QUERIES = ("lukasz", "ŻÓŁK", "senior", "osoba 1", "zakupy")


def _fill(device: Device, contacts: int = 90, visits: int = 40) -> None:
    """Contacts with and without positions and names, a few deleted; visits of some of them."""
    now = datetime.now(UTC)
    with device.store.write() as conn:
        made = []
        for n in range(contacts):
            contact = Contact(
                kind="resident" if n % 4 else "organisation",
                name="" if n % 9 == 0 else f"Osoba {n} Łukasz",
                address=f"{STREETS[n % 3]} {n % 30 + 1}, Łódź",
                street=STREETS[n % 3],
                house_number=str(n % 30 + 1),
                city="Łódź",
                lat=None if n % 7 == 0 else 51.75 + (n % 13) * 1e-3,
                lon=None if n % 7 == 0 else 19.45 + (n % 11) * 1e-3,
                tags="Seniorzy SĄSIEDZI" if n % 10 == 0 else "Seniorzy" if n % 5 == 0 else "",
                offers="Zakupy" if n % 6 == 0 else "",  # needs are not searchable (RODO art. 9)
                interests="Tab\there" if n % 8 == 0 else "",
            )
            made.append(device.store.save(conn, contact))
        for n in range(visits):
            device.store.save(
                conn,
                Visit(contact_id=made[n].id, street=made[n].street, visited_at=now - timedelta(hours=n),
                      outcome="talked", lat=made[n].lat, lon=made[n].lon),
            )
        for contact in made[::17]:
            device.store.delete(conn, contact)
    device.engine.sync()


def _reader(world: World, *, bulk_min: int = BULK_MIN, **options: Any) -> Device:
    device = world.device(page_size=PAGE, **options)
    device.engine.bulk_min_records = bulk_min
    return device


def _snapshot(store: Store) -> dict[str, Any]:
    """Everything the bulk path touches, keyed by record ids (rowids may differ between stores)."""
    with store.engine.connect() as conn:
        db = raw(conn)
        return {
            "indexes": sorted(db.execute(SCHEMA)),
            "contacts": db.execute("SELECT * FROM contact ORDER BY id").fetchall(),
            "visits": db.execute("SELECT * FROM visit ORDER BY id").fetchall(),
            "search": db.execute(
                "SELECT c.id, s.name, s.address, s.tags, s.offers, s.interests "
                "FROM contact_search s JOIN contact c ON c.rowid = s.rowid ORDER BY c.id"
            ).fetchall(),
            "map": db.execute(
                "SELECT c.id, g.min_lat, g.max_lat, g.min_lon, g.max_lon "
                "FROM geo_contact g JOIN contact c ON c.rowid = g.id ORDER BY c.id"
            ).fetchall(),
            "deferred": db.execute("SELECT * FROM bulk_deferred").fetchall()
            + db.execute("SELECT * FROM geo_deferred").fetchall(),
        }


def _queries(store: Store) -> dict[str, Any]:
    """What the contact list, search and map screens ask for."""
    return {
        "list": [c.id for c in list_contacts(store, limit=500)],
        "list_kind": [c.id for c in list_contacts(store, kind="organisation", limit=500)],
        "search": {q: sorted(c.id for c in store.search_contacts(q, limit=500)) for q in QUERIES},
        "nearby": [(p.id, round(p.distance_m, 6)) for p in nearby(store, 51.755, 19.455, 600, limit=None)],
    }


def _spy_on_begin(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    begun: list[str] = []
    original = bulk.begin

    def begin(db: sqlite3.Connection, table: str) -> None:
        begun.append(table)
        original(db, table)

    monkeypatch.setattr(bulk, "begin", begin)
    return begun


@SQLITE_ONLY
def test_first_pull_in_bulk_ends_as_a_pull_row_by_row(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(world.device())
    plain = _reader(world, bulk_min=10**9)
    plain.engine.sync()
    begun = _spy_on_begin(monkeypatch)
    fast = _reader(world)
    receipt = fast.engine.sync()
    assert receipt.pulled > 5 * PAGE
    assert sorted(set(begun)) == ["contact", "visit"]  # the bulk path was taken
    expected, got = _snapshot(plain.store), _snapshot(fast.store)
    assert got["deferred"] == []
    for key in expected:
        assert got[key] == expected[key], key
    assert _queries(fast.store) == _queries(plain.store)
    assert _queries(fast.store)["nearby"] and all(_queries(fast.store)["search"].values())


@SQLITE_ONLY
def test_later_pulls_and_non_empty_tables_are_not_bulk(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = world.device()
    _fill(writer)
    reader = _reader(world)
    with reader.store.write() as conn:  # the user's own contact before the first sync
        reader.store.save(conn, Contact(kind="resident", name="Moja"))
    begun = _spy_on_begin(monkeypatch)
    reader.engine.sync()
    assert begun == ["visit"]
    _fill(writer)
    reader.engine.sync()  # not the first pull: row by row
    assert begun == ["visit"]
    assert _snapshot(reader.store)["deferred"] == []


class _FailingPulls(requests.Session):
    """Answers the first ``pages`` pulls, then fails every pull as if the network were gone."""

    def __init__(self, pages: int) -> None:
        super().__init__()
        self.pages = pages

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if str(url).endswith("/v1/pull"):
            if self.pages <= 0:
                raise requests.ConnectionError("network gone")
            self.pages -= 1
        return super().request(method, url, *args, **kwargs)


def _finished_copy(store: Store, folder: Path) -> Store:
    """A copy of the store file, opened (which builds what was deferred)."""
    with store.engine.connect() as conn:
        raw(conn).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    folder.mkdir()
    shutil.copy(store.path, folder / "copy.db")
    return Store(folder / "copy.db")


@SQLITE_ONLY
def test_queries_are_right_while_a_cut_short_bulk_pull_waits(world: World, tmp_path: Path) -> None:
    _fill(world.device())
    plain = _reader(world, bulk_min=10**9)
    plain.engine.sync()
    reader = _reader(world, session=_FailingPulls(3), sleep=lambda _s: None)
    with pytest.raises(SyncError) as failed:
        reader.engine.sync()
    assert failed.value.code == "offline"
    mid = _snapshot(reader.store)
    assert mid["deferred"] and mid["contacts"] and not mid["search"]  # in the middle of a bulk load
    assert len(mid["indexes"]) < len(_snapshot(plain.store)["indexes"])
    finished = _finished_copy(reader.store, tmp_path / "copy")
    assert _snapshot(finished)["deferred"] == []
    during, after = _queries(reader.store), _queries(finished)
    assert during["list"] == after["list"] and during["nearby"] == after["nearby"]
    assert during["search"] == after["search"] and any(during["search"].values())
    finished.close()
    reader.engine.transport.session = requests.Session()  # the network is back
    reader.engine.sync()
    expected, got = _snapshot(plain.store), _snapshot(reader.store)
    for key in expected:
        assert got[key] == expected[key], key
    assert _queries(reader.store) == _queries(plain.store)


@SQLITE_ONLY
def test_killed_mid_bulk_pull_then_opened_and_synced(world: World) -> None:
    _fill(world.device())
    plain = _reader(world, bulk_min=10**9)
    plain.engine.sync()
    reader = _reader(world)
    path = reader.store.path
    reader.store.close()
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(path), "3", str(PAGE), str(BULK_MIN)],
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, stdout=subprocess.PIPE,
    )
    assert child.wait(60) == -signal.SIGKILL
    with sqlite3.connect(path) as db:  # as the app died: three pages in, their indexes deferred
        assert db.execute("SELECT count(*) FROM contact").fetchone()[0] == 3 * PAGE
        assert db.execute("SELECT count(*) FROM bulk_deferred").fetchone()[0] > 0
        assert db.execute("SELECT count(*) FROM contact_search").fetchone()[0] == 0
    reopened = Store(path)  # the app starts again: what was deferred is built first
    opened = _snapshot(reopened)
    assert opened["deferred"] == []
    assert len(opened["search"]) == sum(1 for row in opened["contacts"] if not row[7])
    assert opened["indexes"] == _snapshot(plain.store)["indexes"]
    reader.store = reopened
    reader.engine.store = reopened
    reader.engine.sync()
    expected, got = _snapshot(plain.store), _snapshot(reopened)
    for key in expected:
        assert got[key] == expected[key], key
    assert _queries(reopened) == _queries(plain.store)


def test_a_wipe_in_the_middle_of_a_bulk_load_brings_the_indexes_back(tmp_path: Path) -> None:
    from fieldapp.store.wipe import wipe

    store = Store(tmp_path / "device.db")
    before = _snapshot(store)["indexes"]
    with store.write() as conn:
        store.save(conn, Contact(kind="resident", name="Ktoś", lat=51.7, lon=19.4))
        bulk.begin(raw(conn), "contact")
    assert _snapshot(store)["deferred"]
    wipe(store)
    after = _snapshot(store)
    assert after["indexes"] == before and after["deferred"] == [] and after["contacts"] == []
