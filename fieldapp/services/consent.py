"""RODO consent of natural persons: record it, withdraw it, and what it allows.

Consents are kept as history (one record per answer); the newest one decides. Without a current
consent to store data, a person's personal fields are empty: recording a refusal or withdrawing
consent clears them in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session, select

from fieldapp.errors import Errors
from fieldapp.model import Consent, Contact, EditionItem, utcnow
from fieldapp.model.enums import NATURAL_PERSON_KINDS, ConsentStatus
from fieldapp.services.validation import check_record, choice, get_live, parse, parsers_for
from fieldapp.store import Store

CONSENT_PARSERS = {
    **parsers_for(
        Consent, "method", "scope_contact", "scope_store", "scope_photos", "scope_later_editions",
        "recorded_by", "given_at", "note",
    ),
    # An answer at the door is given or refused; "withdrawn" comes later (``withdraw_consent``).
    "status": choice([ConsentStatus.GIVEN, ConsentStatus.REFUSED]),
}


def is_person(kind: str) -> bool:
    return kind in NATURAL_PERSON_KINDS


def allows_storing(consent: Consent | None) -> bool:
    """Whether this consent lets the device keep the person's personal data."""
    return (
        consent is not None
        and consent.status == ConsentStatus.GIVEN
        and consent.scope_store
        and consent.withdrawn_at is None
    )


def allows_later_editions(consent: Consent | None) -> bool:
    """Whether this consent lets a later edition of the program carry the person by name."""
    return allows_storing(consent) and consent is not None and consent.scope_later_editions


def parse_consent(data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Clean consent values (``status`` required; a given consent names who took it)."""
    clean = parse(data, CONSENT_PARSERS, errors, required=("status",))
    clean.setdefault("given_at", utcnow())
    if clean.get("status") == ConsentStatus.GIVEN and not clean.get("recorded_by"):
        errors.add("recorded_by", "consent_recorded_by")
    return clean


def current_consent(store: Store, contact_id: str) -> Consent | None:
    """The newest live consent record of a contact (it decides what may be stored)."""
    with store.read() as session:
        return latest_consent(session, contact_id)


def latest_consent(session: Any, contact_id: str) -> Consent | None:
    statement = (
        select(Consent)
        .where(Consent.contact_id == contact_id, Consent.deleted == False)  # noqa: E712
        .order_by(Consent.given_at.desc(), Consent.base_hlc.desc())
        .limit(1)
    )
    return session.exec(statement).first()


def unname_in_editions(store: Store, conn: Connection, contact_id: str) -> int:
    """Without the later-editions consent (withdrawn, or a newer answer without that scope), the
    editions that carried the person by name keep them only as a count: their ``contact_id`` goes."""
    with Session(bind=conn) as session:
        rows = list(session.exec(select(EditionItem).where(EditionItem.contact_id == contact_id)).all())
        session.expunge_all()
    for row in rows:
        row.contact_id = None
        store.save(conn, row, ["contact_id"])
    return len(rows)


def clear_personal(store: Store, conn: Connection, contact: Contact) -> None:
    """Empty the person's personal fields (they may not be kept without consent)."""
    changed = [name for name in Contact.personal_fields if getattr(contact, name)]
    if contact.flat and contact.address.endswith(f"/{contact.flat}"):
        contact.address = contact.address.removesuffix(f"/{contact.flat}")
        changed.append("address")
    for name in Contact.personal_fields:
        setattr(contact, name, "")
    if changed:
        store.save(conn, contact, changed)


def record_consent(store: Store, contact_id: str, **fields: Any) -> Consent:
    """Record a person's answer (given or refused) with how, when and by whom.

    A refusal, or a consent without the "store my data" scope, clears the personal fields.
    """
    contact = get_live(store, Contact, contact_id)
    errors = Errors()
    if not is_person(contact.kind):
        errors.add("", "consent_not_for_organisation")
    if contact.erased_at is not None:
        errors.add("", "contact_erased")
    clean = parse_consent(fields, errors)
    errors.raise_if_any()
    consent = Consent(contact_id=contact.id, **clean)
    check_record(None, consent, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, consent)
        if not allows_storing(consent):
            clear_personal(store, conn, contact)
        if not allows_later_editions(consent):
            unname_in_editions(store, conn, contact.id)
    return consent


def withdraw_consent(store: Store, contact_id: str, recorded_by: str = "") -> Consent:
    """The person withdraws consent: it is marked withdrawn and their personal data cleared.

    ``recorded_by`` (who took the withdrawal) is kept in the consent's note.
    """
    contact = get_live(store, Contact, contact_id)
    consent = current_consent(store, contact_id)
    errors = Errors()
    if not allows_storing(consent) and (consent is None or consent.status != ConsentStatus.GIVEN):
        errors.add("", "consent_not_given")
    clean = parse({"recorded_by": recorded_by}, parsers_for(Consent, "recorded_by"), errors)
    errors.raise_if_any()
    assert consent is not None
    consent.status = ConsentStatus.WITHDRAWN
    consent.withdrawn_at = utcnow()
    changed = ["status", "withdrawn_at"]
    if clean["recorded_by"]:
        consent.note = "\n".join(p for p in (consent.note, f"— {clean['recorded_by']}") if p)
        changed.append("note")
    with store.write() as conn:
        store.save(conn, consent, changed)
        clear_personal(store, conn, contact)
        unname_in_editions(store, conn, contact.id)
    return consent
