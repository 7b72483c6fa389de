"""Making removed content leave the store's files, not just its tables.

Deleting a row is not enough for personal data (an erasure, a wipe, the sync token moved out):
- FTS5 keeps a deleted row's terms in its old segments (folded, prefix-compressed: "ielona" after
  "zenobia") until a merge rewrites them; ``search.merge_deleted`` merges every segment into one of live
  rows only, ``reset_search`` drops the whole index (a wipe);
- the WAL keeps old page images until a checkpoint; ``checkpoint`` copies and truncates it;
- freed pages keep their bytes unless zeroed: every connection runs with ``secure_delete``
  (``fieldapp.store.db``), and ``vacuum`` rewrites the file with live pages only.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import Engine

from fieldapp.store import search
from fieldapp.store.db import raw

#: How long a checkpoint waits for readers before giving up (the caller retries later): a reader
#: holding the WAL would otherwise make it wait the store's whole busy timeout.
CHECKPOINT_WAIT_MS = 500


def reset_search(db: sqlite3.Connection) -> None:
    """Drop the search index with everything its segments held and create it empty (a wipe:
    deleting every row one by one would write a delete marker per row and keep the terms)."""
    db.execute(f"DROP TABLE IF EXISTS {search.TABLE}")
    search.create_index(db)


def checkpoint(engine: Engine, *, vacuum: bool = False) -> bool:
    """Copy the WAL into the file and truncate it (after a ``VACUUM`` if asked); False when a reader
    kept it from being truncated (old page images may still be in it: try again later)."""
    with engine.connect() as conn:
        db = raw(conn)
        (timeout,) = db.execute("PRAGMA busy_timeout").fetchone()
        db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        try:
            if vacuum:
                db.execute("VACUUM")
            busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.OperationalError:  # VACUUM refused while another connection writes
            busy = 1
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    return not busy
