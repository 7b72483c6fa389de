"""Walk lists: the doors of a zone to knock on today, in a short walking order.

Contacts are grouped into doors by building (street + house number, or the same point), so a
block of flats is one stop with its flats listed: the list is buildings in route order, then
their flats, each building once (skipped ones too: ``skipped_doors``). Contacts marked "do not
knock" — or whose door got that outcome in any visit — and those visited today are left out, each
with its reason, and contacts without a position yet are listed apart (they cannot be placed on
the route).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from fieldapp.geo.address import AddressQuery, flat_in
from fieldapp.geo.distance import Point, bearing_deg, check_point, compass_point, geodesic_m
from fieldapp.geo.route import order_route
from fieldapp.geo.zones import shape_of
from fieldapp.i18n.format import format_address
from fieldapp.model import Contact, Zone
from fieldapp.model.enums import VisitOutcome
from fieldapp.store import Store, raw
from fieldapp.store.codec import to_sqlite_datetime
from fieldapp.store.text import fold

SKIP_DO_NOT_KNOCK = "do_not_knock"
SKIP_VISITED_TODAY = "visited_today"


@dataclass(frozen=True)
class Door:
    """One stop of a walk: a building, or a single point."""

    key: str
    label: str
    lat: float
    lon: float
    contact_ids: tuple[str, ...] = ()
    #: Flats of the contacts at this door, for the list ("m. 4, m. 12").
    flats: tuple[str, ...] = ()

    @property
    def point(self) -> Point:
        return self.lat, self.lon


@dataclass(frozen=True)
class WalkStop:
    door: Door
    #: Metres from the previous stop (or from the start) and the bearing to walk.
    leg_m: float
    bearing_deg: float
    total_m: float

    @property
    def direction(self) -> str:
        return compass_point(self.bearing_deg)


@dataclass(frozen=True)
class Skipped:
    contact_id: str
    label: str
    #: do_not_knock | visited_today
    reason: str
    #: The contact's flat in its building ("" for a house or an unknown flat).
    flat: str = ""


@dataclass(frozen=True)
class SkippedDoor:
    """Skipped contacts of one building for one reason: one line of the walk list, not one a flat."""

    label: str
    reason: str
    flats: tuple[str, ...]


def skipped_doors(skipped: Iterable[Skipped]) -> list[SkippedDoor]:
    """Group skipped contacts by building and reason, flats in natural order, first seen first."""
    grouped: dict[tuple[str, str], set[str]] = {}
    for item in skipped:
        grouped.setdefault((item.label, item.reason), set()).update({item.flat} - {""})
    return [SkippedDoor(label, reason, tuple(sorted(flats, key=_flat_order)))
            for (label, reason), flats in grouped.items()]


def _flat_order(flat: str) -> tuple[int, str]:
    digits = "".join(ch for ch in flat if ch.isdigit())
    return (int(digits) if digits else 1 << 30, flat)


@dataclass(frozen=True)
class NextDoor:
    stop: WalkStop
    index: int
    #: From the given position; without one, from the previous stop (None for the first stop
    #: of a walk planned without a start: nothing to measure from).
    distance_m: float | None
    bearing_deg: float | None
    remaining: int

    @property
    def direction(self) -> str | None:
        return compass_point(self.bearing_deg) if self.bearing_deg is not None else None


@dataclass
class WalkList:
    start: Point | None
    stops: list[WalkStop]
    skipped: list[Skipped] = field(default_factory=list)
    #: Contacts of the zone with no position yet (pending geocoding, failed, never given).
    unlocated: list[Contact] = field(default_factory=list)

    @property
    def total_m(self) -> float:
        return self.stops[-1].total_m if self.stops else 0.0

    def next_door(self, position: Point | None, done: Iterable[str] = ()) -> NextDoor | None:
        """The first stop not yet done, with the distance and direction from ``position``."""
        finished = set(done)
        remaining = [(i, stop) for i, stop in enumerate(self.stops) if stop.door.key not in finished]
        if not remaining:
            return None
        index, stop = remaining[0]
        if position is None:
            if index == 0 and self.start is None:
                return NextDoor(stop, index, None, None, len(remaining))
            return NextDoor(stop, index, stop.leg_m, stop.bearing_deg, len(remaining))
        return NextDoor(stop, index, geodesic_m(position, stop.door.point),
                        bearing_deg(position, stop.door.point), len(remaining))


def plan_walk(doors: Sequence[Door], start: Point | None = None) -> list[WalkStop]:
    """Order doors into a short walk from ``start``; legs and totals are geodesic metres."""
    if start is not None:
        check_point(*start)
    order = order_route([door.point for door in doors], start)
    stops: list[WalkStop] = []
    previous, total = start, 0.0
    for i in order:
        door = doors[i]
        leg = geodesic_m(previous, door.point) if previous is not None else 0.0
        bearing = bearing_deg(previous, door.point) if previous is not None and leg > 0 else 0.0
        total += leg
        stops.append(WalkStop(door, leg, bearing, total))
        previous = door.point
    return stops


def build_walk_list(
    store: Store,
    zone_id: str,
    start: Point | None = None,
    *,
    on: date | None = None,
    kinds: Iterable[str] | None = None,
    extra_doors: Sequence[Door] = (),
) -> WalkList:
    """The walk list of a zone for the day ``on`` (default today, local time).

    Contacts of the zone (by ``zone_id``, or by position inside the zone's shape when they have no
    zone yet) become doors; ``kinds`` limits them (e.g. residents only); ``extra_doors`` adds
    addresses that are not contacts.
    """
    wanted = set(kinds) if kinds is not None else None
    with store.engine.connect() as conn:
        contacts = [c for c in _zone_contacts(conn, zone_id) if wanted is None or c.kind in wanted]
        visited_today, never_knock = _visit_marks(conn, on or date.today())
    skipped: list[Skipped] = []
    unlocated: list[Contact] = []
    groups: dict[str, list[Contact]] = {}
    for contact in contacts:
        label = _label(contact)
        keys = _marks_of(contact)
        if contact.do_not_knock or keys & never_knock:
            skipped.append(Skipped(contact.id, label, SKIP_DO_NOT_KNOCK, _flat(contact)))
        elif keys & visited_today:
            skipped.append(Skipped(contact.id, label, SKIP_VISITED_TODAY, _flat(contact)))
        elif contact.lat is None or contact.lon is None:
            unlocated.append(contact)
        else:
            groups.setdefault(_door_key(contact), []).append(contact)
    doors = [_door(key, members) for key, members in groups.items()]
    doors += [
        door for door in extra_doors
        if door.key not in groups and not {f"a:{door.key}"} & (visited_today | never_knock)
    ]
    return WalkList(start, plan_walk(doors, start), skipped, unlocated)


# -- helpers ------------------------------------------------------------------------------------


def address_door(address: str, lat: float, lon: float) -> Door:
    """A door that is not a contact (an address list from the coordinator), keyed like contacts'."""
    check_point(lat, lon)
    probe = Contact(kind="", address=address)
    key = _address_key(probe) or f"p:{lat:.5f},{lon:.5f}"
    return Door(key, _label(probe), lat, lon)


