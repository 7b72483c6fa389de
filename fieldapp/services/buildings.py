"""Buildings and their flats: what the door-to-door screen shows as a grid, and the knock itself.

A building's flats come from three places: the range an animator set once ("1–60", a synced
``Building``), the flats of past visits and the flats of contacts at that street and number. Each
flat carries its last outcome and whether it must not be knocked on, so the grid colours it.
Reading one block is two indexed queries (``ix_visit_door``, ``ix_contact_door``); the benchmark
``tests/benchmarks/ui.py`` opens a block of 200 flats.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select

from fieldapp.errors import Errors
from fieldapp.geo.distance import geodesic_m
from fieldapp.model import Building, Visit
from fieldapp.model.enums import VisitOutcome
from fieldapp.services.validation import check_record, parse, parsers_for, update_record
from fieldapp.store import Store, raw

BUILDING_PARSERS = parsers_for(Building, required=("street", "house_number"))
_NUMBER = re.compile(r"\s*(\d+)(.*)")


def natural_key(text: str) -> tuple[int, str]:
    """Sort "2", "10", "10a", "B" as people expect (numbers by value, then the rest)."""
    found = _NUMBER.match(text or "")
    return (int(found.group(1)), found.group(2).strip().lower()) if found else (1 << 30, (text or "").lower())


@dataclass(frozen=True)
class Flat:
    """One flat of a building as the grid shows it."""

    number: str
    #: The outcome of the last visit at this flat (None: never knocked).
    outcome: str | None = None
    visited_at: datetime | None = None
    #: "Do not knock": the last visit said so, or a contact living here asked for it.
    do_not_knock: bool = False
    follow_up_on: date | None = None


@dataclass(frozen=True)
class BuildingFlats:
    street: str
    house_number: str
    staircase: str
    building: Building | None
    flats: tuple[Flat, ...]
    #: The last outcome at the building's door itself (a knock without a flat).
    door_outcome: str | None = None

    @property
    def knocked(self) -> int:
        return sum(1 for flat in self.flats if flat.outcome)


def _door(street: str, house_number: str) -> tuple[str, str]:
    return " ".join(street.split()), house_number.strip()


def find_building(store: Store, street: str, house_number: str, staircase: str = "") -> Building | None:
    """The live building at this address and staircase, if one was saved."""
    street, house_number = _door(street, house_number)
    with store.read() as session:
        return session.exec(
            select(Building).where(
                Building.deleted == False,  # noqa: E712
                Building.street == street,
                Building.house_number == house_number,
                Building.staircase == staircase.strip(),
            )
        ).first()


def save_building(store: Store, data: dict[str, Any]) -> Building:
    """Create the building at ``data``'s street, number and staircase, or change the one there
    (e.g. its flat range); the range must run forwards."""
    errors = Errors()
    clean = parse(data, BUILDING_PARSERS, errors, required=("street", "house_number"))
    errors.raise_if_any()
    existing = find_building(store, clean["street"], clean["house_number"], clean.get("staircase", ""))
    if existing is not None:
        changes = {k: v for k, v in data.items() if k not in ("street", "house_number", "staircase")}
        return update_record(store, Building, existing.id, changes, BUILDING_PARSERS)
    clean["street"], clean["house_number"] = _door(clean["street"], clean["house_number"])
    building = Building(**clean)
    if building.zone_id is None:
        building.zone_id = street_zone(store, building.street)
    check_record(None, building, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, building)
    return building


def building_flats(store: Store, street: str, house_number: str, staircase: str = "") -> BuildingFlats:
    """The flats of one building with their last outcomes, in natural order."""
    street, house_number = _door(street, house_number)
    building = find_building(store, street, house_number, staircase)
    last: dict[str, tuple[str, str, str | None]] = {}  # outcome, visited_at, follow_up_on as stored
    door_outcome = None
    never: set[str] = set()
    with store.engine.connect() as conn:
        db = raw(conn)
        visits = db.execute(
            "SELECT flat, outcome, visited_at, follow_up_on FROM visit INDEXED BY ix_visit_door "
            "WHERE deleted = 0 AND street = ? AND house_number = ? ORDER BY visited_at",
            (street, house_number),
        ).fetchall()
        contacts = db.execute(
            "SELECT flat, do_not_knock FROM contact INDEXED BY ix_contact_door "
            "WHERE deleted = 0 AND street = ? AND house_number = ? AND erased_at IS NULL",
            (street, house_number),
        ).fetchall()
    for flat, outcome, visited_at, follow_up_on in visits:
        flat = (flat or "").strip()
        if not flat:
            door_outcome = outcome
            continue
        last[flat] = (outcome, visited_at, follow_up_on)
    numbers: set[str] = set(last)
    for flat, do_not_knock in contacts:
        flat = (flat or "").strip()
        if flat:
            numbers.add(flat)
            if do_not_knock:
                never.add(flat)
    if building is not None and building.flat_first and building.flat_last:
        in_range = {str(n) for n in range(building.flat_first, building.flat_last + 1)}
        numbers = (numbers | in_range) if not staircase else in_range | (numbers & in_range)
    flats = []
    for number in sorted(numbers, key=natural_key):
        outcome, visited_at, follow_up_on = last.get(number, (None, None, None))
        flats.append(
            Flat(
                number,
                outcome,
                datetime.fromisoformat(visited_at).replace(tzinfo=UTC) if visited_at else None,
                number in never or outcome == VisitOutcome.DO_NOT_KNOCK,
                date.fromisoformat(follow_up_on) if follow_up_on else None,
            )
        )
    return BuildingFlats(street, house_number, staircase.strip(), building, tuple(flats), door_outcome)


def street_numbers(store: Store, street: str) -> list[str]:
    """House numbers known on a street (visits, contacts, buildings), in natural order."""
    street = " ".join(street.split())
    query = """
        SELECT house_number FROM visit WHERE deleted = 0 AND street = :s AND house_number != ''
        UNION SELECT house_number FROM contact WHERE deleted = 0 AND street = :s AND house_number != ''
        UNION SELECT house_number FROM building WHERE deleted = 0 AND street = :s
    """
    with store.engine.connect() as conn:
        numbers = [row[0] for row in raw(conn).execute(query, {"s": street})]
    return sorted(numbers, key=natural_key)


def street_zone(store: Store, street: str) -> str | None:
    """The zone a street's known places lie in (the most common one), for a knock without a
    position: zone coverage then counts it."""
    street = " ".join(street.split())
    if not street:
        return None
    query = """
        SELECT zone_id FROM visit WHERE deleted = 0 AND street = :s AND zone_id IS NOT NULL
        UNION ALL SELECT zone_id FROM contact WHERE deleted = 0 AND street = :s AND zone_id IS NOT NULL
        UNION ALL SELECT zone_id FROM building WHERE deleted = 0 AND street = :s AND zone_id IS NOT NULL
    """
    with store.engine.connect() as conn:
        zones = Counter(row[0] for row in raw(conn).execute(query, {"s": street}))
    return zones.most_common(1)[0][0] if zones else None


def last_visit_at(store: Store, street: str, house_number: str) -> Visit | None:
    """The latest visit at a building (any flat)."""
    street, house_number = _door(street, house_number)
    with store.read() as session:
        return session.exec(
            select(Visit)
            .where(Visit.deleted == False, Visit.street == street, Visit.house_number == house_number)  # noqa: E712
            .order_by(col(Visit.visited_at).desc())
        ).first()


@dataclass(frozen=True)
class DoorChoice:
    """A building offered for one tap on the door-to-door screen."""

    street: str
    house_number: str
    distance_m: float | None = None


_ADDRESSES = """
    SELECT street, house_number, avg(lat), avg(lon) FROM (
        SELECT street, house_number, lat, lon FROM contact
        WHERE deleted = 0 AND street != '' AND house_number != '' AND (:zone IS NULL OR zone_id = :zone)
        UNION ALL SELECT street, house_number, lat, lon FROM building
        WHERE deleted = 0 AND (:zone IS NULL OR zone_id = :zone)
        UNION ALL SELECT street, house_number, lat, lon FROM visit
        WHERE deleted = 0 AND street != '' AND house_number != '' AND (:zone IS NULL OR zone_id = :zone)
    ) GROUP BY street, house_number
