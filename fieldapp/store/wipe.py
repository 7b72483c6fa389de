"""Forgetting everything: what a revoked (lost, stolen) device does on its next contact."""

from __future__ import annotations

from fieldapp.store import blobs, bulk, scrub, search
from fieldapp.store.db import Store, raw

#: Meta key: a wipe whose WAL could not be truncated (a reader held it); the store finishes it
#: when it opens next (``Store`` calls ``finish_wipe``).
K_UNFINISHED = "store.wipe_unfinished"


def wipe(store: Store) -> bool:
    """Remove every record, the files (photos, scans), the outbox, the search and map indexes, the
    sync settings and the user; only the device id stays. Nothing removed stays readable in the
    files: the search index is dropped with its segments, the file vacuumed, the WAL truncated.
    False when a reader kept the WAL from being truncated (``finish_wipe`` then runs when the
    store opens next)."""
    with store.write() as conn:
        db = raw(conn)
        tables = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        virtual = [name for name, sql in tables if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
        for name, _sql in tables:
            if any(name.startswith(f"{v}_") for v in virtual):
                continue  # shadow tables of a virtual table: cleared through it
            if name == search.TABLE:
                scrub.reset_search(db)
            elif name == "meta":
                db.execute("DELETE FROM meta WHERE key != 'device_id'")
            elif name not in bulk.BOOKKEEPING_TABLES:
                db.execute(f'DELETE FROM "{name}"')
        bulk.finish(db)  # indexes a first pull had dropped come back (over empty tables)
        store.set_user(None, conn)
        store.set_meta(K_UNFINISHED, "1", conn)
    blobs.remove_all(store)  # photos and scans: after the commit, so a failed wipe keeps them named
    return finish_wipe(store)


def finish_wipe(store: Store) -> bool:
    """Rewrite the file with live pages only and truncate the WAL; True once done."""
    if not scrub.checkpoint(store.engine, vacuum=True):
        return False
    store.set_meta(K_UNFINISHED, None)
    return scrub.checkpoint(store.engine)
