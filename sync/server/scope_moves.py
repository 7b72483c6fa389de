"""Scope changes made on the service: a user moved to another team, a zone given to another team.

Devices need no reset for either. A moved zone's records get the new team and new seqs, so the new
team's devices pull them as any change; the old team's devices find their checksum no longer
matches (the team's sums lost them) and re-pull those kinds, which evicts them
(``fieldapp.sync.verify``). A moved user's devices likewise find every kind differing and get the
new team's records while the old team's leave. Edits made before a move, by a moved user on records
of the team they left or by the old team's phones on a moved zone's records, are still taken at
their next push (``may_finish_edit``), so a move never loses unsent work; records created after a
user's move go to the new team.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from fieldapp.model.registry import RECORD_TYPES
from sync import hlc as hlcs_
from sync.server import record_sums
from sync.server import tables as t
from sync.server.clock import utc
from sync.server.db import Database
from sync.server.record_rows import COLUMNS

#: Kinds that name their zone, and those that name a contact (moved with the contact's zone).
_ZONED = tuple(sorted(name for name, model in RECORD_TYPES.items() if "zone_id" in model.data_fields()))
_OF_CONTACT = tuple(
    sorted(name for name, model in RECORD_TYPES.items() if "contact_id" in model.data_fields())
)


def move_user(db: Database, user_id: str, team_id: str) -> None:
    """Put a user in another team of their program (ValueError: no such user or team)."""
    with db.write() as conn:
        user = conn.execute(
            sa.select(t.account.c.program_id, t.account.c.team_id).where(t.account.c.id == user_id)
        ).first()
        team = conn.execute(sa.select(t.team.c.program_id).where(t.team.c.id == team_id)).scalar()
        if user is None:
            raise ValueError(f"no user {user_id}")
        if team is None or team != user.program_id:
            raise ValueError(f"no team {team_id} in the user's program")
        if user.team_id == team_id:
            return
        conn.execute(
            sa.update(t.account)
            .where(t.account.c.id == user_id)
            .values(team_id=team_id, previous_team_id=user.team_id, moved_at=datetime.now(UTC))
        )


def moved_from(conn: sa.Connection, record_type: str, record_id: str) -> tuple[str | None, int] | None:
    """The team a zone's reassignment took this record from, and when (ms); None if none did."""
    found = conn.execute(
        sa.select(t.record_move.c.from_team_id, t.record_move.c.moved_at).where(
            (t.record_move.c.record_type == record_type) & (t.record_move.c.id == record_id)
        )
    ).first()
    if found is None:
        return None
    return found.from_team_id, int(utc(found.moved_at).timestamp() * 1000)


def may_finish_edit(
    previous_team_id: str | None, moved_at_ms: int | None, record_team: str | None, stamps: list[str]
) -> bool:
    """An edit of a record of the team its user left, written before the move: taken."""
    if previous_team_id is None or moved_at_ms is None or record_team != previous_team_id:
        return False
    return all(hlcs_.is_valid(stamp) and hlcs_.wall_ms(stamp) <= moved_at_ms for stamp in stamps)


def reassign_zone(db: Database, zone_id: str, team_id: str) -> int:
    """Give a zone, the records in it and those of its contacts to another team of its program; how
    many records moved (ValueError: no such zone or team)."""
    with db.write(serial=True) as conn:
        seq = conn.execute(
            sa.select(t.counter.c.value).where(t.counter.c.name == "change").with_for_update()
        ).scalar_one()
        zone = conn.execute(
            sa.select(t.record.c.program_id).where(
                (t.record.c.record_type == "zone") & (t.record.c.id == zone_id)
            )
        ).scalar()
        if zone is None:
            raise ValueError(f"no zone {zone_id}")
        team = conn.execute(sa.select(t.team.c.program_id).where(t.team.c.id == team_id)).scalar()
        if team != zone:
            raise ValueError(f"no team {team_id} in the zone's program")
        rows = _program_rows(conn, zone, tuple({"zone", *_ZONED, *_OF_CONTACT}))
        in_zone = [r for r in rows if (r["record_type"], r["id"]) == ("zone", zone_id) or _zone(r) == zone_id]
        contacts = {r["id"] for r in in_zone if r["record_type"] == "contact"}
        # A contact's records without a zone of their own (its consents, visits) go with it.
        of_contacts = [r for r in rows if _zone(r) is None and r["data"].get("contact_id") in contacts]
        moved = [r for r in (*in_zone, *of_contacts) if r["team_id"] != team_id]
        deltas: record_sums.Deltas = {}
        updates = []
        now = datetime.now(UTC)
        moves = []
        for row in moved:
            moves.append(
                {
                    "record_type": row["record_type"],
                    "id": row["id"],
                    "from_team_id": row["team_id"],
                    "moved_at": now,
                }
            )
            record_sums.note(deltas, record_sums.key_of(row), -1, -row["hash"])
            seq += 1
            row.update(team_id=team_id, seq=seq)
            record_sums.note(deltas, record_sums.key_of(row), 1, row["hash"])
            updates.append({"k_type": row["record_type"], "k_id": row["id"], "team_id": team_id, "seq": seq})
        if updates:
            conn.execute(
                sa.update(t.record)
                .where(
                    (t.record.c.record_type == sa.bindparam("k_type"))
                    & (t.record.c.id == sa.bindparam("k_id"))
                )
                .values(team_id=sa.bindparam("team_id"), seq=sa.bindparam("seq")),
                updates,
            )
            record_sums.apply(conn, deltas)
            keys = [(m["record_type"], m["id"]) for m in moves]
            conn.execute(
                sa.delete(t.record_move).where(
                    sa.tuple_(t.record_move.c.record_type, t.record_move.c.id).in_(keys)
                )
            )
            conn.execute(sa.insert(t.record_move), moves)
            conn.execute(sa.update(t.counter).where(t.counter.c.name == "change").values(value=seq))
    return len(updates)


def _zone(row: dict[str, Any]) -> Any:
    return row["data"].get("zone_id")


def _program_rows(conn: sa.Connection, program_id: str, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    query = sa.select(*(t.record.c[name] for name in COLUMNS)).where(
        (t.record.c.program_id == program_id) & t.record.c.record_type.in_(kinds)
    )
    rows = []
    for values in conn.execute(query):
        row = dict(zip(COLUMNS, values, strict=True))
        rows.append(row)
    return rows
