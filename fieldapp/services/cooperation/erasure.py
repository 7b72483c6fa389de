"""Erasure of a person (RODO art. 17) from the network records.

The person's links are anonymised, not deleted: an attendance or membership row keeps counting in
the meeting's head-count and the group's size, but no longer says who it was. Tasks about the
person lose their text and are tombstoned. Called by the erasure service inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlmodel import Session, select

from fieldapp.model import (
    Attendance,
    EditionItem,
    FollowUpTask,
    GroupMember,
    Partner,
    PlacePartner,
    SyncedRecord,
    Volunteer,
)
from fieldapp.store import Store

#: Link records that point at a contact; their ``contact_id`` and personal fields are cleared.
#: An edition's carried person becomes one more in its anonymous count (the line keeps its count).
_LINKS: tuple[type[SyncedRecord], ...] = (
    Attendance, GroupMember, Partner, Volunteer, EditionItem, PlacePartner,
)


@dataclass(frozen=True)
class ErasedLinks:
    attendance: int = 0
    memberships: int = 0
    partners: int = 0
    tasks: int = 0
    volunteering: int = 0


def _rows(session: Session, model: type[SyncedRecord], contact_id: str) -> list[SyncedRecord]:
    # Tombstoned rows too: a deleted link still names the person.
    return list(session.exec(select(model).where(model.contact_id == contact_id)).all())  # type: ignore[attr-defined]


def _clear(record: SyncedRecord, names: tuple[str, ...]) -> list[str]:
    changed = []
    for name in names:
        empty = None if name == "contact_id" else ""
        if getattr(record, name) != empty:
            setattr(record, name, empty)
            changed.append(name)
    return changed


def erase_person_links(conn: Connection, store: Store, contact_id: str) -> ErasedLinks:
    """Anonymise every network link of ``contact_id`` inside the caller's transaction ``conn``."""
    counts: dict[type[SyncedRecord], int] = {}
    with Session(bind=conn) as session:
        found = {model: _rows(session, model, contact_id) for model in (*_LINKS, FollowUpTask)}
        session.expunge_all()
    for model in _LINKS:
        for record in found[model]:
            store.save(conn, record, _clear(record, ("contact_id", *model.personal_fields)))
        counts[model] = len(found[model])
    for task in found[FollowUpTask]:
        changed = _clear(task, ("contact_id", *FollowUpTask.personal_fields))
        if not task.deleted:
            task.deleted = True
            changed.append("deleted")
        store.save(conn, task, changed)
    return ErasedLinks(
        attendance=counts[Attendance],
        memberships=counts[GroupMember],
        partners=counts[Partner],
        tasks=len(found[FollowUpTask]),
        volunteering=counts[Volunteer],
    )
