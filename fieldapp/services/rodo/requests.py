"""The register of data subjects' requests (RODO art. 12(3), 15–18, 21) and the restriction flag.

A request is registered when received; its due date is one month later (the same day of the next
month, or its last day), extendable once by two further months when the request is complex (the
person told why within the first month). The coordinator notes the identity check and when it was
done. Restriction (art. 18) sets ``Contact.restricted_at``: the person leaves lists and search on
every device after sync, and their data is frozen — the device refuses edits (``contact_restricted``)
and the service refuses pushed changes (``restricted``) until a coordinator lifts it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from fieldapp.errors import Errors, NotFound
from fieldapp.model import Contact, RightsKind, RightsRequest, utcnow
from fieldapp.model.fields import today
from fieldapp.services.rodo.audit import AuditAction, actor_of, record
from fieldapp.services.roles import is_supervisor
from fieldapp.services.validation import get_live, parse, parsers_for
from fieldapp.store import Store

REQUEST_PARSERS = parsers_for(RightsRequest, "contact_id", "kind", "received_on", "handled_by", "note")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (31 January + 1 → 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RequestView:
    request: RightsRequest
    #: Days until the due date (negative: overdue); None once done.
    days_left: int | None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def _require_supervisor(store: Store, errors: Errors) -> None:
    if not is_supervisor(store):
        errors.add("", "rodo_not_allowed")


def register_request(store: Store, data: dict[str, Any]) -> RightsRequest:
    """Register a request as received (``received_on``: today unless given); due in one month."""
    errors = Errors()
    _require_supervisor(store, errors)
    data = {"received_on": today(), **data}
    clean = parse(data, REQUEST_PARSERS, errors, required=("kind", "received_on"))
    if clean.get("contact_id"):
        with store.read() as session:
            contact = session.get(Contact, clean["contact_id"])
        if contact is None:
            errors.add("contact_id", "request_contact_unknown")
    errors.raise_if_any()
    clean.setdefault("handled_by", actor_of(store))
    request = RightsRequest(**clean, due_on=add_months(clean["received_on"], 1))
    with store.write() as conn:
        store.save(conn, request)
        record(conn, AuditAction.REQUEST_REGISTERED, RightsRequest.record_type, request.id, actor_of(store))
    return request


def _update(store: Store, request_id: str, check: Any, **values: Any) -> RightsRequest:
    request = get_live(store, RightsRequest, request_id)
    errors = Errors()
    _require_supervisor(store, errors)
    check(request, errors)
    errors.raise_if_any()
    for name, value in values.items():
        setattr(request, name, value)
    with store.write() as conn:
        store.save(conn, request, list(values))
    return request


def _open(request: RightsRequest, errors: Errors) -> None:
    if request.done_on is not None:
        errors.add("", "request_done")


def check_identity(store: Store, request_id: str, on: date | None = None) -> RightsRequest:
    """Note that the requester's identity was checked (art. 12(6))."""
    return _update(store, request_id, _open, identity_checked_on=on or today())


def extend_request(store: Store, request_id: str) -> RightsRequest:
    """Extend the deadline by two further months (art. 12(3)); once only."""

    def check(request: RightsRequest, errors: Errors) -> None:
        _open(request, errors)
        if request.extended:
            errors.add("", "request_already_extended")

    request = get_live(store, RightsRequest, request_id)
    return _update(store, request_id, check, extended=True, due_on=add_months(request.received_on, 3))


def complete_request(store: Store, request_id: str, on: date | None = None) -> RightsRequest:
    """Mark the request done (its identity must have been checked). A restriction request
    restricts the person at the same time."""

    def check(request: RightsRequest, errors: Errors) -> None:
        _open(request, errors)
        if request.identity_checked_on is None:
            errors.add("", "request_identity_unchecked")

    done = _update(store, request_id, check, done_on=on or today())
    if done.kind == RightsKind.RESTRICTION and done.contact_id:
        restrict_person(store, done.contact_id)
    record(store, AuditAction.REQUEST_DONE, RightsRequest.record_type, done.id, actor_of(store))
    return done


def list_requests(store: Store, *, open_only: bool = False, on: date | None = None) -> list[RequestView]:
    """The register, soonest due first, with the days left of each open request."""
    day = on or today()
    statement = select(RightsRequest).where(RightsRequest.deleted == False)  # noqa: E712
    if open_only:
        statement = statement.where(RightsRequest.done_on == None)  # noqa: E711
    with store.read() as session:
        ordered = statement.order_by(col(RightsRequest.due_on), col(RightsRequest.received_on))
        found = list(session.exec(ordered))
    return [RequestView(r, None if r.done_on else (r.due_on - day).days) for r in found]


def restrict_person(store: Store, contact_id: str, *, lift: bool = False) -> Contact:
    """Restrict processing of a person's data (art. 18), or lift the restriction."""
    errors = Errors()
    _require_supervisor(store, errors)
    errors.raise_if_any()
    with store.read() as session:
        contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(Contact.record_type, contact_id)
    contact.restricted_at = None if lift else utcnow()
    with store.write() as conn:
        store.save(conn, contact, ["restricted_at"])
        action = AuditAction.UNRESTRICTED if lift else AuditAction.RESTRICTED
        record(conn, action, Contact.record_type, contact.id, actor_of(store))
    return contact
