"""Rate limits of enrollment: per client address and per code, with delays that grow.

An enrollment code is ``<lookup>-<secret>`` (``accounts``); its 100-bit secret cannot be guessed, so
the limits are there to slow guessing down without shutting the genuine user out (a code used to
lock for good after five wrong secrets, whoever sent them, and nobody was told):

- An address that sent more than ``ADDRESS_FREE`` wrong codes (unknown lookups included) waits
  ``FIRST_DELAY`` before its next try, twice as long after each further failure, at most
  ``ADDRESS_MAX_DELAY``; its failures are forgotten ``FORGET_AFTER`` the last one.
- A code whose secret was guessed wrong more than ``CODE_FREE`` times is blocked in the same way (at
  most ``CODE_MAX_DELAY``), but only for addresses that have guessed wrong themselves: from an
  address with a clean record the code is still checked, so the user holding it gets in while
  someone else is guessing at it. ``teren-sync enrollments`` shows such a code, and ``teren-sync
  reissue`` replaces it in one step.

A refused try is answered 429 ``rate_limited`` with ``Retry-After`` (seconds) and is not counted.
The state lives in the service's database (``enroll_throttle``, ``enrollment.blocked_until``), so
every process serving it applies the same limits. The client address is the connection's, or the
one a trusted reverse proxy reports (``teren-sync serve --forwarded-allow-ips``).
"""

from __future__ import annotations

import logging
import math
import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sync.protocol import ErrorCode
from sync.server import tables as t
from sync.server.clock import utc
from sync.server.db import insert_ignoring_known
from sync.server.errors import ApiError

log = logging.getLogger(__name__)

ADDRESS_FREE = 5
CODE_FREE = 3
FIRST_DELAY = timedelta(seconds=2)
ADDRESS_MAX_DELAY = timedelta(minutes=15)
CODE_MAX_DELAY = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=1)
#: Share of recorded failures that also delete addresses forgotten by now (keeps the table small).
PURGE_SHARE = 1 / 16


def delay(failures: int, free: int, cap: timedelta) -> timedelta:
    """How long to wait after the ``failures``-th wrong try: none for the first ``free``, then
    ``FIRST_DELAY`` doubling each time, at most ``cap``."""
    if failures <= free:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - free - 1, 30), cap)


def rate_limited(until: datetime, at: datetime, what: str) -> ApiError:
    """The 429 answer of a try refused until ``until``."""
    seconds = max(1, math.ceil((utc(until) - at).total_seconds()))
    return ApiError(
        429,
        ErrorCode.RATE_LIMITED,
        f"too many wrong enrollment codes {what}; try again in {seconds} s",
        {"retry_after": seconds},
        {"Retry-After": str(seconds)},
    )


def _address_state(
    conn: sa.Connection, address: str, at: datetime, lock: bool
) -> tuple[int, datetime | None]:
    """(failures not yet forgotten, blocked until) of an address."""
    row = t.enroll_throttle.c
    query = sa.select(row.failures, row.last_failure_at, row.blocked_until).where(row.address == address)
    found = conn.execute(query.with_for_update() if lock else query).first()
    if found is None or utc(found.last_failure_at) < at - FORGET_AFTER:
        return 0, None
    return found.failures, found.blocked_until


def check_address(conn: sa.Connection, address: str | None, at: datetime, *, lock: bool = False) -> int:
    """The address's failures not yet forgotten; ``rate_limited`` (429) while it must wait.
    ``lock``: hold the address's row to the end of the (write) transaction, so that tries from one
    address are judged one after another on every backend."""
    if address is None:
        return 0
    if lock:  # a row to lock (PostgreSQL locks no row that is not there)
        row = {"address": address, "failures": 0, "last_failure_at": at - FORGET_AFTER}
        conn.execute(insert_ignoring_known(conn, t.enroll_throttle).values(**row))
    failures, blocked_until = _address_state(conn, address, at, lock)
    if blocked_until is not None and utc(blocked_until) > at:
        raise rate_limited(blocked_until, at, "from this address")
    return failures


def check_code(code: Any, address_failures: int, at: datetime) -> None:
    """``rate_limited`` (429) when the code is blocked and this address guessed wrong before."""
    if code.blocked_until is not None and utc(code.blocked_until) > at and address_failures:
        raise rate_limited(code.blocked_until, at, "for this code")


def note_failure(conn: sa.Connection, address: str | None, code: Any | None, at: datetime) -> None:
    """Count a wrong try against the address and, when its lookup was right, the code."""
    if address is not None:
        failures = _address_state(conn, address, at, lock=False)[0] + 1
        wait = delay(failures, ADDRESS_FREE, ADDRESS_MAX_DELAY)
        values = {"failures": failures, "last_failure_at": at, "blocked_until": at + wait if wait else None}
        updated = conn.execute(
            sa.update(t.enroll_throttle).where(t.enroll_throttle.c.address == address).values(**values)
        )
        if not updated.rowcount:  # no row yet (a caller that did not lock the address)
            conn.execute(sa.insert(t.enroll_throttle).values(address=address, **values))
        if random.random() < PURGE_SHARE:
            forgotten = t.enroll_throttle.c.last_failure_at < at - FORGET_AFTER
            conn.execute(sa.delete(t.enroll_throttle).where(forgotten))
    if code is not None:
        attempts = code.attempts + 1
        wait = delay(attempts, CODE_FREE, CODE_MAX_DELAY)
        conn.execute(
            sa.update(t.enrollment)
            .where(t.enrollment.c.id == code.id)
            .values(attempts=attempts, last_failure_at=at, blocked_until=at + wait if wait else None)
        )
        if wait:
            log.warning(
                "enrollment code %s: %d wrong secrets; guessing addresses wait %s ('teren-sync "
                "enrollments' lists it, 'teren-sync reissue %s' replaces it)",
                code.id, attempts, wait, code.id,
            )


def forget_address(conn: sa.Connection, address: str | None) -> None:
    """An address that enrolled a device starts afresh."""
    if address is not None:
        conn.execute(sa.delete(t.enroll_throttle).where(t.enroll_throttle.c.address == address))
