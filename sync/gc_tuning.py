"""The garbage collector's settings while sync moves many records.

A push or a pull holds tens of thousands of young container objects (wire dicts, outbox groups,
rows) until a batch or page is done. At Python's default first threshold (700) the collector walks
them many times a batch, and the full collections it then triggers also walk every object of the
loaded modules: measured on a device pushing 20,000 records, ~13 µs a record (about a third of the
device's CPU) went to collections that found nothing. Sync creates no reference cycles worth
collecting early, so collecting every ``FIRST_THRESHOLD`` net allocations costs no memory that
counts.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: First-generation threshold while sync runs, and for good in the service process.
FIRST_THRESHOLD = 50_000

_lock = threading.Lock()
_holders = 0
_saved: tuple[int, int, int] | None = None


def tune_for_service() -> None:
    """Settings for a long-running service process: the objects of the loaded modules are moved
    out of the collector's sight (``gc.freeze``) and young objects are collected less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(FIRST_THRESHOLD, *gc.get_threshold()[1:])


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect young objects less often inside the block (the app's process shares the collector
    with its UI: the previous setting comes back when the last block using it ends)."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(FIRST_THRESHOLD, _saved[0]), *_saved[1:])
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
