"""The database's epoch: a random number that changes when the database is restored from a backup.

A device keeps the epoch of the pulls it merged. A restore takes the service back in time: the
change counter falls below the cursors of devices that synced after the backup, and changes pushed
since then are gone from the service. New pushes then reuse those sequence numbers, so a device
paging from its old cursor would skip them for good. A new epoch tells the device to start again:
pull everything, and send again what it wrote itself (``fieldapp.sync.pull``). It is the one row of
``service_epoch`` (migration 0009), so a backup carries its epoch and ``renew`` after a restore
(``sync.server.backup``) makes it differ from what any device holds.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa

from sync.server import tables as t


def fresh() -> int:
    """A new epoch: random, positive, exact as a JSON number in any client (below 2**53)."""
    return secrets.randbelow(2**53 - 1) + 1


def renew(conn: sa.Connection) -> int:
    """Give the database a new epoch (in the caller's transaction); returns it."""
    value = fresh()
    conn.execute(sa.delete(t.service_epoch))
    conn.execute(sa.insert(t.service_epoch).values(value=value, started_at=datetime.now(UTC)))
    return value


#: The epoch as a scalar subquery (a pull reads it with the change counter, in one statement).
CURRENT = sa.select(t.service_epoch.c.value).limit(1).scalar_subquery()
