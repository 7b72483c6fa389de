"""Sample community places, OWES animation and an edition for ``teren-demo``: a CAL centre in the
first zone that moved from its concept to implementation, three-sector partners, two rooms with a
week of bookings (one pair clashing, as happens when two devices book offline), two dated
self-assessments, a month of OWES activities and the program's current edition.

Written through ``Store.save`` like the rest of the sample data, so it syncs like any record.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from fieldapp.model import (
    Booking,
    CommunityPlace,
    Edition,
    OwesActivity,
    PlacePartner,
    PlaceStageChange,
    PrincipleCheck,
    Room,
    Zone,
)
from fieldapp.model.places import PRINCIPLES
from fieldapp.store import Store

_PARTNERS = (
    ("Urząd Miasta — Wydział Rewitalizacji", "public"),
    ("Stowarzyszenie Sąsiedzi Razem", "civic"),
    ("Piekarnia pod Kasztanem", "business"),
)
_OWES = (
    ("Spotkanie animacyjne z mieszkańcami", "animation_meeting", "initiating_meetings", 120, 1, 0, 0),
    ("Konsultacje programu usług społecznych", "civic_dialogue", "social_services", 180, 0, 0, 0),
    ("Wsparcie grupy zakładającej spółdzielnię", "", "supporting_formation", 240, 0, 1, 0),
    (
        "Partnerstwo na rzecz ekonomii społecznej",
        "partnership_building",
        "building_partnerships",
        90,
        0,
        0,
        1,
    ),
)


def write_community(store: Store, seed: int = 7, today: date | None = None) -> dict[str, Any]:
    """Add the sample place, OWES log and edition to a filled store; a summary of what was made."""
    rng = random.Random(seed)
    today = today or date.today()
    with store.read() as session:
        zone = session.exec(select(Zone).where(Zone.deleted == False).order_by(Zone.name)).first()  # noqa: E712
    zone_id = zone.id if zone is not None else None
    made: dict[str, int] = {"places": 1, "bookings": 0, "owes": len(_OWES)}
    with store.write() as conn:
        started = today - timedelta(days=120)
        place = CommunityPlace(
            zone_id=zone_id,
            kind="cal",
            name="CAL Stare Polesie",
            address="Więckowskiego 12",
            stage="implementation",
            stage_since=today - timedelta(days=30),
            opened_on=started,
        )
        store.save(conn, place)
        for stage, day in (("concept", started), ("implementation", today - timedelta(days=30))):
            store.save(conn, PlaceStageChange(place_id=place.id, stage=stage, changed_on=day))
        for name, sector in _PARTNERS:
            store.save(conn, PlacePartner(place_id=place.id, name=name, sector=sector, joined_on=started))
        rooms = [
            store.save(
                conn,
                Room(place_id=place.id, name="Sala duża", capacity=40, equipment="rzutnik, nagłośnienie"),
            ),
            store.save(
                conn, Room(place_id=place.id, name="Kuchnia społeczna", capacity=12, equipment="kuchnia")
            ),
        ]
        for offset in range(7):
            day = today + timedelta(days=offset)
            room = rooms[offset % 2]
            start = 16 + rng.randrange(3)
            store.save(
                conn,
                Booking(
                    place_id=place.id,
                    room_id=room.id,
                    booked_on=day,
                    start_time=f"{start}:00",
                    end_time=f"{start + 2}:00",
                    booked_for="Klub sąsiedzki",
                ),
            )
            made["bookings"] += 1
        store.save(
            conn,
            Booking(
                place_id=place.id,
                room_id=rooms[0].id,
                booked_on=today,
                start_time="17:30",
                end_time="19:00",
                booked_for="Próba chóru",
            ),
        )
        made["bookings"] += 1
        for day, met in ((started + timedelta(days=14), 2), (today - timedelta(days=7), 4)):
            for i, principle in enumerate(PRINCIPLES["cal"]):
                store.save(
                    conn,
                    PrincipleCheck(
                        place_id=place.id, assessed_on=day, framework="cal", principle=principle, met=i < met
                    ),
                )
        for i, (title, form, task, minutes, groups, enterprises, partnerships) in enumerate(_OWES):
            store.save(
                conn,
                OwesActivity(
                    zone_id=zone_id,
                    held_on=today - timedelta(days=3 + 5 * i),
                    title=title,
                    form=form,
                    task=task,
                    minutes=minutes,
                    groups_formed=groups,
                    enterprises_created=enterprises,
                    partnerships_formed=partnerships,
                ),
            )
        store.save(
            conn,
            Edition(
                name=f"Edycja {today.year}",
                starts_on=date(today.year, 1, 1),
                ends_on=date(today.year, 12, 31),
            ),
        )
    return made
