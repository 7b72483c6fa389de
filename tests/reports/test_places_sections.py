"""The report's sections for issue 26 against what was written through the services: community
places (stage, partners by sector, bookings with clashes, principles over time), the OWES
indicators, who took part (anonymous profiles) and individual support in training series."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from fieldapp.reports import build_report
from fieldapp.services import actions, zones
from fieldapp.services.cooperation import create_meeting, create_series
from fieldapp.services.participants import set_profile
from fieldapp.services.places import add_partner, add_room, assess, book, create_place, move_stage
from fieldapp.services.social_economy import log_activity
from fieldapp.store import Store
from tests.cooperation.helpers import contact

START = date(2026, 3, 1)
END = date(2026, 3, 31)


def test_places_owes_and_participants_in_the_report(store: Store) -> None:
    polesie = zones.create_zone(store, {"name": "Polesie", "kind": "sas"}).id
    widzew = zones.create_zone(store, {"name": "Widzew", "kind": "sas"}).id
    cal = create_place(
        store, {"name": "CAL Polesie", "kind": "cal", "zone_id": polesie, "stage_since": date(2026, 1, 10)}
    )
    create_place(store, {"name": "MAM Widzew", "kind": "mam", "zone_id": widzew})
    move_stage(store, cal.id, "implementation", on=date(2026, 3, 5))
    add_partner(store, cal.id, {"name": "Urząd", "sector": "public"})
    add_partner(store, cal.id, {"name": "Fundacja", "sector": "civic"})
    hall = add_room(store, cal.id, {"name": "Sala", "capacity": 30})
    day = date(2026, 3, 12)
    for start, end in (("17:00", "19:00"), ("18:00", "20:00"), ("20:00", "21:00")):
        book(
            store,
            cal.id,
            {
                "room_id": hall.id,
                "booked_on": day,
                "start_time": start,
                "end_time": end,
                "booked_for": "Klub",
            },
        )
    book(
        store,
        cal.id,
        {
            "room_id": hall.id,
            "booked_on": date(2026, 4, 2),
            "start_time": "10:00",
            "end_time": "11:00",
            "booked_for": "Poza okresem",
        },
    )
    assess(store, cal.id, "cal", date(2026, 1, 15), met=["self_help"])
    assess(store, cal.id, "cal", date(2026, 3, 20), met=["self_help", "participation", "common_good"])
    coop = contact(store, "Spółdzielnia", kind="social_economy")
    log_activity(
        store,
        {
            "held_on": date(2026, 3, 3),
            "title": "Spotkanie",
            "form": "animation_meeting",
            "entity_ids": [coop.id],
            "minutes": 120,
            "groups_formed": 1,
            "zone_id": polesie,
        },
    )
    log_activity(
        store,
        {
            "held_on": date(2026, 3, 9),
            "title": "Konsultacje",
            "form": "civic_dialogue",
            "minutes": 60,
            "zone_id": polesie,
            "partnerships_formed": 1,
        },
    )
    festyn = actions.create_action(
        store, {"title": "Festyn", "zone_id": polesie, "starts_on": date(2026, 3, 14)}
    )
    set_profile(
        store,
        "action",
        festyn.id,
        {"age_under_18": 10, "age_60_plus": 5, "youth": 10, "seniors": 5, "migrants": 2},
    )
    series = create_series(store, {"name": "Szkoła liderów", "zone_id": polesie})
    create_meeting(
        store,
        {
            "topic": "Doradztwo",
            "kind": "support",
            "held_on": date(2026, 3, 16),
            "duration_min": 90,
            "series_id": series.id,
            "zone_id": polesie,
        },
    )

    report = build_report(store, start=START, end=END, zone_ids=[polesie])

    places = report["places"]
    assert [(p.name, p.stage, p.sectors, p.rooms) for p in places.places] == [
        ("CAL Polesie", "implementation", {"public": 1, "civic": 1}, 1)
    ]
    assert [(d, n, s) for d, n, s, _ in places.moves] == [(date(2026, 3, 5), "CAL Polesie", "implementation")]
    [row] = places.bookings
    assert (row.bookings, row.minutes, row.clashing) == (3, 300, 2)
    assert [(a.assessed_on, len(a.met), a.change) for a in places.assessments] == [
        (date(2026, 1, 15), 1, None),
        (date(2026, 3, 20), 3, 2),
    ]
    owes = report["owes"]
    assert (
        owes.activities,
        owes.entities,
        owes.groups_formed,
        owes.partnerships_formed,
        owes.consultations,
        owes.hours,
    ) == (2, 1, 1, 1, 1, Decimal("3.00"))
    people = report["participants"]
    assert (people.events, people.people, people.groups["migrants"]) == (1, 15, 2)
    assert people.support == [("Szkoła liderów", 1, 90)]
    for lang in ("pl", "en"):
        titles = [table.title for part in report.parts(lang) for table in part.tables]
        assert ("Rezerwacje sal w okresie" if lang == "pl" else "Room bookings in the period") in titles

    elsewhere = build_report(store, start=START, end=END, zone_ids=[widzew])
    assert [p.name for p in elsewhere["places"].places] == ["MAM Widzew"]
    assert elsewhere["owes"].activities == 0 and elsewhere["places"].bookings == []
    assert (
        build_report(store, start=START + timedelta(days=31), end=END + timedelta(days=30), zone_ids=None)[
            "places"
        ]
        .bookings[0]
        .bookings
        == 1
    )
