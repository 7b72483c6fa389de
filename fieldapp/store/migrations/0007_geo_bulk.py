"""Schema version 7: the spatial index can be filled once per batch of new rows.

A row inserted into ``contact`` or ``resource`` used to reach its R*Tree through a per-row trigger.
Fed that way, row by row between the table's own B-tree writes, the R*Tree cost ~38 µs a contact
(its node cache is dropped at the end of every statement); one ``INSERT … SELECT`` for a page of
pulled rows costs ~8 µs each. While a table is named in ``geo_deferred`` (inside the transaction
that bulk-inserts, see ``fieldapp.store.spatial_index.insert_new_rows``; since schema version 9 also for
the whole of a first pull, see ``fieldapp.store.bulk``), its insert trigger stands aside; every
other write path keeps the trigger.
"""

from __future__ import annotations

import sqlite3

from fieldapp.store.spatial_index import SPATIAL_TABLES


def upgrade(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE geo_deferred (table_name TEXT PRIMARY KEY)")
    for table, condition in SPATIAL_TABLES.items():
        index = f"geo_{table}"
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (f"{index}_insert",)
        ).fetchone()
        if not exists:
            continue  # SQLite without R*Tree: plain indexes, no trigger
        conn.execute(f"DROP TRIGGER {index}_insert")
        conn.execute(
            f"""CREATE TRIGGER {index}_insert AFTER INSERT ON {table}
            WHEN {condition.format(row="NEW")}
                AND NOT EXISTS (SELECT 1 FROM geo_deferred WHERE table_name = '{table}')
            BEGIN
                INSERT INTO {index} VALUES (NEW.rowid, NEW.lat, NEW.lat, NEW.lon, NEW.lon);
            END"""
        )
