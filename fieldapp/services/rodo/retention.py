"""The retention rule: natural persons without a current consent to store their data are
anonymised (erased the same way as on request) once their contact is older than the retention
period — ``days``, else the store's meta ``rodo.retention_days``, else 180 days. Age counts from
the contact's creation (when the data was collected)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from fieldapp.model import Contact, utcnow
from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.services.consent import allows_storing, latest_consent
from fieldapp.services.rodo.audit import AuditAction
from fieldapp.services.rodo.erasure import erase_in, purge_deleted_content
from fieldapp.store import Store

META_RETENTION_DAYS = "rodo.retention_days"
DEFAULT_RETENTION_DAYS = 180
#: The audit log's actor for anonymisation by the rule (no user asked for it).
RETENTION_ACTOR = "system:retention"


def retention_days(store: Store, days: int | None = None) -> int:
    if days is not None:
        return days
    try:
        return int(store.meta(META_RETENTION_DAYS) or DEFAULT_RETENTION_DAYS)
    except ValueError:
        return DEFAULT_RETENTION_DAYS


def retention_candidates(store: Store, *, days: int | None = None) -> list[Contact]:
    """Live, not yet erased natural persons older than the period without consent to store."""
    cutoff = utcnow() - timedelta(days=retention_days(store, days))
    statement = select(Contact).where(
        Contact.kind.in_(sorted(NATURAL_PERSON_KINDS)),  # type: ignore[attr-defined]
        Contact.deleted == False,  # noqa: E712
        Contact.erased_at.is_(None),  # type: ignore[union-attr]
        Contact.created_at < cutoff,
    )
    with store.read() as session:
        return [c for c in session.exec(statement).all() if not allows_storing(latest_consent(session, c.id))]


def apply_retention(store: Store, *, days: int | None = None) -> int:
    """Anonymise every candidate (one transaction each, one purge at the end); how many."""
    found = retention_candidates(store, days=days)
    for contact in found:
        with store.write() as conn:
            erase_in(store, conn, contact, by=RETENTION_ACTOR, action=AuditAction.ANONYMISED)
    if found:
        purge_deleted_content(store)
    return len(found)
