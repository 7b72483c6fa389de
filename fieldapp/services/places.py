"""Community places: a place and its stage (with the history of moves), partners by sector, dated
self-assessments against a framework's principles, rooms, and bookings with their clashes.

A clash (two live bookings of one room on one day whose hours overlap) is flagged, not refused:
bookings made offline on two devices may overlap, and only people can settle which one stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fieldapp.errors import Errors
from fieldapp.model import (
    Booking,
    CommunityPlace,
    Contact,
    LocalActivityGroup,
    NeighbourhoodAction,
    PlacePartner,
    PlaceStageChange,
    PrincipleCheck,
    Room,
    Zone,
)
from fieldapp.model.fields import today
from fieldapp.model.places import PRINCIPLES
from fieldapp.services.validation import (
    check_exists,
    check_record,
    delete_record,
    get_live,
    live_rows,
    parse,
    parsers_for,
    update_record,
)
from fieldapp.store import Store

_PLACE_FIELDS = parsers_for(CommunityPlace, required=("name",))
_PARTNER_FIELDS = parsers_for(
    PlacePartner, "contact_id", "name", "sector", "role", "joined_on", "left_on", required=("sector",)
)
_ROOM_FIELDS = parsers_for(Room, "name", "capacity", "equipment", required=("name",))
_BOOKING_FIELDS = parsers_for(
    Booking,
    "room_id",
    "booked_on",
    "start_time",
    "end_time",
    "group_id",
    "action_id",
    "booked_for",
    "note",
    required=("room_id", "booked_on", "start_time", "end_time"),
)


def create_place(store: Store, data: dict[str, Any]) -> CommunityPlace:
    """A new place (``name`` required) in its first stage, which opens its stage history."""
    errors = Errors()
    clean = parse(data, _PLACE_FIELDS, errors, required=("name",))
    with store.read() as session:
        check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    clean.setdefault("stage_since", today())
    place = CommunityPlace(**clean)
    check_record(None, place, errors)
    errors.raise_if_any()
    first = PlaceStageChange(
        place_id=place.id,
        stage=place.stage,
        stage_name=place.stage_name,
        changed_on=place.stage_since or today(),
    )
    with store.write() as conn:
        store.save(conn, place)
        store.save(conn, first)
    return place


def update_place(store: Store, place_id: str, changes: dict[str, Any]) -> CommunityPlace:
    """Edit a place's name, kind, address or description (its stage moves with ``move_stage``)."""
    if {"stage", "stage_name", "stage_since"} & changes.keys():
        errors = Errors()
        errors.add("stage", "not_editable")
        errors.raise_if_any()
    return update_record(store, CommunityPlace, place_id, changes, _PLACE_FIELDS)


def move_stage(
    store: Store,
    place_id: str,
    stage: str,
    *,
    on: date | str | None = None,
    stage_name: str = "",
    note: str = "",
) -> CommunityPlace:
    """Move a place into a stage (concept → implementation → run by a local NGO, or a stage of the
    program's own, named): the place and its history change in one transaction."""
    place = get_live(store, CommunityPlace, place_id)
    errors = Errors()
    clean = parse(
        {"stage": stage, "stage_name": stage_name, "changed_on": on or today(), "note": note},
        parsers_for(PlaceStageChange, "stage", "stage_name", "changed_on", "note"),
        errors,
    )
    errors.raise_if_any()
    change = PlaceStageChange(place_id=place.id, **clean)
    check_record(None, change, errors)
    errors.raise_if_any()
    changed = [
        n
        for n, v in (
            ("stage", change.stage),
            ("stage_name", change.stage_name),
            ("stage_since", change.changed_on),
        )
        if getattr(place, n) != v
    ]
    place.stage, place.stage_name, place.stage_since = change.stage, change.stage_name, change.changed_on
    with store.write() as conn:
        store.save(conn, change)
        if changed:
            store.save(conn, place, changed)
    return place


def stage_history(store: Store, place_id: str) -> list[PlaceStageChange]:
    """A place's stage moves, oldest first."""
    with store.read() as session:
        rows = live_rows(session, PlaceStageChange, PlaceStageChange.place_id == place_id)
    return sorted(rows, key=lambda r: (r.changed_on, r.base_hlc))


def get_place(store: Store, place_id: str) -> CommunityPlace:
    return get_live(store, CommunityPlace, place_id)


def list_places(store: Store, *, zone_id: str | None = None) -> list[CommunityPlace]:
    with store.read() as session:
        conditions = [CommunityPlace.zone_id == zone_id] if zone_id else []
        rows = live_rows(session, CommunityPlace, *conditions)
    return sorted(rows, key=lambda p: p.name.casefold())


def delete_place(store: Store, place_id: str) -> None:
    delete_record(store, CommunityPlace, place_id)


# -- partners ----------------------------------------------------------------------------------


def add_partner(store: Store, place_id: str, data: dict[str, Any]) -> PlacePartner:
    """A partner of the place with its sector; an organisation among the contacts, or only a name."""
    get_live(store, CommunityPlace, place_id)
    errors = Errors()
    clean = parse(data, _PARTNER_FIELDS, errors, required=("sector",))
    with store.read() as session:
        check_exists(session, Contact, clean.get("contact_id"), "contact_id", errors)
    if not clean.get("contact_id") and not clean.get("name"):
        errors.add("name", "required")
    errors.raise_if_any()
    partner = PlacePartner(place_id=place_id, **clean)
    with store.write() as conn:
        store.save(conn, partner)
    return partner


