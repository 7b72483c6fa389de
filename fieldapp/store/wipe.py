"""Forgetting everything: what a revoked (lost, stolen) device does on its next contact."""

from __future__ import annotations

import shutil
from pathlib import Path

from fieldapp.store import blobs, bulk, scrub, search
from fieldapp.store.db import Store, raw

#: Folders beside the store that hold personal data too: exports made on the device (a person's
#: data, full backups) and the log files (traces may quote a value).
EXPORTS_FOLDER = "exports"
LOGS_FOLDER = "logs"

#: Meta key: a wipe whose WAL could not be truncated (a reader held it); the store finishes it
#: when it opens next (``Store`` calls ``finish_wipe``).
K_UNFINISHED = "store.wipe_unfinished"


def wipe(store: Store) -> bool:
    """Remove every record, the files (photos, scans), the outbox, the search and map indexes, the
    sync settings and the user, the exports and the logs; only the device id stays. Nothing removed
    stays readable in the
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
    forget_files(store.path.parent)
    return finish_wipe(store)


#: Exports and rotated logs older than this are deleted when the app starts (RODO art. 5(1)(e)).
FILES_KEPT_DAYS = 30


def prune_old_files(data_folder: Path, days: int = FILES_KEPT_DAYS, *, now: float | None = None) -> int:
    """Delete exports and rotated log files not changed for ``days`` (the live log stays); how many.
    An export is meant to be handed over or saved elsewhere, not kept in the app's folder."""
    import time

    cutoff = (now if now is not None else time.time()) - days * 86_400
    removed = 0
    for folder, keep in ((data_folder / EXPORTS_FOLDER, ()), (data_folder / LOGS_FOLDER, (".log",))):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and path.suffix not in keep and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def forget_files(data_folder: Path) -> None:
    """Remove the exports folder and empty the logs: a log file the process still writes to is
    truncated (its handler keeps a valid file), the rotated ones are deleted."""
    shutil.rmtree(data_folder / EXPORTS_FOLDER, ignore_errors=True)
    logs = data_folder / LOGS_FOLDER
    if not logs.is_dir():
        return
    for path in logs.iterdir():
        if path.is_file() and path.suffix == ".log":
            path.open("r+b").truncate(0)
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def finish_wipe(store: Store) -> bool:
    """Rewrite the file with live pages only and truncate the WAL; True once done."""
    if not scrub.checkpoint(store.engine, vacuum=True):
        return False
    store.set_meta(K_UNFINISHED, None)
    return scrub.checkpoint(store.engine)
