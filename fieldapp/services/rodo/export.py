"""Access request (RODO art. 15): everything stored about one person, as JSON.

The export covers the contact itself, its consent history, the visits to it, the resources,
attendance, memberships, partner rows and follow-up tasks naming it, the actions it organised or
partnered, the reviews of its visits, the photos and scans naming it (what each file is) and this
device's audit-log entries about it (when its data was viewed, exported, erased…). Tombstoned rows
are included (flagged ``deleted``): they are still stored. Each row is written with its data fields,
id, creation time and ``deleted``.

It holds the person's own data only (art. 15(4): a copy must not disclose others): an action
shared with other organisers says the person's ``roles`` in it instead of everyone's contact ids,
and the staff's user ids and names (who knocked, reviewed, recorded the consent, was assigned a
task, opened the card) are left out.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, select

from fieldapp.errors import NotFound
from fieldapp.model import (
    Attachment,
    Attendance,
    Consent,
    Contact,
    EditionItem,
    FollowUpTask,
    GroupMember,
    NeighbourhoodAction,
    Partner,
    PlacePartner,
    Resource,
    Review,
    SyncedRecord,
    Visit,
    to_wire,
    utcnow,
)
from fieldapp.services.rodo.audit import AuditAction, actor_of, entries, record
from fieldapp.store import Store

#: /2: an action says the person's roles, not every organiser's id; staff ids left out; audit entries added.
EXPORT_FORMAT = "teren.person-export/2"

#: Record types that name a person by ``contact_id``, under their key in the export.
_BY_CONTACT: tuple[tuple[str, type[SyncedRecord]], ...] = (
    ("consents", Consent),
    ("visits", Visit),
    ("resources", Resource),
    ("attendance", Attendance),
    ("memberships", GroupMember),
    ("partners", Partner),
    ("tasks", FollowUpTask),
    ("editions", EditionItem),
    ("place_partners", PlacePartner),
    # Photos and scans showing or naming them: what each file is (its bytes stay in the files
    # folder, named by ``sha256``).
    ("files", Attachment),
)


#: Fields naming someone other than the person: other contacts' ids, staff user ids and names.
_OTHERS = frozenset({"organiser_ids", "partner_ids", "animator_id", "reviewer_id", "assignee_id",
                     "recorded_by"})


def _row(record: SyncedRecord) -> dict[str, Any]:
    data = {name: to_wire(value) for name, value in record.data().items() if name not in _OTHERS}
    return {
        "id": record.id,
        "record_type": record.record_type,
        "created_at": to_wire(record.created_at),
        "deleted": record.deleted,
        **data,
    }


def _actions(session: Session, contact_id: str) -> list[NeighbourhoodAction]:
    # The id lists are JSON arrays; a LIKE narrows the rows, the Python check is exact.
    pattern = f'%"{contact_id}"%'
    rows = session.exec(
        select(NeighbourhoodAction).where(
            cast(NeighbourhoodAction.organiser_ids, String).like(pattern)
            | cast(NeighbourhoodAction.partner_ids, String).like(pattern)
        )
    ).all()
    return [a for a in rows if contact_id in a.organiser_ids or contact_id in a.partner_ids]


def _action_row(action: NeighbourhoodAction, contact_id: str) -> dict[str, Any]:
    """An action the person took part in: its own fields and the person's roles, no one else's ids."""
    roles = [role for role, ids in (("organiser", action.organiser_ids), ("partner", action.partner_ids))
             if contact_id in ids]
    return {**_row(action), "roles": roles}


def _audit(store: Store, contact_id: str) -> list[dict[str, Any]]:
    """The audit entries about the person, oldest first: when and what, not which staff member."""
    about = entries(store, target_type=Contact.record_type, target_id=contact_id, limit=None)
    return [{"at": to_wire(e.at), "action": e.action} for e in reversed(about)]


def export_person(store: Store, contact_id: str, *, by: str | None = None) -> dict[str, Any]:
    """Everything stored about ``contact_id`` (JSON-serialisable); audited as "exported"."""
    with store.read() as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFound(Contact.record_type, contact_id)
        result: dict[str, Any] = {
            "format": EXPORT_FORMAT,
            "exported_at": to_wire(utcnow()),
            "contact": _row(contact),
        }
        for key, model in _BY_CONTACT:
            rows = session.exec(
                select(model)
                .where(model.contact_id == contact_id)  # type: ignore[attr-defined]
                .order_by(model.created_at, model.id)
            ).all()
            result[key] = [_row(r) for r in rows]
        result["actions"] = [_action_row(a, contact_id) for a in _actions(session, contact_id)]
        visit_ids = [v["id"] for v in result["visits"]]
        reviews = (
            session.exec(
                select(Review).where(Review.target_type == "visit", Review.target_id.in_(visit_ids))
            ).all()  # type: ignore[attr-defined]
            if visit_ids
            else []
        )
        result["reviews"] = [_row(r) for r in reviews]
    result["audit"] = _audit(store, contact_id)
    with store.write() as conn:
        record(conn, AuditAction.EXPORTED, Contact.record_type, contact_id, actor_of(store, by))
    return result


def export_person_json(store: Store, contact_id: str, *, by: str | None = None) -> bytes:
    """The export as UTF-8 JSON (Polish letters kept readable), ready to hand to the person."""
    data = export_person(store, contact_id, by=by)
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
