"""While a first pull defers indexes (``fieldapp.store.bulk``), search and the map answer as the
indexes would; ``finish`` (or opening the store) builds exactly what was there before."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp.geo.spatial import nearby
from fieldapp.model import Contact
from fieldapp.store import Store, bulk
from fieldapp.store.db import raw
from tests.sqlite_build import needs_rtree

TEXTS = (
    "Łódź", "Żółkiewskiego 12/4", "Anna Kowalska", "ANNA nowak", "Źródło", "seniorzy, ogród", "zakupy_leki",
    "Straße 5", "Tab\there", "", "kowal", "Ąę ół", "osoba 12",
)
#: Indexes and triggers (a bulk load sets the spatial index's insert trigger aside too).
SCHEMA = "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
QUERIES = ("lodz", "anna", "kowal", "zrod", "ogr", "zakupy", "leki", "strasse", "osoba 1", "ąę", "a", "12 4")


def _add(store: Store, count: int = 60) -> list[Contact]:
    made = []
    with store.write() as conn:
        for n in range(count):
            contact = Contact(
                kind="resident",
                name=TEXTS[n % len(TEXTS)] + (f" {n}" if n % 3 else ""),
                address=TEXTS[(n * 5) % len(TEXTS)],
                tags=TEXTS[(n * 7) % len(TEXTS)],
                needs=TEXTS[(n * 11) % len(TEXTS)],
                lat=51.75 + (n % 9) * 1e-3,
                lon=19.45 + (n % 7) * 1e-3,
            )
            made.append(store.save(conn, contact))
        store.delete(conn, made[4])
        made[5].erased_at = datetime.now(UTC)
        store.save(conn, made[5], ["erased_at"])
    return made


def _defer(store: Store) -> None:
    with store.write() as conn:
        bulk.begin(raw(conn), "contact")


def _answers(store: Store) -> dict[str, Any]:
    return {
        "search": {q: {c.id for c in store.search_contacts(q, limit=500)} for q in QUERIES},
        "nearby": [(p.id, p.distance_m) for p in nearby(store, 51.752, 19.452, 400, limit=None)],
    }


def _indexes(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return sorted(raw(conn).execute(SCHEMA))


def test_deferred_search_and_map_answer_as_the_indexes(store: Store) -> None:
    _add(store)
    indexed, indexes = _answers(store), _indexes(store)
    assert all(indexed["search"][q] for q in ("lodz", "anna", "leki")) and indexed["nearby"]
    _defer(store)
    assert _indexes(store) != indexes
    assert _answers(store) == indexed
    assert store.finish_bulk() is True
    assert store.finish_bulk() is False
    assert _indexes(store) == indexes and _answers(store) == indexed


def test_writes_while_deferred_are_in_the_indexes_after(store: Store) -> None:
    made = _add(store)
    _defer(store)
    with store.write() as conn:
        store.save(conn, Contact(kind="resident", name="Nowy Łukasz", lat=51.752, lon=19.452))
        made[0].name = "Zmieniona"
        store.save(conn, made[0], ["name"])
        store.delete(conn, made[1])
    during = _answers(store)
    assert {c.name for c in store.search_contacts("lukasz")} == {"Nowy Łukasz"}
    store.finish_bulk()
    assert _answers(store) == during
    assert store.search_contacts("zmieniona")[0].id == made[0].id


@needs_rtree
def test_the_spatial_insert_trigger_is_set_aside_and_comes_back(store: Store) -> None:
    _add(store)
    _defer(store)
    with store.engine.connect() as conn:
        db = raw(conn)
        assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'geo_contact_insert'").fetchone()
        noted = db.execute("SELECT sql FROM bulk_deferred WHERE name = 'geo_contact_insert'").fetchone()
        assert noted and "NOT EXISTS" in noted[0]
    _insert_raw_copy(store, "raw-1", "Surowy", 51.7521, 19.4521, "deleted = 0 AND erased_at IS NULL")
    store.finish_bulk()
    assert "raw-1" in {p.id for p in nearby(store, 51.752, 19.452, 400, limit=None)}
    # The trigger is back: a later insert reaches the map by itself.
    _insert_raw_copy(store, "raw-2", "Surowy 2", 51.7522, 19.4522, "id = 'raw-1'")
    assert "raw-2" in {p.id for p in nearby(store, 51.752, 19.452, 400, limit=None)}


def _insert_raw_copy(store: Store, new_id: str, name: str, lat: float, lon: float, source: str) -> None:
    """A copy of the first contact matching ``source`` at (lat, lon), inserted in plain SQL: a write
    path other than the store's, as a pull inserts rows."""
    with store.write() as conn:
        raw(conn).execute(
            "INSERT INTO contact SELECT ?, created_at, base_hlc, updated_hlc, field_hlcs, author_id, "
            "device_id, deleted, kind, ?, address, street, house_number, flat, city, ?, ?, "
            "position_status, zone_id, phone, email, interests, needs, offers, tags, notes, "
            "do_not_knock, erased_at, person_role, special_notes, data_source, restricted_at "
            f"FROM contact WHERE {source} LIMIT 1",
            (new_id, name, lat, lon),
        )


def test_a_store_opened_with_deferred_work_finishes_it(store: Store) -> None:
    _add(store)
    indexed, indexes = _answers(store), _indexes(store)
    _defer(store)
    store.close()
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT count(*) FROM bulk_deferred").fetchone()[0] > 0
    reopened = Store(store.path)
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT count(*) FROM bulk_deferred").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM geo_deferred").fetchone()[0] == 0
    assert _indexes(reopened) == indexes and _answers(reopened) == indexed
    reopened.close()


@pytest.fixture(scope="module")
def deferred(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    """The same contacts twice: one store indexed, one with its indexes deferred."""
    stores: list[Store] = []
    for name in ("indexed", "deferred"):
        store = Store(tmp_path_factory.mktemp(name) / "device.db")
        _add(store, 120)
        stores.append(store)
    _defer(stores[1])
    yield stores[0], stores[1]
    for store in stores:
        store.close()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("aąbcćeęlłnoószźż _-*\"'12AŁ"), max_size=12))
def test_any_query_finds_the_same_contacts_without_the_index(
    deferred: tuple[Store, Store], query: str
) -> None:
    indexed, scanning = deferred
    found = {c.name for c in indexed.search_contacts(query, limit=1000)}
    assert {c.name for c in scanning.search_contacts(query, limit=1000)} == found
