"""Background sync: soon after a local change, when changes wait, and now and then to pull."""

from __future__ import annotations

import logging
import threading
import time

from fieldapp.retry import delay
from fieldapp.sync.engine import SyncEngine
from fieldapp.sync.errors import SyncError

log = logging.getLogger(__name__)

#: Failures that no retry can mend: the loop stops.
_FINAL = frozenset({"device_revoked", "not_enrolled", "unauthorized"})


class AutoSync:
    """Background sync: soon after a local change (``request()``), when changes wait, and every
    ``interval`` seconds to pull. Failures back off exponentially (with jitter, ``fieldapp.retry``):
    the n-th failure in a row waits ``min_delay * 2 ** n`` at most, up to ``max_backoff``; nothing it
    does can crash the app. A revoked or unenrolled device stops the loop."""

    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval: float = 300.0,
        poll: float = 30.0,
        min_delay: float = 2.0,
        max_backoff: float = 900.0,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.poll = poll
        self.min_delay = min_delay
        self.max_backoff = max_backoff
        self.failures = 0
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="teren-autosync", daemon=True)
            self._thread.start()

    def request(self) -> None:
        """Ask for a sync soon (after a local change)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        last_sync = 0.0
        wait = self.min_delay
        while not self._stop.is_set():
            requested = self._wake.wait(wait)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                due = time.monotonic() - last_sync >= self.interval
                if not (requested or due or self.engine.store.pending_changes()):
                    wait = self.poll
                    continue
                self.engine.sync()
                last_sync = time.monotonic()
                self.failures, self.last_error = 0, None
                wait = self.poll
            except SyncError as exc:
                self.last_error = exc.code
                if exc.code in _FINAL:
                    log.warning("automatic sync stops: %s", exc.code)
                    return
                wait = self._backoff()
            except Exception:
                log.exception("automatic sync failed")
                self.last_error = "unexpected"
                wait = self._backoff()

    def _backoff(self) -> float:
        self.failures += 1
        return delay(self.failures, 2 * self.min_delay, self.max_backoff)
