"""After a push that carried an erasure, the erased values also leave the service's files.

Merging an erasure overwrites the person's fields, but the old values stay in SQLite's WAL (until a
checkpoint) and in PostgreSQL's dead tuples (until a vacuum). ``Purger.after_push`` notices an
erasure among a push's changes and asks a background worker to run ``Database.purge_deleted``.

Why a worker and not the request's thread: the push is answered without waiting (a PostgreSQL
``VACUUM`` of a large ``record`` table takes seconds, a SQLite checkpoint waits for readers);
erasures arriving close together are purged by one run; and only one purge runs at a time per
process. A SQLite checkpoint that readers kept busy is retried a few times, then left to the next
erasure (the service's normal checkpoints move the WAL on meanwhile).

PostgreSQL: after the vacuum no tuple, live or dead, holds an erased value, but PostgreSQL does not
zero the space a pruned tuple leaves in its page, and ``pg_wal`` keeps old page images until its
segments are recycled. ``VACUUM FULL`` would rewrite the tables, but holds an exclusive lock that
stops every push and pull meanwhile; it is left to operators (e.g. in a maintenance window).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from sync.server.db import Database
from sync.server.push_body import IncomingChange

log = logging.getLogger(__name__)


def carries_erasure(changes: Iterable[IncomingChange]) -> bool:
    """True when a change sets a contact's ``erased_at``, or takes a file off an attachment (an
    erasure's reset, a deletion): then files nothing names any more leave the storage too."""
    return any(
        (c.record_type == "contact" and c.fields.get("erased_at"))
        or (
            c.record_type == "attachment"
            and (c.op == "delete" or c.fields.get("deleted") or c.fields.get("sha256") == "")
        )
        for c in changes
    )


class Purger:
    """Runs ``db.purge_deleted`` in a daemon thread, started when needed, ending when idle."""

    def __init__(
        self,
        db: Database,
        *,
        attempts: int = 8,
        retry_delay: float = 0.25,
        after_purge: Callable[[], object] | None = None,
    ) -> None:
        self.db = db
        #: Run after each purge: removes the files of erased people (``sync.server.files``).
        self.after_purge = after_purge
        self.attempts = attempts
        self.retry_delay = retry_delay
        self._cond = threading.Condition()
        self._pending = False
        self._running = False
        #: Completed purges (for tests and operators).
        self.runs = 0

    def after_push(self, changes: Iterable[IncomingChange]) -> bool:
        """Schedule a purge if the push held an erasure; True if it did."""
        if not carries_erasure(changes):
            return False
        self.request()
        return True

    def request(self) -> None:
        with self._cond:
            self._pending = True
            if not self._running:
                self._running = True
                threading.Thread(target=self._work, daemon=True, name="teren-purge").start()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no purge is pending or running; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not (self._pending or self._running), timeout)

    def _work(self) -> None:
        while True:
            with self._cond:
                if not self._pending:
                    self._running = False
                    self._cond.notify_all()
                    return
                self._pending = False
            self._purge()
            self._after()

    def _after(self) -> None:
        if self.after_purge is None:
            return
        try:
            self.after_purge()
        except Exception:
            log.exception("removing the files of erased people failed; the next erasure tries again")

    def _purge(self) -> None:
        for attempt in range(self.attempts):
            try:
                if self.db.purge_deleted():
                    self.runs += 1
                    return
            except Exception:
                log.exception("purging erased values from the database failed")
                return
            time.sleep(self.retry_delay * (attempt + 1))
        log.warning("readers kept the WAL busy: erased values leave it at the next erasure's purge")
