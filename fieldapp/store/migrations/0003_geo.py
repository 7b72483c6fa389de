"""Schema version 3: geocoding cache and queue, and the spatial index of contacts and resources.

``geocode_cache`` keeps geocoder answers (forward by folded query, reverse by rounded point), so a
street asked about twice costs one request. ``geocode_queue`` holds the records whose address is
waiting for the geocoder (offline, rate-limited) or for the user to pick among candidates.

Nearby queries use one R*Tree per table (``fieldapp.store.spatial_index``). Where SQLite is built
without R*Tree, plain ``(lat, lon)`` indexes serve instead.
"""

from __future__ import annotations

import sqlite3

from fieldapp.store.spatial_index import SPATIAL_TABLES, create_spatial_index, rtree_available

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


def upgrade(conn: sqlite3.Connection) -> None:
    for statement in _statements(CACHE_AND_QUEUE):
        conn.execute(statement)
    if rtree_available(conn):
        for table in SPATIAL_TABLES:
            create_spatial_index(conn, table)
    else:
        for table in SPATIAL_TABLES:
            conn.execute(f"CREATE INDEX ix_{table}_lat_lon ON {table} (lat, lon)")
