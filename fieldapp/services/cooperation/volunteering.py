"""Volunteering: a role a contact takes for a time (``Volunteer``), and the hours given on each day
(``VolunteerHours``), optionally at a meeting or an action.

The volunteer must be a live, unerased contact; erasure later clears the role's ``contact_id``
(``erasure.erase_person_links``) and the hours keep counting, anonymously.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fieldapp.errors import Errors
from fieldapp.model import Meeting, NeighbourhoodAction, Volunteer, VolunteerHours, Zone
from fieldapp.services.cooperation.common import (
    check_exists,
    delete_record,
    get_live,
    live_contact,
    live_rows,
    parse,
    parsers_for,
    update_record,
)
from fieldapp.store import Store

_VOLUNTEER_FIELDS = parsers_for(Volunteer, required=("contact_id", "since"))
_HOURS_FIELDS = parsers_for(
    VolunteerHours,
    "worked_on",
    "minutes",
    "meeting_id",
    "action_id",
    "what",
    required=("worked_on", "minutes"),
)


@dataclass(frozen=True)
class Volunteering:
    volunteer: Volunteer
    minutes: int

    @property
    def hours(self) -> float:
        return self.minutes / 60


def add_volunteer(store: Store, data: dict[str, Any]) -> Volunteer:
    """A contact's volunteering role (``contact_id`` and ``since`` required)."""
    errors = Errors()
    clean = parse(data, _VOLUNTEER_FIELDS, errors, required=("contact_id", "since"))
    with store.read() as session:
        if "contact_id" in clean:
            live_contact(session, clean["contact_id"], "contact_id", errors)
        check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    if clean.get("until") and clean.get("since") and clean["until"] < clean["since"]:
        errors.add("until", "network.left_before_joined")
    errors.raise_if_any()
    volunteer = Volunteer(**clean)
    with store.write() as conn:
        store.save(conn, volunteer)
    return volunteer


def update_volunteer(store: Store, volunteer_id: str, changes: dict[str, Any]) -> Volunteer:
    return update_record(store, Volunteer, volunteer_id, changes, _VOLUNTEER_FIELDS)


def end_volunteering(store: Store, volunteer_id: str, on: date) -> Volunteer:
    return update_volunteer(store, volunteer_id, {"until": on})


def log_hours(store: Store, volunteer_id: str, data: dict[str, Any]) -> VolunteerHours:
    """Hours given on a day (``worked_on``, ``minutes``), at a meeting or an action if named."""
    get_live(store, Volunteer, volunteer_id)
    errors = Errors()
    clean = parse(data, _HOURS_FIELDS, errors, required=("worked_on", "minutes"))
    with store.read() as session:
        check_exists(session, Meeting, clean.get("meeting_id"), "meeting_id", errors)
        check_exists(session, NeighbourhoodAction, clean.get("action_id"), "action_id", errors)
    errors.raise_if_any()
    entry = VolunteerHours(volunteer_id=volunteer_id, **clean)
    with store.write() as conn:
        store.save(conn, entry)
    return entry


def delete_hours(store: Store, hours_id: str) -> None:
    delete_record(store, VolunteerHours, hours_id)


def volunteering_of_contact(store: Store, contact_id: str) -> list[Volunteering]:
    """A person's volunteering roles with the hours given in each, the latest first."""
    with store.read() as session:
        roles = live_rows(session, Volunteer, Volunteer.contact_id == contact_id)
        found = []
        for role in roles:
            entries = live_rows(session, VolunteerHours, VolunteerHours.volunteer_id == role.id)
            found.append(Volunteering(role, sum(e.minutes for e in entries)))
    return sorted(found, key=lambda v: (v.volunteer.since, v.volunteer.base_hlc), reverse=True)
