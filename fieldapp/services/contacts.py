"""Contacts: people and organisations met in the field.

RODO: a natural person's personal fields (``Contact.personal_fields``) are stored only with a
current consent to store data; without it only what describes the building (street, number,
city, zone, "do not knock") is kept. Positions and zones are derived on save (``geo.positions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import text as sql_text
from sqlmodel import func, select

from fieldapp.errors import Errors, NotFound
from fieldapp.geo.positions import place_fields
from fieldapp.i18n import t
from fieldapp.model import Consent, Contact, FollowUpTask, Visit, Zone
from fieldapp.model.fields import today
from fieldapp.services.buildings import street_zone
from fieldapp.services.consent import allows, allows_storing, is_person, latest_consent, parse_consent
from fieldapp.services.validation import (
    apply_changes,
    check_exists,
    delete_record,
    get_live,
    parse,
    parsers_for,
)
from fieldapp.store import Store

#: What the contact form edits (the position's state and the erasure are kept by the app).
CONTACT_PARSERS = parsers_for(
    Contact,
    *(
        name
        for name in Contact.data_fields()
        if name not in ("position_status", "erased_at", "restricted_at")
    ),
)


@dataclass
class ContactDetail:
    """One contact with what its screen shows: current consent and visit history (newest first)."""

    contact: Contact
    consent: Consent | None
    visits: list[Visit] = field(default_factory=list)


def _check(
    session: Any, clean: dict[str, Any], kind: str, consent: Consent | None, errors: Errors
) -> None:
    """Rules across fields: a zone that exists, an organisation's name, personal data and consent
    (each scope for the fields it covers)."""
    may_store = allows_storing(consent)
    may = {scope: allows(consent, scope) for scope in ("contact", "special")}
    check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    if not is_person(kind):
        name_refused = any(error.field == "name" for error in errors.items)  # e.g. too long: say that
        if "name" in clean and not clean["name"] and not name_refused:
            errors.add("name", "name_required")
        return
    if not may_store:
        # Art. 14: a person recorded without being met (``data_source`` says where from) may be
        # kept by name and public contact data under the program's legitimate interest until
        # informed (a task due within a month); nothing else about them.
        allowed = ART14_FIELDS if clean.get("data_source") else ()
        for name in Contact.personal_fields:
            if clean.get(name) and name not in allowed:
                errors.add(name, "consent_required")
        return
    for name, scope in (*((n, "contact") for n in Contact.contact_fields), ("special_notes", "special")):
        if clean.get(name) and not may.get(scope):
            errors.add(name, f"consent_{scope}_required")


#: What may be kept about a person recorded without being met, before they are informed.
ART14_FIELDS = ("name", "phone", "email")
#: Art. 14(3)(a): a person whose data was not collected from them is told within a month.
ART14_NOTICE_DAYS = 30


def art14_notice_task(store: Store, conn: Any, contact: Contact) -> FollowUpTask:
    """A task to give the information clause to a person recorded without being met (art. 14),
    due within a month; the contact's ``data_source`` says where the data came from."""
    task = FollowUpTask(
        contact_id=contact.id,
        title=t("art14.task_title"),
        due_on=today() + timedelta(days=ART14_NOTICE_DAYS),
        assignee_id=store.user_id,
    )
    return store.save(conn, task)


def create_contact(store: Store, data: dict[str, Any], consent: dict[str, Any] | None = None) -> Contact:
    """A new contact; for a natural person with ``consent`` (the answer given at the door).

    Without consent given with the "store my data" scope, a person's personal fields must be empty.
    """
    errors = Errors()
    clean = parse(data, CONTACT_PARSERS, errors, required=("kind",))
    kind = clean.get("kind", "")
    consent_clean: dict[str, Any] | None = None
    if consent is not None:
        if is_person(kind):
            consent_clean = parse_consent(consent, errors, store)
        elif kind:
            errors.add("", "consent_not_for_organisation")
    given = Consent(contact_id="", **consent_clean) if consent_clean is not None else None
    clean.setdefault("name", "")
    with store.read() as session:
        _check(session, clean, kind, given, errors)
    errors.raise_if_any()
    contact = Contact(**clean)
    if not contact.zone_id and contact.lat is None and contact.street:
        # No position to find the zone by (yet): the zone the street's known places lie in.
        contact.zone_id = street_zone(store, contact.street)
    with store.write() as conn:
        place_fields(conn, contact)
        store.save(conn, contact)
        if consent_clean is not None:
            store.save(conn, Consent(contact_id=contact.id, **consent_clean))
        if is_person(kind) and clean.get("data_source"):
            art14_notice_task(store, conn, contact)
    return contact


