"""RODO consent of natural persons: record it, withdraw it scope by scope, and what it allows.

Consents are kept as history: every answer and every withdrawal is a NEW record (who, when, which
scopes, the information clause's version), never an edit of an older one; the newest decides.
Nothing is assumed: a scope holds only when it was ticked. Each scope is enforced on its own:

- ``scope_store``: without it a person's personal fields stay empty, and so do the notes, next
  steps and flats of visits and the notes of tasks about them (``clear_about``);
- ``scope_contact``: without it the phone and e-mail stay empty;
- ``scope_special`` (art. 9(2)(a)): without it the special-category notes stay empty;
- ``scope_photos``: recorded for the program's photos (the app keeps none).

A consent given needs the person's word that they are 18 or over (art. 8: a minor's consent is
given by a parent or guardian) and the version of the information clause given at the door.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from fieldapp.errors import Errors
from fieldapp.model import Consent, Contact, EditionItem, FollowUpTask, Visit, utcnow
from fieldapp.model.enums import NATURAL_PERSON_KINDS, ConsentStatus
from fieldapp.services.clause import is_known_version
from fieldapp.services.validation import check_record, choice, get_live, parse, parsers_for
from fieldapp.store import Store

CONSENT_PARSERS = {
    **parsers_for(
        Consent,
        "method",
        *Consent.scopes,
        "adult",
        "clause_version",
        "clause_given_at",
        "recorded_by",
        "given_at",
        "note",
    ),
    # An answer at the door is given or refused; "withdrawn" comes later (``withdraw_consent``).
    "status": choice([ConsentStatus.GIVEN, ConsentStatus.REFUSED]),
}

#: A scope's short name (as the UI and ``withdraw_consent`` say it) → the consent's field.
SCOPES: dict[str, str] = {name.removeprefix("scope_"): name for name in Consent.scopes}


def is_person(kind: str) -> bool:
    return kind in NATURAL_PERSON_KINDS


def allows(consent: Consent | None, scope: str) -> bool:
    """Whether this consent (the newest) grants ``scope`` ("store", "contact", "special", "photos",
    "later_editions")."""
    if consent is None or consent.status != ConsentStatus.GIVEN:
        return False
    return bool(getattr(consent, SCOPES[scope]))


def allows_storing(consent: Consent | None) -> bool:
    """Whether this consent lets the device keep the person's personal data."""
    return allows(consent, "store")


def allows_later_editions(consent: Consent | None) -> bool:
    """Whether this consent lets a later edition of the program carry the person by name."""
    return allows(consent, "store") and allows(consent, "later_editions")


def parse_consent(data: dict[str, Any], errors: Errors, store: Store | None = None) -> dict[str, Any]:
    """Clean consent values (``status`` required). A given consent names who took it, the person's
    word that they are an adult and the information clause's version (a known one, with ``store``)."""
    clean = parse(data, CONSENT_PARSERS, errors, required=("status",))
    clean.setdefault("given_at", utcnow())
    if clean.get("status") == ConsentStatus.GIVEN:
        if not clean.get("recorded_by"):
            errors.add("recorded_by", "consent_recorded_by")
        if not clean.get("adult"):
            errors.add("adult", "consent_adult_required")
        version = clean.get("clause_version", "")
        if not version:
            errors.add("clause_version", "consent_clause_required")
        elif store is not None and not is_known_version(store, version):
            errors.add("clause_version", "consent_clause_unknown", value=version)
        elif version:
            clean.setdefault("clause_given_at", clean["given_at"])
    return clean


def current_consent(store: Store, contact_id: str) -> Consent | None:
    """The newest live consent record of a contact (it decides what may be stored)."""
    with store.read() as session:
        return latest_consent(session, contact_id)


