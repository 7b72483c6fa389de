"""The breach register (RODO art. 33(5)): every personal data breach, with its facts, effects and
what was done. A lost or stolen phone is the usual one: the coordinator reports it, the device is
revoked (it wipes itself at its next contact), and the 72 hours to notify the PUODO run from when
the breach was noticed (art. 33(1)) — shown with the entry until it is notified or closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from fieldapp.errors import Errors
from fieldapp.model import Breach, utcnow
from fieldapp.services.rodo.audit import actor_of
from fieldapp.services.roles import is_supervisor
from fieldapp.services.validation import get_live, parse, parsers_for
from fieldapp.store import Store

#: Art. 33(1): the supervisory authority is notified within 72 hours of becoming aware.
NOTIFY_WITHIN = timedelta(hours=72)

BREACH_PARSERS = parsers_for(Breach, "kind", "device_ref", "noticed_at", "reported_by", "description",
                             "revoked_at")


@dataclass(frozen=True)
class BreachView:
    breach: Breach
    #: When the PUODO must have been notified.
    notify_by: datetime
    #: Hours left to notify (negative: late); None once notified or closed.
    hours_left: float | None


def view(breach: Breach, now: datetime | None = None) -> BreachView:
    deadline = breach.noticed_at + NOTIFY_WITHIN
    open_ = breach.authority_notified_at is None and breach.closed_at is None
    left = (deadline - (now or utcnow())).total_seconds() / 3600 if open_ else None
    return BreachView(breach, deadline, left)


def register_breach(store: Store, data: dict[str, Any]) -> Breach:
    """A new entry (coordinators only); ``noticed_at`` now unless given."""
    errors = Errors()
    if not is_supervisor(store):
        errors.add("", "rodo_not_allowed")
    clean = parse({"noticed_at": utcnow(), **data}, BREACH_PARSERS, errors, required=("noticed_at",))
    errors.raise_if_any()
    clean.setdefault("reported_by", actor_of(store))
    breach = Breach(**clean)
    with store.write() as conn:
        store.save(conn, breach)
    return breach


def mark_notified(store: Store, breach_id: str, at: datetime | None = None) -> Breach:
    """The PUODO was notified (or the decision not to, with its reason in the description)."""
    breach = get_live(store, Breach, breach_id)
    errors = Errors()
    if not is_supervisor(store):
        errors.add("", "rodo_not_allowed")
    errors.raise_if_any()
    breach.authority_notified_at = at or utcnow()
    with store.write() as conn:
        store.save(conn, breach, ["authority_notified_at"])
    return breach


def list_breaches(store: Store, now: datetime | None = None) -> list[BreachView]:
    """The register, newest first, each with its 72-hour timeline."""
    with store.read() as session:
        found = session.exec(
            select(Breach).where(Breach.deleted == False).order_by(col(Breach.noticed_at).desc())  # noqa: E712
        ).all()
    return [view(b, now) for b in found]
