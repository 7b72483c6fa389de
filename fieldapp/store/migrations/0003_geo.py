"""Schema version 3: geocoding cache and queue, and the spatial index of contacts and resources.

``geocode_cache`` keeps geocoder answers (forward by folded query, reverse by rounded point), so a
street asked about twice costs one request. ``geocode_queue`` holds the records whose address is
waiting for the geocoder (offline, rate-limited) or for the user to pick among candidates.

Nearby queries use one R*Tree per table (point boxes keyed by the record's rowid), maintained by
triggers so that every write path — the store's, bulk sync apply, erasure — keeps it current.
Where SQLite is built without R*Tree, plain ``(lat, lon)`` indexes serve instead
(``fieldapp.geo.spatial`` looks at which exists).
"""

from __future__ import annotations

import sqlite3

from fieldapp.geo.rtree_pack import Layout, layout, node_size, write_layout

#: Tables whose positions are indexed, and the condition for a row to be in the index.
SPATIAL_TABLES: dict[str, str] = {
    "contact": "{row}.lat IS NOT NULL AND {row}.lon IS NOT NULL AND {row}.deleted = 0 "
    "AND {row}.erased_at IS NULL",
    "resource": "{row}.lat IS NOT NULL AND {row}.lon IS NOT NULL AND {row}.deleted = 0",
}
_WATCHED = {"contact": "lat, lon, deleted, erased_at", "resource": "lat, lon, deleted"}

CACHE_AND_QUEUE = """
CREATE TABLE geocode_cache (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    query TEXT NOT NULL,
    status TEXT NOT NULL,
    results TEXT NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE INDEX ix_geocode_cache_fetched_at ON geocode_cache (fetched_at);
CREATE TABLE geocode_queue (
    id INTEGER PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    query TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    candidates TEXT NOT NULL DEFAULT '[]',
    next_attempt_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (record_type, record_id)
);
CREATE INDEX ix_geocode_queue_due ON geocode_queue (state, next_attempt_at);
CREATE TRIGGER geocode_queue_forget_contact AFTER UPDATE OF deleted, erased_at ON contact
WHEN NEW.deleted = 1 OR NEW.erased_at IS NOT NULL
BEGIN
    DELETE FROM geocode_queue WHERE record_type = 'contact' AND record_id = NEW.id;
END
"""


def _statements(script: str) -> list[str]:
    """Split a script into statements (trigger bodies hold semicolons, so ask SQLite where)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip() + ";")
    return statements


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
    rowids): packed in one go (``fieldapp.geo.rtree_pack``; ``packed`` if the caller planned it
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


def upgrade(conn: sqlite3.Connection) -> None:
    for statement in _statements(CACHE_AND_QUEUE):
        conn.execute(statement)
    if rtree_available(conn):
        for table in SPATIAL_TABLES:
            create_spatial_index(conn, table)
    else:
        for table in SPATIAL_TABLES:
            conn.execute(f"CREATE INDEX ix_{table}_lat_lon ON {table} (lat, lon)")
