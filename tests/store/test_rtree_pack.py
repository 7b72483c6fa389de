"""The packed R*Tree is one SQLite itself accepts: the same stored boxes as SQLite's own inserts,
``rtreecheck`` clean, the same answers to box queries, and later writes go through SQLite's code."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldapp.model import Contact
from fieldapp.store import Store
from fieldapp.store import spatial_index as _geo
from fieldapp.store.db import raw
from fieldapp.store.rtree_pack import pack_points
from tests.sqlite_build import needs_rtree

pytestmark = needs_rtree

_BOX_QUERY = "SELECT id FROM g WHERE max_a >= ? AND min_a <= ? AND max_b >= ? AND min_b <= ? ORDER BY id"


def _rtree() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE g USING rtree(id, min_a, max_a, min_b, max_b)")
    return db


def _by_sqlite(points: list[tuple[int, float, float]]) -> sqlite3.Connection:
    db = _rtree()
    db.executemany("INSERT INTO g VALUES (?, ?, ?, ?, ?)", [(i, a, a, b, b) for i, a, b in points])
    return db


def _packed(points: list[tuple[int, float, float]]) -> sqlite3.Connection:
    db = _rtree()
    assert pack_points(db, "g", points)
    return db


def _points(count: int, seed: int) -> list[tuple[int, float, float]]:
    """Spread and clustered points, exact floats, zero, negatives and tiny values."""
    rng = random.Random(seed)
    choices = (
        lambda: rng.uniform(-90, 90),
        lambda: 51.75 + rng.randrange(1000) * 1e-5,
        lambda: -(19.45 + rng.randrange(777) * 1e-5),
        lambda: 0.5,
        lambda: 0.0,
        lambda: -1e-40,
    )
    return [(n + 1, rng.choice(choices)(), rng.uniform(-180, 180)) for n in range(count)]


def _rows(db: sqlite3.Connection) -> list[tuple[float, ...]]:
    return db.execute("SELECT * FROM g ORDER BY id").fetchall()


@pytest.mark.parametrize("count", [0, 1, 51, 52, 2_700, 9_000])
def test_a_packed_tree_stores_what_sqlite_stores_and_answers_alike(count: int) -> None:
    points = _points(count, count)
    mine, theirs = _packed(points), _by_sqlite(points)
    assert mine.execute("SELECT rtreecheck('g')").fetchone() == ("ok",)
    assert _rows(mine) == _rows(theirs)
    depth = int.from_bytes(mine.execute("SELECT data FROM g_node WHERE nodeno = 1").fetchone()[0][:2], "big")
    assert depth == (0 if count <= 51 else 1 if count <= 51 * 51 else 2)
    rng = random.Random(count)
    for _ in range(100):
        a_low, a_high = sorted(rng.uniform(-90, 90) for _ in range(2))
        b_low, b_high = sorted(rng.uniform(-180, 180) for _ in range(2))
        box = (a_low, a_high, b_low, b_high)
        assert mine.execute(_BOX_QUERY, box).fetchall() == theirs.execute(_BOX_QUERY, box).fetchall()


def test_sqlite_keeps_writing_a_packed_tree() -> None:
    points = _points(3_000, 1)
    mine, theirs = _packed(points), _by_sqlite(points)
    rng = random.Random(2)
    for n in range(3_001, 4_000):
        a, b = rng.uniform(-90, 90), rng.uniform(-180, 180)
        for db in (mine, theirs):
            db.execute("INSERT INTO g VALUES (?, ?, ?, ?, ?)", (n, a, a, b, b))
    for n in rng.sample(range(1, 4_000), 2_500):
        for db in (mine, theirs):
            db.execute("DELETE FROM g WHERE id = ?", (n,))
    assert mine.execute("SELECT rtreecheck('g')").fetchone() == ("ok",)
    assert _rows(mine) == _rows(theirs)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-90, 90, allow_nan=False, allow_subnormal=True),
            st.floats(-180, 180, allow_nan=False, allow_subnormal=True),
        ),
        max_size=60,
    )
)
def test_any_coordinates_are_rounded_outwards_exactly_as_sqlite_rounds_them(
    coordinates: list[tuple[float, float]],
) -> None:
    points = [(n + 1, a, b) for n, (a, b) in enumerate(coordinates)]
    assert _rows(_packed(points)) == _rows(_by_sqlite(points))


def test_a_store_fills_its_spatial_index_packed_or_row_by_row_to_the_same_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fill_spatial_index`` packs; where the shadow tables may not be written (SQLite's defensive
    mode: an authorizer stands in for it) ``pack_points`` and ``write_layout`` change nothing and
    say so, and the rows go in one by one."""
    store = Store(tmp_path / "device.db")
    with store.write() as conn:
        for _n, lat, lon in _points(200, 3):
            store.save(conn, Contact(kind="resident", name="Osoba", lat=lat, lon=lon))
    with store.write() as conn:
        db = raw(conn)
        by_triggers = db.execute("SELECT * FROM geo_contact ORDER BY id").fetchall()
        _geo.fill_spatial_index(db, "contact")
        assert db.execute("SELECT * FROM geo_contact ORDER BY id").fetchall() == by_triggers
        assert db.execute("SELECT count(*) FROM geo_contact_node").fetchone()[0] > 1
        db.set_authorizer(
            lambda action, table, *_: (
                sqlite3.SQLITE_DENY
                if (action, table) == (sqlite3.SQLITE_DELETE, "geo_contact_rowid")
                else sqlite3.SQLITE_OK
            )
        )
        assert pack_points(db, "geo_contact", [(1, 0.0, 0.0)]) is False
        db.set_authorizer(None)  # it would refuse the R*Tree's own writes too, unlike defensive mode
        assert db.execute("SELECT * FROM geo_contact ORDER BY id").fetchall() == by_triggers
        monkeypatch.setattr(_geo, "write_layout", lambda *_: False)
        _geo.fill_spatial_index(db, "contact")
        assert db.execute("SELECT * FROM geo_contact ORDER BY id").fetchall() == by_triggers
        assert db.execute("SELECT rtreecheck('geo_contact')").fetchone() == ("ok",)
    store.close()
