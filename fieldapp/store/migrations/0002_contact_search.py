"""Schema version 2: the search index of contacts (FTS5, or the word-list table where SQLite has no
FTS5: ``fieldapp.store.search``), filled from existing rows."""

from __future__ import annotations

import sqlite3


def upgrade(conn: sqlite3.Connection) -> None:
    from fieldapp.store.search import INDEXED, create_index, index_rows

    create_index(conn)
    # The columns the index holds today (migration 0041 rebuilds it once more without needs).
    columns = ", ".join(name for name, _ in INDEXED)
    rows = conn.execute(f"SELECT rowid, {columns} FROM contact WHERE deleted = 0")
    index_rows(conn, rows)
