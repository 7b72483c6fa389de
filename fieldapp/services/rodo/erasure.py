"""Erasure of a person (RODO art. 17): personal data gone everywhere, the statistics kept.

``erase_person`` clears, in ONE transaction, the contact's personal fields (``Contact.personal_fields``
and the flat in its address) and sets ``erased_at``; the personal fields and flat of the visits to
them; their consents' notes; the name and description of local resources that are them; the
comments of reviews of their visits (a supervisor's comment may quote the person); their photos and
scans (the attachments naming them lose their file, whose bytes leave the device); and their network
links (``erase_person_links``: attendance and memberships stay and keep counting, anonymously).
It also takes them out of the search index. Every change goes through ``store.save``, so it reaches
the outbox and syncs like any edit; the service lets ``erased_at`` beat later edits of the contact.

What stays: the contact row with its kind, zone and street (contacts reached by kind), the visits
with their outcome, time and place without the flat (door-knocks by outcome, coverage), head-counts,
and ids in actions' organiser/partner lists (who carried out actions, by kind).

After the commit ``purge_deleted_content`` makes the old values really leave the file: FTS5 keeps
deleted terms in old segments until an ``optimize`` merge, and the WAL keeps old page images until a
checkpoint. ``PRAGMA secure_delete`` (set by the store on every connection) zeroes freed content.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlmodel import Session, select

from fieldapp.errors import Errors, NotFound
from fieldapp.model import (
    Attendance,
    Consent,
    Contact,
    EditionItem,
    FollowUpTask,
    GroupMember,
    Partner,
    PlacePartner,
    Resource,
    Review,
    SyncedRecord,
    Visit,
    utcnow,
)
from fieldapp.services.attachments import erase_files_of
from fieldapp.services.cooperation.erasure import ErasedLinks, erase_person_links
from fieldapp.services.rodo.audit import AuditAction, actor_of, record
from fieldapp.services.roles import is_supervisor
from fieldapp.store import Store, blobs, scrub, search
from fieldapp.store.db import raw

#: How many erased contacts the file held at its last purge (a pull may bring new erasures).
META_PURGED_ERASURES = "rodo.purged_erasures"


@dataclass(frozen=True)
class ErasureResult:
    contact_id: str
    visits: int
    consents: int
    resources: int
    reviews: int
    links: ErasedLinks
    #: False when a reader kept the WAL from being truncated (retry ``purge_deleted_content``).
    purged: bool


def _blank(record: SyncedRecord, names: tuple[str, ...]) -> list[str]:
    """Set each named field to its empty value; the names that changed."""
    changed = []
    for name in names:
        empty = None if name.endswith("_id") else ""
        if getattr(record, name) != empty:
            setattr(record, name, empty)
            changed.append(name)
    return changed


def _without_flat(record: Contact | Visit) -> list[str]:
    """Drop the flat from the record (and the "/flat" suffix of its street line)."""
    changed = []
    if record.flat and record.address.endswith(f"/{record.flat}"):
        record.address = record.address.removesuffix(f"/{record.flat}")
        changed.append("address")
    return [*changed, *_blank(record, ("flat",))]


def _save(store: Store, conn: Connection, record: SyncedRecord, changed: list[str]) -> None:
    if changed:
        store.save(conn, record, changed)


def erase_in(
    store: Store, conn: Connection, contact: Contact, *, by: str, action: str | None
) -> ErasureResult:
    """The erasure's writes inside the caller's transaction ``conn`` (no purge)."""
    with Session(bind=conn) as session:
        visits = list(session.exec(select(Visit).where(Visit.contact_id == contact.id)).all())
        consents = list(session.exec(select(Consent).where(Consent.contact_id == contact.id)).all())
        resources = list(session.exec(select(Resource).where(Resource.contact_id == contact.id)).all())
        visit_ids = [v.id for v in visits]
        reviews = (
            list(
                session.exec(
                    select(Review).where(Review.target_type == "visit", Review.target_id.in_(visit_ids))
                ).all()
            )  # type: ignore[attr-defined]
            if visit_ids
            else []
        )
        session.expunge_all()
    changed = _without_flat(contact) + _blank(contact, Contact.personal_fields)
    if contact.erased_at is None:
        contact.erased_at = utcnow()
        changed.append("erased_at")
    _save(store, conn, contact, changed)
    for visit in visits:
        _save(store, conn, visit, _without_flat(visit) + _blank(visit, Visit.personal_fields))
    for consent in consents:
        _save(store, conn, consent, _blank(consent, ("note",)))
    for resource in resources:
        _save(store, conn, resource, _blank(resource, ("contact_id", "name", "description")))
    for review in reviews:
        _save(store, conn, review, _blank(review, ("comment",)))
    links = erase_person_links(conn, store, contact.id)
    erase_files_of(store, conn, contact.id)
    rowid = raw(conn).execute("SELECT rowid FROM contact WHERE id = ?", (contact.id,)).fetchone()[0]
    search.unindex(raw(conn), [rowid])
    if action is not None:
        record(conn, action, Contact.record_type, contact.id, by)
    return ErasureResult(contact.id, len(visits), len(consents), len(resources), len(reviews), links, False)


def purge_deleted_content(store: Store) -> bool:
    """Make erased values leave the file: merge the FTS5 index, checkpoint and truncate the WAL
    (``fieldapp.store.scrub``).

    Run after the transaction that erased (or after a sync that pulled an erasure). True when the
    WAL was fully checkpointed and truncated.
    """
    blobs.collect(store)  # the photos and scans of erased people (``services.attachments``)
    with store.write() as conn:
        search.merge_deleted(raw(conn))
        erased = raw(conn).execute("SELECT count(*) FROM contact WHERE erased_at IS NOT NULL").fetchone()[0]
    if not scrub.checkpoint(store.engine):  # a reader held the WAL: ``settle_erasures`` retries
        return False
    store.set_meta(META_PURGED_ERASURES, str(erased))  # ids and counts only: nothing personal
    return True


def erase_person(store: Store, contact_id: str, *, by: str) -> ErasureResult:
    """Erase a person's personal data everywhere on this device (and, through sync, everywhere).

    Only supervisors and admins erase (an animator records a consent withdrawal instead, which
    clears the contact's own personal fields). ``by`` is the user id of whoever carried out the
    request (kept in the audit log, required).
    """
    errors = Errors()
    if not is_supervisor(store):
        errors.add("", "rodo_not_allowed")
    if not by or not by.strip():
        errors.add("by", "rodo_by_required")
    errors.raise_if_any()
    contact = store.get(Contact, contact_id)
    if contact is None:
        raise NotFound(Contact.record_type, contact_id)
    with store.write() as conn:
        result = erase_in(store, conn, contact, by=actor_of(store, by), action=AuditAction.ERASED)
    purged = purge_deleted_content(store)
    return ErasureResult(**{**result.__dict__, "purged": purged})


# -- after a sync ---------------------------------------------------------------------------------


def _filled(alias: str, names: tuple[str, ...]) -> str:
    return " OR ".join(f"coalesce({alias}.\"{name}\", '') != ''" for name in names)


def _unsettled_sql() -> str:
    """Erased contacts that something on the device still names or describes."""
    links = " UNION ALL ".join(
        f"SELECT contact_id FROM {model.__tablename__}"  # type: ignore[attr-defined]
        for model in (Attendance, GroupMember, Partner, FollowUpTask, Resource, EditionItem, PlacePartner)
    )
    return f"""
        SELECT c.id FROM contact c WHERE c.erased_at IS NOT NULL AND (
            {_filled("c", (*Contact.personal_fields, "flat"))}
            OR EXISTS (SELECT 1 FROM visit v WHERE v.contact_id = c.id
                       AND ({_filled("v", (*Visit.personal_fields, "flat"))}))
            OR EXISTS (SELECT 1 FROM consent k WHERE k.contact_id = c.id AND k.note != '')
            OR EXISTS (SELECT 1 FROM review w JOIN visit v ON w.target_type = 'visit' AND w.target_id = v.id
                       WHERE v.contact_id = c.id AND w.comment != '')
            OR EXISTS (SELECT 1 FROM attachment a WHERE a.contact_id = c.id AND a.sha256 != '')
            OR c.id IN ({links})
        )
    """


def settle_erasures(store: Store) -> int:
    """After a sync: re-erase what a pull brought back about erased people, purge new erasures.

    A teammate's edit made before they heard of the erasure (a visit's notes, a consent's note …)
    may arrive after it: the service resets only the erased contact's own fields. Such values are
    cleared again here and the clearing syncs. When the pull brought erasures not yet purged from
    this file, the FTS index is merged and the WAL truncated. Returns how many people were settled.
    """
    with store.engine.connect() as conn:
        ids = [row[0] for row in conn.execute(text(_unsettled_sql()))]
        erased = conn.execute(text("SELECT count(*) FROM contact WHERE erased_at IS NOT NULL")).scalar_one()
    for contact_id in ids:
        contact = store.get(Contact, contact_id)
        if contact is not None:
            with store.write() as conn:
                erase_in(store, conn, contact, by="", action=None)
    if ids or store.meta(META_PURGED_ERASURES) != str(erased):
        purge_deleted_content(store)
    return len(ids)