"""


def door_choices(
    store: Store,
    zone_id: str | None,
    position: tuple[float, float] | None = None,
    *,
    since: datetime | None = None,
    limit: int = 8,
) -> list[DoorChoice]:
    """Buildings of a zone not knocked on since ``since`` (e.g. the start of today): the nearest
    first when the position is known, else in street order from where the last knock was."""
    with store.engine.connect() as conn:
        db = raw(conn)
        rows = db.execute(_ADDRESSES, {"zone": zone_id}).fetchall()
        done: set[tuple[str, str]] = set()
        if since is not None:
            stamp = since.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
            done = {
                (street, number) for street, number in db.execute(
                    "SELECT street, house_number FROM visit WHERE deleted = 0 AND visited_at >= ?", (stamp,))
            }
        found = db.execute(
            "SELECT street, house_number FROM visit WHERE deleted = 0 AND street != '' "
            "ORDER BY visited_at DESC LIMIT 1"
        ).fetchone()
        last = tuple(found) if found else None
    open_rows = [row for row in rows if (row[0], row[1]) not in done]
    if position is not None and any(row[2] is not None for row in open_rows):
        placed = [(geodesic_m(position, (row[2], row[3])), row) for row in open_rows if row[2] is not None]
        placed.sort(key=lambda item: item[0])
        return [DoorChoice(row[0], row[1], distance) for distance, row in placed[:limit]]
    ordered = sorted(open_rows, key=lambda row: (row[0].lower(), natural_key(row[1])))
    if last is not None:
        after = [row for row in ordered if (row[0].lower(), natural_key(row[1])) > (last[0].lower(),
                                                                                      natural_key(last[1]))]
        same_street = [row for row in after if row[0] == last[0]]
        ordered = same_street + [row for row in ordered if row not in same_street]
    return [DoorChoice(row[0], row[1]) for row in ordered[:limit]]
