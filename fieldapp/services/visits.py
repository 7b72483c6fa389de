"""Visits: door-knocks and meetings, logged in a few taps. A door where nobody opened is a visit too.

Outcomes are the plain defaults of ``VisitOutcome`` plus any a program adds (a JSON list of codes
in the store's meta key ``visit.outcomes.extra``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text as sql
from sqlmodel import select

from fieldapp.errors import Errors, NotFound
from fieldapp.geo.positions import place_fields
from fieldapp.model import Contact, Visit, Zone
from fieldapp.model.enums import VisitOutcome
from fieldapp.model.fields import CODE
from fieldapp.services.buildings import street_zone
from fieldapp.services.consent import allows_storing, is_person, latest_consent
from fieldapp.services.reviews import mark_corrected
from fieldapp.services.validation import (
    Invalid,
    apply_changes,
    check_exists,
    get_live,
    live_contact,
    parse,
    parsers_for,
)
from fieldapp.store import Store

META_EXTRA_OUTCOMES = "visit.outcomes.extra"


def outcomes(store: Store) -> tuple[str, ...]:
    """The outcome codes this device accepts: the defaults, then the program's own."""
    try:
        extra = json.loads(store.meta(META_EXTRA_OUTCOMES) or "[]")
    except ValueError:
        extra = []
    own = [code for code in extra if isinstance(code, str) and CODE(code)]
    return tuple(dict.fromkeys([*VisitOutcome, *own]))


def _outcome(allowed: tuple[str, ...]):
    def parse_outcome(value: Any) -> str:
        if value not in allowed:
            raise Invalid("outcome_unknown", value=value)
        return str(value)

    return parse_outcome


def _parsers(store: Store) -> dict[str, Any]:
    return {**parsers_for(Visit), "outcome": _outcome(outcomes(store))}


def _validated(store: Store, session: Any, data: dict[str, Any], parsers: dict[str, Any]) -> Visit:
    """A new visit from ``data``; every problem is raised together (nothing written)."""
    errors = Errors()
    clean = parse(data, parsers, errors, required=("outcome",))
    contact = None
    if clean.get("contact_id"):
        contact = live_contact(session, clean["contact_id"], "contact_id", errors)
    check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    if contact is not None:
        _check_basis(session, contact, clean, errors)
    errors.raise_if_any()
    if contact is not None:
        _place_from_contact(clean, contact)
    if not clean.get("animator_id"):
        clean["animator_id"] = store.user_id
    return Visit(**clean)


def _check_basis(session: Any, contact: Contact, clean: dict[str, Any], errors: Errors) -> None:
    """Notes about a person follow the person's basis: a natural person without a current consent
    to store data gets a visit's outcome, time and place, but no notes, next step or flat; a
    restricted person (art. 18) gets nothing new at all."""
    if contact.restricted_at is not None:
        errors.add("contact_id", "contact_restricted")
        return
    if is_person(contact.kind) and not allows_storing(latest_consent(session, contact.id)):
        for name in (*Visit.personal_fields, "flat"):
            if clean.get(name):
                errors.add(name, "consent_required")


def _place_from_contact(clean: dict[str, Any], contact: Contact) -> None:
    """A visit to a known contact takes its address and zone unless the knock gave them."""
    if not any(clean.get(name) for name in ("address", "street", "house_number")):
        for name in ("address", "street", "house_number", "flat"):
            clean[name] = getattr(contact, name)
    if not clean.get("zone_id"):
        clean["zone_id"] = contact.zone_id
    if clean.get("lat") is None and clean.get("lon") is None and contact.lat is not None:
        clean["lat"], clean["lon"] = contact.lat, contact.lon


def _write(store: Store, conn: Any, visit: Visit) -> None:
    place_fields(conn, visit)
    store.save(conn, visit)
    if visit.outcome == VisitOutcome.DO_NOT_KNOCK and visit.contact_id:
        contact = store.get(Contact, visit.contact_id)
        if contact is not None and not contact.do_not_knock:
            contact.do_not_knock = True
            store.save(conn, contact, ["do_not_knock"])


