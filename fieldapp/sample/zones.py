"""Sample zones, one SAS around each library branch, and the buildings of each zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import select

from fieldapp.model import Zone
from fieldapp.sample.data.zones import ZONES
from fieldapp.sample.draw import Draw
from fieldapp.sample.progress import Summary
from fieldapp.store import Store

#: At most this many buildings a street.
DOORS_PER_STREET = 60
#: Contacts a building, about.
CONTACTS_PER_DOOR = 6


@dataclass
class Door:
    """A building: its zone's index in ``ZONES``, its address and its position."""

    zone: int
    street: str
    number: str
    lat: float
    lon: float


def write_zones(store: Store, draw: Draw, count: int, summary: Summary) -> tuple[list[Zone], list[list[str]]]:
    """The first ``count`` sample zones and each one's animators' ids; a live zone of the same name
    (an earlier fill) is reused with its workers."""
    with store.read() as session:
        existing = {
            zone.name: zone
            for zone in session.exec(select(Zone).where(Zone.deleted == False))  # noqa: E712
        }
    animators = [[draw.uid(), draw.uid()] for _ in range(count)]
    zones = []
    with store.write() as conn:
        for i, spec in enumerate(ZONES[:count]):
            if spec.name in existing:
                zone = existing[spec.name]
                animators[i] = list(zone.workers) or animators[i]
                zones.append(zone)
                continue
            zone = Zone(
                name=spec.name,
                kind="sas",
                library_branch=spec.branch,
                center_lat=spec.lat,
                center_lon=spec.lon,
                radius_m=float(spec.radius_m),
                workers=animators[i],
                notes=f"Strefa Aktywności Sąsiedzkiej wokół: {spec.branch}. Dane przykładowe.",
                created_at=draw.now - timedelta(days=240),
            )
            zones.append(store.save(conn, zone))
            summary.zones += 1
    return zones, animators


def draw_doors(draw: Draw, zone_count: int, contacts: int) -> list[list[Door]]:
    """Buildings of each zone: about ``CONTACTS_PER_DOOR`` contacts a building."""
    rng = draw.rng
    doors = []
    for z in range(zone_count):
        spec, seen, mine = ZONES[z], set(), []
        wanted = min(
            max(4, contacts // (zone_count * CONTACTS_PER_DOOR)), len(spec.streets) * DOORS_PER_STREET
        )
        while len(mine) < wanted:
            street = rng.choice(spec.streets)
            number = str(rng.randint(1, 160)) + rng.choice(("",) * 12 + ("a", "b"))
            if (street, number) in seen:
                continue
            seen.add((street, number))
            mine.append(Door(z, street, number, *draw.point_in(spec)))
        doors.append(mine)
    return doors
