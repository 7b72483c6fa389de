"""The local audit log: who viewed, exported, erased or reviewed what, and when.

Rows hold ids only (record type and id, the acting user's id or a system actor such as
``retention``), never a name or any other personal data, so the log itself needs no erasure. It is
a plain table (migration 0006), not a synced record: each device keeps its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, text

from fieldapp.model import Contact, utcnow
from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.store import Store


class AuditAction(StrEnum):
    VIEWED = "viewed"
    EXPORTED = "exported"
    ERASED = "erased"
    ANONYMISED = "anonymised"  # by the retention rule
    APPROVED = "approved"
    RETURNED = "returned"
    CORRECTED = "corrected"
    RESTRICTED = "restricted"
    UNRESTRICTED = "unrestricted"
    REQUEST_REGISTERED = "request_registered"
    REQUEST_DONE = "request_done"
    LISTED = "listed"  # a list or search that showed the person


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str


def actor_of(store: Store, actor: str | None = None) -> str:
    """Who acts: the given id, else the device's signed-in user, else the device itself."""
    return actor or store.user_id or f"device:{store.device_id}"


def record(target: Store | Connection, action: str, target_type: str, target_id: str, actor: str) -> None:
    """Append one entry, inside ``target``'s transaction when it is a connection."""
    if isinstance(target, Store):
        with target.write() as conn:
            record(conn, action, target_type, target_id, actor)
        return
    target.execute(
        text(
            "INSERT INTO audit (at, actor, action, target_type, target_id) "
            "VALUES (:at, :actor, :action, :type, :id)"
        ),
        {
            "at": utcnow().isoformat(),
            "actor": actor,
            "action": str(action),
            "type": target_type,
            "id": target_id,
        },
    )


def shows_personal_data(contact: Contact) -> bool:
    """A person's card that shows personal data: a resident or leader, not erased, with a name,
    phone, e-mail or notes (an organisation's card or a building-only entry is not personal data)."""
    if contact.kind not in NATURAL_PERSON_KINDS or contact.erased_at is not None:
        return False
    return any(getattr(contact, name) for name in contact.personal_fields)


def record_view(store: Store, contact: Contact, actor: str | None = None) -> bool:
    """Log that a person's card was opened; True if it was logged (it holds personal data)."""
    if not shows_personal_data(contact):
        return False
    record(store, AuditAction.VIEWED, Contact.record_type, contact.id, actor_of(store, actor))
    return True


def record_listing(store: Store, contacts: list[Contact], actor: str | None = None) -> int:
    """Log that people were shown in a list, a search or a map ("listed"), once a day per person
    and user: the coordinator's "who looked" for a person covers lists too, and the log stays
    small. How many entries were added (people with personal data, not yet listed today)."""
    shown = [c.id for c in contacts if shows_personal_data(c)]
    if not shown:
        return 0
    who = actor_of(store, actor)
    today = utcnow().date().isoformat()
    with store.write() as conn:
        seen: set[str] = set()
        for start in range(0, len(shown), 500):
            part = shown[start : start + 500]
            marks = ", ".join(f":t{i}" for i in range(len(part)))
            rows = conn.execute(
                text(
                    "SELECT target_id FROM audit WHERE action = :action AND actor = :actor AND at >= :day "
                    f"AND target_type = 'contact' AND target_id IN ({marks})"
                ),
                {"action": str(AuditAction.LISTED), "actor": who, "day": today,
                 **{f"t{i}": cid for i, cid in enumerate(part)}},
            )
            seen.update(row[0] for row in rows)
        new = [cid for cid in dict.fromkeys(shown) if cid not in seen]
        for cid in new:
            record(conn, AuditAction.LISTED, Contact.record_type, cid, who)
    return len(new)


def entries(
    store: Store,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    actor: str | None = None,
    actions: list[str] | None = None,
    limit: int | None = 500,
) -> list[AuditEntry]:
    """Entries matching the filters, newest first (all of them with ``limit=None``)."""
    where, params = ["1 = 1"], {"limit": -1 if limit is None else limit}  # SQLite: -1 = no limit
    for column, value in (("target_type", target_type), ("target_id", target_id), ("actor", actor)):
        if value is not None:
            where.append(f"{column} = :{column}")
            params[column] = value
    if actions:
        marks = ", ".join(f":a{i}" for i in range(len(actions)))
        where.append(f"action IN ({marks})")
        params.update({f"a{i}": str(a) for i, a in enumerate(actions)})
    sql = (
        "SELECT id, at, actor, action, target_type, target_id FROM audit "
        f"WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT :limit"
    )
    with store.engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    return [AuditEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5]) for r in rows]
