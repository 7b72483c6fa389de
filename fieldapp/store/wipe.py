"""Forgetting everything: what a revoked (lost, stolen) device does on its next contact."""

from __future__ import annotations

from fieldapp.store import bulk
from fieldapp.store.db import Store, raw


def wipe(store: Store) -> None:
    """Remove every record, the outbox, the search and map indexes, the sync settings and the user;
    only the device id stays. The file is checkpointed so that no copy lingers in the WAL."""
    with store.write() as conn:
        db = raw(conn)
        tables = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        virtual = [name for name, sql in tables if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
        for name, _sql in tables:
            if any(name.startswith(f"{v}_") for v in virtual):
                continue  # shadow tables of a virtual table: cleared through it
            if name == "meta":
                db.execute("DELETE FROM meta WHERE key != 'device_id'")
            elif name not in bulk.BOOKKEEPING_TABLES:
                db.execute(f'DELETE FROM "{name}"')
        bulk.finish(db)  # indexes a first pull had dropped come back (over empty tables)
        store.set_user(None, conn)
    with store.engine.connect() as conn:
        raw(conn).execute("PRAGMA wal_checkpoint(TRUNCATE)")