def log_visit(store: Store, **data: Any) -> Visit:
    """Record one knock: ``outcome`` is required; place, contact, notes and follow-up are optional.

    "Do not knock again" on a known contact marks the contact too, so walk lists skip the door.
    """
    with store.read() as session:
        visit = _validated(store, session, data, _parsers(store))
    with store.write() as conn:
        _write(store, conn, visit)
    return visit


def log_knock(store: Store, **data: Any) -> Visit:
    """A door-to-door knock: as ``log_visit``, and it needs a street and a house number (a knock
    nobody can find again helps no one). Without a zone, and without a position to derive one from,
    the zone is the one the street's known places lie in, so zone coverage counts the knock."""
    errors = Errors()
    for name in ("street", "house_number"):
        if not str(data.get(name) or "").strip():
            errors.add(name, f"door_{name}_required")
    errors.raise_if_any()
    if not data.get("zone_id") and data.get("lat") is None:
        data["zone_id"] = street_zone(store, str(data["street"]))
    return log_visit(store, **data)


def log_visits(store: Store, items: list[dict[str, Any]]) -> list[Visit]:
    """Many visits (e.g. an import or a paper list typed in later) in one transaction: all or none."""
    parsers = _parsers(store)
    with store.read() as session:
        visits = [_validated(store, session, item, parsers) for item in items]
    with store.write() as conn:
        for visit in visits:
            _write(store, conn, visit)
    return visits


CORRECTABLE = (
    "outcome",
    "notes",
    "next_step",
    "follow_up_on",
    "address",
    "street",
    "house_number",
    "flat",
    "contact_id",
)


def correct_visit(store: Store, visit_id: str, changes: dict[str, Any]) -> Visit:
    """Correct a logged visit (e.g. after a supervisor returned it); the knock's time stays."""
    visit = get_live(store, Visit, visit_id)
    parsers = {name: _parsers(store)[name] for name in CORRECTABLE}
    errors = Errors()
    clean = parse(changes, parsers, errors)
    with store.read() as session:
        if clean.get("contact_id"):
            live_contact(session, clean["contact_id"], "contact_id", errors)
        person = session.get(Contact, visit.contact_id) if visit.contact_id else None
        if person is not None and person.erased_at is None:
            _check_basis(session, person, clean, errors)
    if person is not None and person.erased_at is not None:
        for name in (*Visit.personal_fields, "flat"):
            if clean.get(name):  # nothing personal may be written about an erased person (RODO)
                errors.add(name, "contact_erased")
    errors.raise_if_any()
    changed = apply_changes(visit, clean)
    if changed:
        with store.write() as conn:
            store.save(conn, visit, changed)
            mark_corrected(store, Visit.record_type, visit.id, conn)
    return visit


def recent_visits(store: Store, limit: int = 50) -> list[Visit]:
    """The latest visits on this device, newest first."""
    statement = (
        select(Visit).where(Visit.deleted == False).order_by(Visit.visited_at.desc()).limit(limit)  # noqa: E712
    )
    with store.read() as session:
        return list(session.exec(statement).all())


#: Follow-ups no later visit to the same person or door closed (the visits' own ``follow_up_on``).
_OPEN = """
    FROM visit v
    WHERE v.deleted = 0 AND v.follow_up_on IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM visit later
        WHERE later.deleted = 0 AND later.visited_at > v.visited_at AND later.id != v.id
          AND (
            (v.contact_id IS NOT NULL AND later.contact_id = v.contact_id)
            OR (v.contact_id IS NULL AND v.street != '' AND later.street = v.street
                AND later.house_number = v.house_number AND later.flat = v.flat)
          )
      )
"""
_GROUP_ORDER = {
    # The most recently missed first: a follow-up missed by a day is likelier still worth it.
    "overdue": "v.follow_up_on < :on ORDER BY v.follow_up_on DESC, v.visited_at",
    "today": "v.follow_up_on = :on ORDER BY v.visited_at",
    "upcoming": "v.follow_up_on > :on ORDER BY v.follow_up_on, v.visited_at",
}


