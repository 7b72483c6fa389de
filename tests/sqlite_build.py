"""What the SQLite library of this test run has: tests of an R*Tree's or FTS5's own workings skip
where it lacks them (the run against a SQLite built without both, ``tests/store/test_minimal_sqlite.py``)."""

from __future__ import annotations

import sqlite3

import pytest

from fieldapp.store.search import fts5_available
from fieldapp.store.spatial_index import rtree_available


def _probe() -> tuple[bool, bool]:
    db = sqlite3.connect(":memory:")
    try:
        return fts5_available(db), rtree_available(db)
    finally:
        db.close()


HAS_FTS5, HAS_RTREE = _probe()
needs_rtree = pytest.mark.skipif(not HAS_RTREE, reason="this SQLite has no R*Tree")
needs_fts5 = pytest.mark.skipif(not HAS_FTS5, reason="this SQLite has no FTS5")
