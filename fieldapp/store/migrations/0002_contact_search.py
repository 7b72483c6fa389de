"""Schema version 2: the search index of contacts (FTS5, or the word-list table where SQLite has no
FTS5: ``fieldapp.store.search``), filled from existing rows."""

from __future__ import annotations

import sqlite3


def upgrade(conn: sqlite3.Connection) -> None:
    from fieldapp.store.search import create_index, index_rows

    create_index(conn)
    rows = conn.execute(
        "SELECT rowid, name, address, tags, needs, offers, interests, notes FROM contact WHERE deleted = 0"
    )
    index_rows(conn, rows)