def update_contact(store: Store, contact_id: str, changes: dict[str, Any]) -> Contact:
    """Write the changed fields of a contact (validated as on creation)."""
    contact = get_live(store, Contact, contact_id)
    errors = Errors()
    if contact.erased_at is not None:
        errors.add("", "contact_erased")
    if contact.restricted_at is not None:
        errors.add("", "contact_restricted")
    clean = parse(changes, CONTACT_PARSERS, errors)
    kind = clean.get("kind", contact.kind)
    with store.read() as session:
        consent = latest_consent(session, contact.id)
        becomes_person = is_person(kind) and not is_person(contact.kind)
        kept = {name: getattr(contact, name) for name in Contact.personal_fields} if becomes_person else {}
        _check(session, {"data_source": contact.data_source} | kept | clean, kind, consent, errors)
    errors.raise_if_any()
    changed = apply_changes(contact, clean)
    if not changed:
        return contact
    with store.write() as conn:
        changed += place_fields(conn, contact, changed)
        store.save(conn, contact, changed)
    return contact


def delete_contact(store: Store, contact_id: str) -> None:
    """Tombstone a contact (it leaves lists and search, and the deletion syncs)."""
    delete_record(store, Contact, contact_id)


def get_contact(store: Store, contact_id: str) -> Contact:
    return get_live(store, Contact, contact_id)


def contact_visits(store: Store, contact_id: str, *, limit: int = 100) -> list[Visit]:
    """The contact's visits, newest first."""
    with store.read() as session:
        statement = (
            select(Visit)
            .where(Visit.contact_id == contact_id, Visit.deleted == False)  # noqa: E712
            .order_by(Visit.visited_at.desc())
            .limit(limit)
        )
        return list(session.exec(statement).all())


def contact_detail(store: Store, contact_id: str) -> ContactDetail:
    with store.read() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.deleted:
            raise NotFound("contact", contact_id)
        consent = latest_consent(session, contact_id)
    return ContactDetail(contact, consent, contact_visits(store, contact_id))


def list_contacts(
    store: Store,
    *,
    zone_id: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Contact]:
    """Live contacts (not erased), optionally of one zone and kind: those with a name by name, then
    the doors without one (no consent to store a name) by address, so a street of unnamed doors
    does not push everyone else down the list."""
    live = select(Contact).where(
        Contact.deleted == False,  # noqa: E712
        Contact.erased_at == None,  # noqa: E711
        Contact.restricted_at == None,  # noqa: E711  (art. 18: hidden while restricted)
    )
    if zone_id:
        live = live.where(Contact.zone_id == zone_id)
    if kind:
        live = live.where(Contact.kind == kind)
    # ``name = ''`` as a literal: SQLite uses a partial index only for the very term it names.
    nameless = sql_text("contact.name = ''")
    with store.read() as session:
        named = list(
            session.exec(
                live.where(Contact.name > "").order_by(Contact.name, Contact.id).limit(limit).offset(offset)
            )
        )
        if len(named) == limit:
            return named
        skip = 0
        if offset:
            count = live.where(Contact.name > "").with_only_columns(func.count()).order_by(None)
            skip = max(0, offset - session.exec(count).one())
        rest = (
            live.where(nameless).order_by(Contact.address, Contact.id).limit(limit - len(named)).offset(skip)
        )
        return named + list(session.exec(rest))


def search_contacts(store: Store, query: str, *, limit: int = 50, offset: int = 0) -> list[Contact]:
    """Contacts matching what was typed (name, address, tags, offers, interests), best first."""
    return store.search_contacts(query, limit=limit, offset=offset)


def count_contacts(store: Store) -> int:
    """How many live contacts the device holds (the contact list's header)."""
    with store.engine.connect() as conn:
        return conn.execute(sql_text("SELECT count(*) FROM contact WHERE deleted = 0")).scalar_one()