def latest_consent(session: Any, contact_id: str) -> Consent | None:
    statement = (
        select(Consent)
        .where(Consent.contact_id == contact_id, Consent.deleted == False)  # noqa: E712
        .order_by(col(Consent.given_at).desc(), col(Consent.base_hlc).desc())
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


def consent_history(store: Store, contact_id: str) -> list[Consent]:
    """Every consent record of a contact, newest first (the history a DPO asks to see)."""
    with store.read() as session:
        statement = (
            select(Consent)
            .where(Consent.contact_id == contact_id, Consent.deleted == False)  # noqa: E712
            .order_by(col(Consent.given_at).desc(), col(Consent.base_hlc).desc())
        )
        return list(session.exec(statement).all())


def _clear(
    store: Store, conn: Connection, record: Any, names: tuple[str, ...], also: tuple[str, ...] = ()
) -> None:
    """Empty ``names`` of ``record``; save what changed, with ``also`` (fields changed before)."""
    changed = [name for name in names if getattr(record, name)]
    for name in changed:
        setattr(record, name, "")
    if changed or also:
        store.save(conn, record, [*changed, *also])


def clear_personal(store: Store, conn: Connection, contact: Contact) -> None:
    """Empty the person's personal fields (they may not be kept without consent)."""
    also: tuple[str, ...] = ()
    if contact.flat and contact.address.endswith(f"/{contact.flat}"):
        contact.address = contact.address.removesuffix(f"/{contact.flat}")
        also = ("address",)
    _clear(store, conn, contact, Contact.personal_fields, also)


def clear_about(store: Store, conn: Connection, contact_id: str) -> None:
    """Empty what other records say about the person: visits' notes, next steps and flats (with the
    "/flat" of their street line), tasks' notes. The visits' outcomes, times and places stay."""
    with Session(bind=conn) as session:
        visits = list(session.exec(select(Visit).where(Visit.contact_id == contact_id)).all())
        tasks = list(session.exec(select(FollowUpTask).where(FollowUpTask.contact_id == contact_id)).all())
        session.expunge_all()
    for visit in visits:
        changed = [name for name in (*Visit.personal_fields, "flat") if getattr(visit, name)]
        if visit.flat and visit.address.endswith(f"/{visit.flat}"):
            visit.address = visit.address.removesuffix(f"/{visit.flat}")
            changed.append("address")
        for name in (*Visit.personal_fields, "flat"):
            setattr(visit, name, "")
        if changed:
            store.save(conn, visit, changed)
    for task in tasks:
        _clear(store, conn, task, ("note",))


def enforce(store: Store, conn: Connection, contact: Contact, consent: Consent | None) -> None:
    """Make the stored data match what ``consent`` (the newest) allows, scope by scope."""
    if not allows_later_editions(consent):
        unname_in_editions(store, conn, contact.id)
    if not allows(consent, "store"):
        clear_personal(store, conn, contact)
        clear_about(store, conn, contact.id)
        return
    if not allows(consent, "contact"):
        _clear(store, conn, contact, Contact.contact_fields)
    if not allows(consent, "special"):
        _clear(store, conn, contact, ("special_notes",))


def record_consent(store: Store, contact_id: str, **fields: Any) -> Consent:
    """Record a person's answer (given or refused) with how, when, by whom and after which clause.

    A refusal, or a consent without a scope, clears what that scope covers.
    """
    contact = get_live(store, Contact, contact_id)
    errors = Errors()
    if not is_person(contact.kind):
        errors.add("", "consent_not_for_organisation")
    if contact.erased_at is not None:
        errors.add("", "contact_erased")
    if contact.restricted_at is not None:
        errors.add("", "contact_restricted")
    clean = parse_consent(fields, errors, store)
    errors.raise_if_any()
    consent = Consent(contact_id=contact.id, **clean)
    check_record(None, consent, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, consent)
        enforce(store, conn, contact, consent)
    return consent


def withdraw_consent(
    store: Store, contact_id: str, recorded_by: str = "", scopes: tuple[str, ...] | None = None
) -> Consent:
    """The person withdraws consent to ``scopes`` ("store", "contact", "special", "photos"; all
    when None). A NEW consent record keeps the other scopes; what a withdrawn scope covered is
    cleared in the same transaction. Withdrawing "store" ends the consent (status withdrawn)."""
    contact = get_live(store, Contact, contact_id)
    current = current_consent(store, contact_id)
    errors = Errors()
    if current is None or current.status != ConsentStatus.GIVEN:
        errors.add("", "consent_not_given")
    wanted = tuple(SCOPES) if scopes is None else scopes
    for scope in wanted:
        if scope not in SCOPES:
            errors.add("scopes", "invalid_choice", value=scope, allowed=", ".join(SCOPES))
    if contact.restricted_at is not None:
        errors.add("", "contact_restricted")
    clean = parse({"recorded_by": recorded_by}, parsers_for(Consent, "recorded_by"), errors)
    errors.raise_if_any()
    assert current is not None
    granted: dict[str, Any] = {name: bool(getattr(current, name)) for name in Consent.scopes}
    for scope in wanted:
        granted[SCOPES[scope]] = False
    now = utcnow()
    consent = Consent(
        contact_id=contact.id,
        status=ConsentStatus.GIVEN if granted["scope_store"] else ConsentStatus.WITHDRAWN,
        method=current.method,
        given_at=max(now, current.given_at),
        withdrawn_at=now,
        recorded_by=clean["recorded_by"],
        adult=current.adult,
        clause_version=current.clause_version,
        clause_given_at=current.clause_given_at,
        **granted,
    )
    with store.write() as conn:
        store.save(conn, consent)
        enforce(store, conn, contact, consent)
    return consent