def _zone_contacts(conn: Connection, zone_id: str) -> list[Contact]:
    with Session(bind=conn) as session:
        # Restricted people (art. 18) are hidden like erased ones.
        live = (
            (Contact.deleted == False)  # noqa: E712
            & Contact.erased_at.is_(None)  # type: ignore[union-attr]
            & col(Contact.restricted_at).is_(None)
        )
        contacts = list(session.exec(select(Contact).where(live, Contact.zone_id == zone_id)))
        zone = session.get(Zone, zone_id)
        shape = shape_of(zone) if zone is not None and not zone.deleted else None
        if shape is not None:
            min_lat, max_lat, min_lon, max_lon = shape.bbox
            loose = session.exec(select(Contact).where(
                live, Contact.zone_id.is_(None), Contact.lat.between(min_lat, max_lat),
                Contact.lon.between(min_lon, max_lon),
            ))
            contacts += [c for c in loose if shape.contains((c.lat, c.lon))]
        session.expunge_all()
    return contacts


def _visit_marks(conn: Connection, day: date) -> tuple[set[str], set[str]]:
    """Keys of contacts/doors visited on ``day`` (local), and of doors told "do not knock"."""
    start = datetime.combine(day, time.min).astimezone()
    end = datetime.combine(day, time.max).astimezone()
    visited: set[str] = set()
    never: set[str] = set()
    rows = raw(conn).execute(
        "SELECT contact_id, address, street, house_number, flat, visited_at >= ? AND visited_at <= ?, "
        "outcome FROM visit WHERE deleted = 0 AND (outcome = ? OR (visited_at >= ? AND visited_at <= ?))",
        (to_sqlite_datetime(start), to_sqlite_datetime(end), VisitOutcome.DO_NOT_KNOCK,
         to_sqlite_datetime(start), to_sqlite_datetime(end)),
    )
    for contact_id, address, street, house_number, flat, today, outcome in rows:
        target = never if outcome == VisitOutcome.DO_NOT_KNOCK else visited
        if not today and target is visited:
            continue
        if contact_id:
            target.add(f"c:{contact_id}")
            continue
        probe = Contact(kind="", address=address or "", street=street or "", house_number=house_number or "")
        key = _address_key(probe)
        if not key:
            continue
        # A knock recorded at a flat marks that flat; one at the building marks the whole door.
        target.add(f"af:{key}|{fold(flat or '')}" if flat else f"a:{key}")
    return visited, never


def _marks_of(contact: Contact) -> set[str]:
    """The keys under which visits to this contact are found (see _visit_marks)."""
    keys = {f"c:{contact.id}"}
    address = _address_key(contact)
    if address:
        keys |= {f"a:{address}", f"af:{address}|{_flat(contact)}"}
    return keys


def _address_key(contact: Contact) -> str:
    query = AddressQuery.of_record(contact)
    if query is None or not query.house_number:
        return ""
    return fold(f"{query.street} {query.house_number}").replace(" ", "")


def _flat(contact: Contact) -> str:
    return fold(contact.flat or flat_in(contact.address or ""))


def _door_key(contact: Contact) -> str:
    key = _address_key(contact)
    return key or f"p:{contact.lat:.5f},{contact.lon:.5f}"


def _label(contact: Contact) -> str:
    query = AddressQuery.of_record(contact)
    return format_address(query.street, query.house_number) if query else (contact.name or contact.address)


def _door(key: str, members: list[Contact]) -> Door:
    lat = sum(c.lat for c in members) / len(members)
    lon = sum(c.lon for c in members) / len(members)
    flats = tuple(sorted({c.flat or flat_in(c.address or "") for c in members} - {""}))
    return Door(key, _label(members[0]), lat, lon, tuple(c.id for c in members), flats)
