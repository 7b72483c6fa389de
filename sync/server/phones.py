"""What supervisors see of every phone (``GET /v1/phones``, ``teren-sync phones``, ``status``): what
each phone last reported of itself (``POST /v1/state`` after every sync) beside what the service
knows of it (revocation, wipe confirmation, erasures it has pulled or not).

A phone's queue *stalls* when it holds unsent changes and the oldest of them has waited longer than
``STALL_AFTER`` (a phone offline for days, or one whose pushes keep failing): the view flags it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sync.protocol import APP_HEADER, PROTOCOL_HEADER, SCHEMA_HEADER, ErrorCode
from sync.server import tables as t
from sync.server.accounts import PROGRAM_ROLES, DeviceContext
from sync.server.clock import utc
from sync.server.db import Database, insert_ignoring_known
from sync.server.errors import ApiError

#: Unsent changes older than this make a phone's queue "stalled".
STALL_AFTER = timedelta(hours=24)
#: What a phone reports of itself, and the limits of each value.
REPORTED = (
    "last_push_at",
    "last_pull_at",
    "pending",
    "oldest_pending_at",
    "checksum_state",
    "checksum_at",
    "clock_offset_ms",
    "cursor",
)


def report(db: Database, device: DeviceContext, state: dict[str, Any], headers: Any) -> None:
    """Keep what ``device`` reports of itself (``sync.protocol.PhoneReport`` as a dict) and the
    versions its request carried."""
    row = {name: state.get(name) for name in REPORTED}
    row.update(
        device_id=device.id,
        reported_at=datetime.now(UTC),
        app_version=(headers.get(APP_HEADER) or "")[:40] or None,
        schema=(headers.get(SCHEMA_HEADER) or "")[:64] or None,
        protocol=int(headers[PROTOCOL_HEADER]) if (headers.get(PROTOCOL_HEADER) or "").isdigit() else None,
    )
    with db.write() as conn:
        conn.execute(
            insert_ignoring_known(conn, t.device_state),
            [{"device_id": device.id, "reported_at": row["reported_at"]}],
        )
        conn.execute(sa.update(t.device_state).where(t.device_state.c.device_id == device.id).values(**row))


def confirm_wipe(db: Database, device: DeviceContext) -> None:
    """A revoked phone says it wiped its data (its last request). A phone still in use cannot: its
    "wiped" would tell supervisors that data is gone which is not."""
    now = datetime.now(UTC)
    with db.write() as conn:
        revoked = conn.execute(sa.select(t.device.c.revoked_at).where(t.device.c.id == device.id)).scalar()
        if revoked is None:
            raise ApiError(403, ErrorCode.FORBIDDEN, "only a revoked device confirms its wipe")
        conn.execute(
            insert_ignoring_known(conn, t.device_state), [{"device_id": device.id, "reported_at": now}]
        )
        conn.execute(
            sa.update(t.device_state)
            .where(t.device_state.c.device_id == device.id)
            .values(wipe_confirmed_at=now)
        )


def phones(
    db: Database, *, program_id: str | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every phone (of ``program_id``) with its state, oldest enrollment first."""
    d, a, s = t.device, t.account, t.device_state
    query = (
        sa.select(
            d.c.id,
            d.c.client_device_id,
            d.c.name,
            d.c.last_seen_at,
            d.c.revoked_at,
            a.c.id.label("user_id"),
            a.c.name.label("user"),
            a.c.role,
            a.c.team_id,
            a.c.program_id,
            *(
                s.c[name]
                for name in (
                    "reported_at",
                    "app_version",
                    "protocol",
                    "schema",
                    "last_push_at",
                    "last_pull_at",
                    "pending",
                    "oldest_pending_at",
                    "checksum_state",
                    "checksum_at",
                    "clock_offset_ms",
                    "cursor",
                    "wipe_confirmed_at",
                )
            ),
        )
        .join(a, a.c.id == d.c.account_id)
        .outerjoin(s, s.c.device_id == d.c.id)
        .order_by(d.c.created_at)
    )
    if program_id is not None:
        query = query.where(a.c.program_id == program_id)
    now = now or datetime.now(UTC)
    with db.read() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
        erased = conn.execute(
            sa.select(t.record.c.program_id, t.record.c.team_id, t.record.c.seq).join(
                t.erased_contact,
                (t.record.c.record_type == "contact") & (t.record.c.id == t.erased_contact.c.id),
            )
        ).all()
    listed = []
    for row in rows:
        wide = row["role"] in PROGRAM_ROLES
        mine = [
            seq
            for program, team, seq in erased
            if program == row["program_id"] and (wide or team == row["team_id"])
        ]
        cursor = row["cursor"] if row["cursor"] is not None else -1
        row["erasures_acknowledged"] = sum(seq <= cursor for seq in mine)
        row["erasures_pending"] = sum(seq > cursor for seq in mine)
        oldest = row["oldest_pending_at"]
        row["oldest_pending_age_s"] = (
            int((now - utc(oldest)).total_seconds()) if oldest and row["pending"] else None
        )
        row["stalled"] = bool(
            row["revoked_at"] is None
            and row["pending"]
            and oldest is not None
            and now - utc(oldest) > STALL_AFTER
        )
        row.pop("program_id")
        row["schema_signature"] = row.pop("schema")
        listed.append({k: (utc(v).isoformat() if isinstance(v, datetime) else v) for k, v in row.items()})
    return listed
