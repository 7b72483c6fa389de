"""The spatial index of contacts and resources: one R*Tree per table, kept by triggers.

Point boxes are keyed by the record's rowid and maintained by triggers, so every write path — the
store's, bulk sync apply, erasure — keeps them current. While a table is named in ``geo_deferred``
its insert trigger stands aside: a page of pulled rows goes in with one ``INSERT … SELECT``
(``insert_new_rows``, ~8 µs a contact instead of ~38 through the per-row trigger), and a first pull
builds the whole index once at its end (``fieldapp.store.bulk``). Where SQLite has no R*Tree, plain
``(lat, lon)`` indexes serve instead (``has_rtree_table`` tells which).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from fieldapp.model.base import SyncedRecord
from fieldapp.store import codec
from fieldapp.store.rtree_pack import Layout, layout, node_size, write_layout

#: Tables whose positions are indexed, and the condition for a row to be in the index.
SPATIAL_TABLES: dict[str, str] = {
    "contact": "{row}.lat IS NOT NULL AND {row}.lon IS NOT NULL AND {row}.deleted = 0 "
    "AND {row}.erased_at IS NULL",
    "resource": "{row}.lat IS NOT NULL AND {row}.lon IS NOT NULL AND {row}.deleted = 0",
}
_WATCHED = {"contact": "lat, lon, deleted, erased_at", "resource": "lat, lon, deleted"}


def rtree_available(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.geo_rtree_probe USING rtree(id, a, b)")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.geo_rtree_probe")
    return True


def create_spatial_index(conn: sqlite3.Connection, table: str) -> None:
    """The R*Tree ``geo_<table>`` and its triggers, filled from the existing rows."""
    index = f"geo_{table}"
    new_ok = SPATIAL_TABLES[table].format(row="NEW")
    conn.execute(f"CREATE VIRTUAL TABLE {index} USING rtree(id, min_lat, max_lat, min_lon, max_lon)")
    conn.execute(
        f"""CREATE TRIGGER {index}_insert AFTER INSERT ON {table} WHEN {new_ok}
        BEGIN
            INSERT INTO {index} VALUES (NEW.rowid, NEW.lat, NEW.lat, NEW.lon, NEW.lon);
        END"""
    )
    conn.execute(
        f"""CREATE TRIGGER {index}_update AFTER UPDATE OF {_WATCHED[table]} ON {table}
        BEGIN
            DELETE FROM {index} WHERE id = OLD.rowid;
            INSERT INTO {index} SELECT NEW.rowid, NEW.lat, NEW.lat, NEW.lon, NEW.lon WHERE {new_ok};
        END"""
    )
    conn.execute(
        f"""CREATE TRIGGER {index}_delete AFTER DELETE ON {table}
        BEGIN
            DELETE FROM {index} WHERE id = OLD.rowid;
        END"""
    )
    fill_spatial_index(conn, table)


def spatial_points(conn: sqlite3.Connection, table: str) -> list[tuple[int, float, float]]:
    """``(rowid, lat, lon)`` of the rows that belong in ``geo_<table>``."""
    condition = SPATIAL_TABLES[table].format(row="row")
    return conn.execute(f"SELECT rowid, lat, lon FROM {table} AS row WHERE {condition}").fetchall()


def fill_spatial_index(conn: sqlite3.Connection, table: str, packed: Layout | None = None) -> None:
    """(Re)build ``geo_<table>`` from the table (after a first pull, or a VACUUM that renumbered
    rowids): packed in one go (``fieldapp.store.rtree_pack``; ``packed`` if the caller planned it
    already), or row by row where SQLite keeps the R*Tree's shadow tables read-only."""
    index = f"geo_{table}"
    if packed is None:
        packed = layout(spatial_points(conn, table), node_size(conn, index))
    if write_layout(conn, index, packed):
        return
    condition = SPATIAL_TABLES[table].format(row="row")
    conn.execute(f"DELETE FROM {index}")
    conn.execute(
        f"INSERT INTO {index} SELECT rowid, lat, lat, lon, lon FROM {table} AS row WHERE {condition}"
    )


def has_rtree_table(db: sqlite3.Connection, table: str) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (f"geo_{table}",))
    return found.fetchone() is not None


def is_deferred(db: sqlite3.Connection, table: str) -> bool:
    """Whether a first pull is loading ``table`` without its R*Tree entries
    (``fieldapp.store.bulk``): the R*Tree is incomplete until the pull ends."""
    found = db.execute("SELECT 1 FROM geo_deferred WHERE table_name = ?", (table,))
    return found.fetchone() is not None


def rebuild(db: sqlite3.Connection) -> None:
    """Rebuild the R*Trees from the tables (needed after a VACUUM, which may renumber rowids)."""
    for table in SPATIAL_TABLES:
        if has_rtree_table(db, table):
            fill_spatial_index(db, table)


def insert_new_rows(
    db: sqlite3.Connection, model: type[SyncedRecord], rows: Sequence[Sequence[Any]], ids: list[str]
) -> None:
    """Insert rows that are new to the model's table (``codec.insert_rows``, the records ``ids``) and
    put them in its spatial index with one statement instead of one trigger firing per row (2.5x
    cheaper for a page of pulled contacts). Inside the caller's transaction. While a bulk load
    defers the table's spatial index, the rows go in alone."""
    table = model.__tablename__  # type: ignore[attr-defined]
    indexed = table in SPATIAL_TABLES and has_rtree_table(db, table) and not is_deferred(db, table)
    if indexed:
        db.execute("INSERT INTO geo_deferred (table_name) VALUES (?)", (table,))
    codec.insert_rows(db, model, rows)
    if not indexed:
        return
    db.execute("DELETE FROM geo_deferred WHERE table_name = ?", (table,))
    condition = SPATIAL_TABLES[table].format(row="row")
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        db.execute(
            f"INSERT INTO geo_{table} SELECT rowid, lat, lat, lon, lon FROM {table} AS row "
            f"WHERE id IN ({','.join('?' * len(chunk))}) AND {condition}",
            chunk,
        )
