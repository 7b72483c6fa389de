"""Enrollment codes as an admin sees them (``teren-sync enrollments``, ``status``) and replaces
them (``teren-sync reissue``). Codes are made and redeemed in ``accounts``; wrong tries are limited
in ``throttle``.

A code someone guessed at (more wrong secrets than ``throttle.CODE_FREE``) still works from an
address with a clean record, but its user may have been told to wait: it is listed as
``needs_reissue``, and a reissue replaces it with a new code for the same user (the old one stops
working at once) in one step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sync.protocol import check_server_url
from sync.server import tables as t
from sync.server import throttle
from sync.server.accounts import Enrollment, new_code, now, split_code
from sync.server.clock import utc
from sync.server.db import Database


@dataclass(frozen=True)
class CodeState:
    """One enrollment code as listed for an admin (never its secret)."""

    lookup: str
    user_id: str
    user: str
    role: str
    state: str  # active, used, expired, replaced
    created_at: datetime
    expires_at: datetime
    wrong_attempts: int
    blocked_until: datetime | None
    needs_reissue: bool

    def as_json(self) -> dict[str, Any]:
        values = vars(self).items()
        return {k: v.isoformat(timespec="seconds") if isinstance(v, datetime) else v for k, v in values}


def _state(row: Any, at: datetime) -> str:
    if row.used_at is not None:
        return "used"
    if row.revoked_at is not None:
        return "replaced"
    return "expired" if utc(row.expires_at) <= at else "active"


def codes(db: Database, *, everything: bool = False) -> list[CodeState]:
    """Codes still redeemable, and every code someone guessed at (``everything``: all), oldest first."""
    query = (
        sa.select(t.enrollment, t.account.c.name.label("user"), t.account.c.role)
        .join(t.account, t.account.c.id == t.enrollment.c.account_id)
        .order_by(t.enrollment.c.created_at)
    )
    at = now()
    listed = []
    with db.read() as conn:
        for row in conn.execute(query):
            state = _state(row, at)
            blocked = utc(row.blocked_until) if row.blocked_until is not None else None
            guessed = row.attempts > throttle.CODE_FREE
            if not (everything or state == "active" or guessed):
                continue
            listed.append(
                CodeState(
                    lookup=row.id,
                    user_id=row.account_id,
                    user=row.user,
                    role=row.role,
                    state=state,
                    created_at=utc(row.created_at),
                    expires_at=utc(row.expires_at),
                    wrong_attempts=row.attempts,
                    blocked_until=blocked if blocked is not None and blocked > at else None,
                    needs_reissue=state == "active" and guessed,
                )
            )
    return listed


def reissue(
    db: Database,
    code: str,
    *,
    server_url: str | None = None,
    ttl: timedelta | None = None,
    insecure_http: bool = False,
) -> Enrollment:
    """Replace an unused code (given by its lookup part, as listed, or whole) with a new one for the
    same user: the old one is refused from now on (``enrollment_expired``, "replaced"). The new
    code's QR carries ``server_url``, else the old code's address; it lasts ``ttl``, else as long as
    the old one was meant to. ValueError when there is no such unused code or no usable address."""
    lookup, _secret = split_code(code)
    with db.write() as conn:
        query = sa.select(t.enrollment).where(t.enrollment.c.id == lookup)
        row = conn.execute(query.with_for_update()).first()
        if row is None:
            raise ValueError(f"no enrollment code {lookup}")
        if row.used_at is not None:
            raise ValueError(
                f"code {lookup} was used: that device is enrolled (revoke it with 'teren-sync revoke'; "
                "'teren-sync enroll' makes a code for another device)"
            )
        address = server_url or row.server_url
        if not address:
            raise ValueError(f"code {lookup} was made before codes kept their address: give --server")
        address = check_server_url(address, insecure_http=insecure_http)
        conn.execute(sa.update(t.enrollment).where(t.enrollment.c.id == lookup).values(revoked_at=now()))
        lasting = ttl or (utc(row.expires_at) - utc(row.created_at))
        return new_code(conn, row.account_id, address, lasting, row.created_by)
