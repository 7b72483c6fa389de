"""Bulk loading of a device's first pull: indexes built once at the end instead of row by row.

A fresh device pulls everything its team has, a page at a time. Kept current with every page, a
contact's seven secondary indexes, its full-text row and its R*Tree entry cost ~3x what the row
itself does; built once from the finished table with set-based SQL (``CREATE INDEX`` sorts, one
``INSERT … SELECT`` each for search and the map) they cost a fraction.

``begin`` runs inside the transaction of the first page that brings many records of a still empty
table: it notes what it defers (``bulk_deferred``; the spatial index in ``geo_deferred``) and drops
the indexes and the spatial index's insert trigger (noted in ``bulk_deferred`` too: standing aside,
its ``WHEN … NOT EXISTS`` still ran for every row, ~0.7 µs a record). Every page still commits with
its cursor. ``finish`` builds everything noted, in one transaction: the sync calls it after the
last page, and a store opened with deferred work left (the app died mid-pull) calls it first. Until
then queries are correct, only slower: tables are scanned, search reads the contacts
(``search.scan_contact_ids``), the map reads positions from the table (``fieldapp.store.spatial_index``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from fieldapp.store import rtree_pack, search, spatial_index

#: Page cache while ``finish`` builds (KiB): the index sorts, FTS5 segments and R*Tree nodes of a
#: first pull outgrow SQLite's default 2 MB; the connection's own size comes back afterwards.
FINISH_CACHE_KIB = 32 * 1024

#: Tables of bookkeeping, not data: a wipe keeps their rows so that ``finish`` still runs.
BOOKKEEPING_TABLES = ("bulk_deferred", "geo_deferred")


def is_empty(db: sqlite3.Connection, table: str) -> bool:
    return db.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is None


def begin(db: sqlite3.Connection, table: str) -> None:
    """Defer ``table``'s secondary indexes, search rows and spatial rows until ``finish``."""
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for name, sql in indexes:
        db.execute("INSERT OR REPLACE INTO bulk_deferred VALUES (?, ?, ?)", (name, table, sql))
        db.execute(f'DROP INDEX "{name}"')
    if table == "contact":
        db.execute(
            "INSERT OR IGNORE INTO bulk_deferred (name, table_name) VALUES (?, 'contact')", (search.TABLE,)
        )
    if table in spatial_index.SPATIAL_TABLES and _in_schema(db, f"geo_{table}", "table"):
        db.execute("INSERT OR IGNORE INTO geo_deferred (table_name) VALUES (?)", (table,))
        # While the table is in geo_deferred its insert trigger does nothing; ``finish`` (also the
        # one a store runs when it opens after a crash) creates it again from the noted statement.
        trigger = f"geo_{table}_insert"
        found = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,))
        sql = found.fetchone()
        if sql is not None:
            db.execute("INSERT OR REPLACE INTO bulk_deferred VALUES (?, ?, ?)", (trigger, table, sql[0]))
            db.execute(f'DROP TRIGGER "{trigger}"')


def pending(db: sqlite3.Connection) -> bool:
    """Whether a bulk load left work for ``finish``."""
    return any(
        db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None for table in BOOKKEEPING_TABLES
    )


def finish(db: sqlite3.Connection) -> bool:
    """Build everything deferred (inside the caller's transaction); False if nothing was."""
    deferred = db.execute("SELECT name, sql FROM bulk_deferred ORDER BY rowid").fetchall()
    spatial = [table for (table,) in db.execute("SELECT table_name FROM geo_deferred ORDER BY table_name")]
    if not deferred and not spatial:
        return False
    with _cache_of(db, FINISH_CACHE_KIB), ThreadPoolExecutor(1, thread_name_prefix="teren-rtree") as planner:
        # An R*Tree's packed layout is computed in Python alone: in a thread, while SQLite builds
        # the indexes and search rows (releasing the GIL meanwhile).
        layouts = {
            table: planner.submit(
                rtree_pack.layout,
                spatial_index.spatial_points(db, table),
                rtree_pack.node_size(db, f"geo_{table}"),
            )
            for table in spatial
        }
        if any(name == search.TABLE for name, _sql in deferred):
            search.index_all(db)  # first: one long statement, the planner's best window
        for name, sql in deferred:  # indexes and triggers (unless a migration made them anew)
            if sql is not None and not _in_schema(db, name, "index", "trigger"):
                db.execute(sql)
        for table, planned in layouts.items():
            spatial_index.fill_spatial_index(db, table, planned.result())
    db.execute("DELETE FROM bulk_deferred")
    db.execute("DELETE FROM geo_deferred")
    return True


@contextmanager
def _cache_of(db: sqlite3.Connection, kib: int) -> Iterator[None]:
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size = {-kib}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {before}")


def _in_schema(db: sqlite3.Connection, name: str, *types: str) -> bool:
    """Whether the schema holds ``name`` as one of ``types`` ('table', 'index', 'trigger')."""
    marks = ", ".join("?" * len(types))
    found = db.execute(f"SELECT 1 FROM sqlite_master WHERE type IN ({marks}) AND name = ?", (*types, name))
    return found.fetchone() is not None