def place_partners(store: Store, place_id: str) -> list[PlacePartner]:
    with store.read() as session:
        return live_rows(session, PlacePartner, PlacePartner.place_id == place_id)


def partners_by_sector(store: Store, place_id: str) -> dict[str, int]:
    """Current partners (not left) per sector."""
    counts: dict[str, int] = {}
    for partner in place_partners(store, place_id):
        if partner.left_on is None:
            counts[partner.sector] = counts.get(partner.sector, 0) + 1
    return counts


# -- self-assessment -----------------------------------------------------------------------------


def assess(
    store: Store,
    place_id: str,
    framework: str,
    on: date | str,
    met: Iterable[str],
    notes: dict[str, str] | None = None,
) -> list[PrincipleCheck]:
    """A dated self-assessment: one line per principle of ``framework`` (met or not, with a note)."""
    get_live(store, CommunityPlace, place_id)
    notes = notes or {}
    met = set(met)
    errors = Errors()
    head = parse(
        {"framework": framework, "assessed_on": on},
        parsers_for(PrincipleCheck, "framework", "assessed_on"),
        errors,
    )
    errors.raise_if_any()
    principles = PRINCIPLES[head["framework"]]
    for name in sorted((met | notes.keys()) - set(principles)):
        errors.add("principle", "principle_not_in_framework", value=name)
    lines = []
    for principle in principles:
        clean = parse({"note": notes.get(principle, "")}, parsers_for(PrincipleCheck, "note"), errors)
        lines.append(
            PrincipleCheck(place_id=place_id, principle=principle, met=principle in met, **head, **clean)
        )
    errors.raise_if_any()
    with store.write() as conn:
        for line in lines:
            store.save(conn, line)
    return lines


@dataclass(frozen=True)
class Assessment:
    """One dated self-assessment of a place against a framework."""

    assessed_on: date
    framework: str
    lines: dict[str, PrincipleCheck]

    @property
    def met(self) -> int:
        return sum(1 for line in self.lines.values() if line.met)


def assessments(store: Store, place_id: str) -> list[Assessment]:
    """A place's self-assessments by date and framework, oldest first (comparable over time)."""
    with store.read() as session:
        rows = live_rows(session, PrincipleCheck, PrincipleCheck.place_id == place_id)
    found: dict[tuple[date, str], dict[str, PrincipleCheck]] = {}
    for row in rows:
        found.setdefault((row.assessed_on, row.framework), {})[row.principle] = row
    return [Assessment(day, framework, lines) for (day, framework), lines in sorted(found.items())]


# -- rooms and bookings --------------------------------------------------------------------------


def add_room(store: Store, place_id: str, data: dict[str, Any]) -> Room:
    get_live(store, CommunityPlace, place_id)
    errors = Errors()
    clean = parse(data, _ROOM_FIELDS, errors, required=("name",))
    errors.raise_if_any()
    room = Room(place_id=place_id, **clean)
    with store.write() as conn:
        store.save(conn, room)
    return room


def place_rooms(store: Store, place_id: str) -> list[Room]:
    with store.read() as session:
        return live_rows(session, Room, Room.place_id == place_id)


def _overlap(a: Booking, b: Booking) -> bool:
    return (
        a.room_id == b.room_id
        and a.booked_on == b.booked_on
        and a.start_time < b.end_time
        and b.start_time < a.end_time
    )


def book(store: Store, place_id: str, data: dict[str, Any]) -> Booking:
    """Book a room of the place for hours on a day, for a group, an action or a named initiative.

    A booking that clashes with another is still written (see the module's note); ``clashes``
    names them."""
    get_live(store, CommunityPlace, place_id)
    errors = Errors()
    clean = parse(data, _BOOKING_FIELDS, errors, required=("room_id", "booked_on", "start_time", "end_time"))
    with store.read() as session:
        room = check_exists(session, Room, clean.get("room_id"), "room_id", errors)
        if room is not None and room.place_id != place_id:
            errors.add("room_id", "unknown_record", record_type=Room.record_type)
        check_exists(session, LocalActivityGroup, clean.get("group_id"), "group_id", errors)
        check_exists(session, NeighbourhoodAction, clean.get("action_id"), "action_id", errors)
    if not any(clean.get(n) for n in ("group_id", "action_id", "booked_for")):
        errors.add("booked_for", "required")
    booking = Booking(place_id=place_id, **{k: v for k, v in clean.items() if v is not None})
    check_record(None, booking, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, booking)
    return booking


def cancel_booking(store: Store, booking_id: str) -> None:
    delete_record(store, Booking, booking_id)


def bookings(
    store: Store, place_id: str, *, start: date | None = None, end: date | None = None
) -> list[Booking]:
    """A place's bookings (within ``start``–``end`` when given), by day and hour."""
    with store.read() as session:
        conditions = [Booking.place_id == place_id]
        if start is not None:
            conditions.append(Booking.booked_on >= start)
        if end is not None:
            conditions.append(Booking.booked_on <= end)
        rows = live_rows(session, Booking, *conditions)
    return sorted(rows, key=lambda b: (b.booked_on, b.start_time, b.room_id, b.base_hlc))


def clashes(rows: list[Booking]) -> dict[str, list[str]]:
    """For each booking that clashes, the ids of the bookings it overlaps."""
    found: dict[str, list[str]] = {}
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if _overlap(a, b):
                found.setdefault(a.id, []).append(b.id)
                found.setdefault(b.id, []).append(a.id)
    return found
