"""Records leaving the device because they left its scope (a move to another team, a zone given to
another team) or because the service does not hold them (a repair after a checksum mismatch).

Unlike a deletion (a tombstone that syncs), eviction removes the rows outright and syncs nothing:
the service still holds the records, only this device may no longer. Contacts leave the search
index too, and its segments are merged so their words leave the file (``secure_delete`` zeroes the
freed pages of the tables themselves).
"""

from __future__ import annotations

import sqlite3

from fieldapp.model.base import SyncedRecord
from fieldapp.model.contact import Contact
from fieldapp.store import search

_CHUNK = 500


def evict(db: sqlite3.Connection, model: type[SyncedRecord], ids: list[str]) -> int:
    """Remove these records of ``model`` (and their search rows); how many were removed."""
    table = model.__tablename__  # type: ignore[attr-defined]
    removed = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        if model is Contact:
            rowids = [row[0] for row in db.execute(f"SELECT rowid FROM contact WHERE id IN ({marks})", chunk)]
            search.unindex(db, rowids)
        removed += db.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk).rowcount
    if removed and model is Contact:
        search.merge_deleted(db)
    return removed
