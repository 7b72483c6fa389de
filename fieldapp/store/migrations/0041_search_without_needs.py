"""Schema version 41: the search index without needs (RODO art. 9: free text about needs can reveal
health or poverty). The index is dropped with its segments — so no old term of a need stays in the
file — and built again from the live contacts (``fieldapp.store.search``)."""

from __future__ import annotations

import sqlite3


def upgrade(conn: sqlite3.Connection) -> None:
    from fieldapp.store.search import TABLE, create_index, index_all

    deferred = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bulk_deferred'"
    ).fetchone() and conn.execute("SELECT 1 FROM bulk_deferred WHERE name = ?", (TABLE,)).fetchone()
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    create_index(conn)
    if not deferred:  # a first pull that deferred the index builds it when it finishes
        index_all(conn)