@dataclass(frozen=True)
class FollowUps:
    """Open follow-ups as of a day: the first ``limit`` of each group, and how many each holds."""

    overdue: list[Visit]
    today: list[Visit]
    upcoming: list[Visit]
    counts: dict[str, int]


def _visits_by_id(store: Store, ids: list[str]) -> list[Visit]:
    if not ids:
        return []
    with store.read() as session:
        found = {v.id: v for v in session.exec(select(Visit).where(Visit.id.in_(ids))).all()}
    return [found[i] for i in ids]


def follow_up_group(store: Store, on: date, group: str, limit: int = 1000) -> list[Visit]:
    """One group of open follow-ups ("overdue", "today", "upcoming") as of ``on``, in its order."""
    query = f"SELECT v.id {_OPEN} AND {_GROUP_ORDER[group]} LIMIT :limit"
    with store.engine.connect() as conn:
        ids = [row[0] for row in conn.execute(sql(query), {"on": on.isoformat(), "limit": limit})]
    return _visits_by_id(store, ids)


def follow_ups(store: Store, on: date, limit: int = 20) -> FollowUps:
    """Open follow-ups as of ``on``: overdue, due that day and upcoming, each with its count."""
    counting = (
        "SELECT sum(v.follow_up_on < :on), sum(v.follow_up_on = :on), sum(v.follow_up_on > :on) " + _OPEN
    )
    with store.engine.connect() as conn:
        overdue, today, upcoming = conn.execute(sql(counting), {"on": on.isoformat()}).one()
    counts = {"overdue": overdue or 0, "today": today or 0, "upcoming": upcoming or 0}
    groups = {
        group: follow_up_group(store, on, group, limit) if counts[group] else [] for group in _GROUP_ORDER
    }
    return FollowUps(groups["overdue"], groups["today"], groups["upcoming"], counts)


def follow_ups_due(store: Store, on: date, limit: int = 200) -> list[Visit]:
    """Follow-ups planned for ``on`` or earlier that no later visit to the same person or door closed,
    the earliest first."""
    query = f"SELECT v.id {_OPEN} AND v.follow_up_on <= :on ORDER BY v.follow_up_on, v.visited_at"
    query += " LIMIT :limit"
    with store.engine.connect() as conn:
        ids = [row[0] for row in conn.execute(sql(query), {"on": on.isoformat(), "limit": limit})]
    return _visits_by_id(store, ids)


def streets_in_zone(store: Store, zone_id: str | None, limit: int = 12) -> list[str]:
    """Streets known in a zone (from its contacts and visits), the most used first.

    Offered as one-tap choices on the door-to-door screen.
    """
    query = """
        SELECT street, count(*) AS n FROM (
            SELECT street FROM visit
            WHERE deleted = 0 AND street != '' AND (:zone IS NULL OR zone_id = :zone)
            UNION ALL
            SELECT street FROM contact
            WHERE deleted = 0 AND street != '' AND (:zone IS NULL OR zone_id = :zone)
        ) GROUP BY street ORDER BY n DESC, street LIMIT :limit
    """
    with store.engine.connect() as conn:
        return [row[0] for row in conn.execute(sql(query), {"zone": zone_id, "limit": limit})]


def undo_visit(store: Store, visit_id: str) -> None:
    """Take back a door-knock logged by mistake a moment ago (a tombstone that syncs)."""
    with store.write() as conn:
        visit = store.get(Visit, visit_id)
        if visit is None or visit.deleted:
            raise NotFound("visit", visit_id)
        store.delete(conn, visit)
