"""Community places through the services: stages and their history, partners by sector, dated
self-assessments compared over time, rooms and bookings with clashes flagged."""

from __future__ import annotations

from datetime import date

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.model import CommunityPlace
from fieldapp.services.cooperation import create_group
from fieldapp.services.places import (
    add_partner,
    add_room,
    assess,
    assessments,
    book,
    bookings,
    clashes,
    create_place,
    move_stage,
    partners_by_sector,
    stage_history,
)
from fieldapp.store import Store
from tests.cooperation.helpers import contact, outbox, zone


def test_a_place_moves_through_its_stages_and_keeps_the_history(store: Store) -> None:
    place = create_place(store, {"name": "MAM Księży Młyn", "kind": "mam", "stage_since": date(2026, 2, 1)})
    move_stage(store, place.id, "implementation", on=date(2026, 5, 1))
    move_stage(store, place.id, "ngo_run", on=date(2026, 10, 1), note="Prowadzi Stowarzyszenie Młyn")
    stored = store.get(CommunityPlace, place.id)
    assert (stored.stage, stored.stage_since) == ("ngo_run", date(2026, 10, 1))
    assert [(c.stage, c.changed_on) for c in stage_history(store, place.id)] == [
        ("concept", date(2026, 2, 1)),
        ("implementation", date(2026, 5, 1)),
        ("ngo_run", date(2026, 10, 1)),
    ]
    assert ("community_place", place.id, ["stage", "stage_since"]) in outbox(store)


def test_a_programs_own_stage_is_named(store: Store) -> None:
    place = create_place(store, {"name": "Dom sąsiedzki", "kind": "community_centre"})
    with pytest.raises(ValidationFailed) as caught:
        move_stage(store, place.id, "own")
    assert [e.code for e in caught.value.errors] == ["place_stage_name_required"]
    move_stage(store, place.id, "own", stage_name="Pilotaż")
    assert store.get(CommunityPlace, place.id).stage_name == "Pilotaż"


def test_partners_by_sector(store: Store) -> None:
    place = create_place(store, {"name": "CAL Widzew", "kind": "cal"})
    ngo = contact(store, "Fundacja Widzew", kind="ngo")
    add_partner(store, place.id, {"contact_id": ngo.id, "sector": "civic"})
    add_partner(store, place.id, {"name": "Urząd Miasta", "sector": "public"})
    add_partner(
        store, place.id, {"name": "Piekarnia Kłos", "sector": "business", "left_on": date(2026, 6, 1)}
    )
    assert partners_by_sector(store, place.id) == {"civic": 1, "public": 1}
    with pytest.raises(ValidationFailed):
        add_partner(store, place.id, {"sector": "civic"})  # neither a contact nor a name


def test_self_assessments_are_dated_and_comparable_over_time(store: Store) -> None:
    place = create_place(store, {"name": "CAL Bałuty", "kind": "cal"})
    assess(store, place.id, "cal", date(2026, 3, 1), met=["self_help"], notes={"participation": "Mało osób"})
    assess(store, place.id, "cal", date(2026, 9, 1), met=["self_help", "participation", "common_good"])
    assess(store, place.id, "mam", date(2026, 9, 1), met=["agency", "openness"])
    found = assessments(store, place.id)
    assert [(a.assessed_on, a.framework, a.met) for a in found] == [
        (date(2026, 3, 1), "cal", 1),
        (date(2026, 9, 1), "cal", 3),
        (date(2026, 9, 1), "mam", 2),
    ]
    assert len(found[0].lines) == 6
    assert found[0].lines["participation"].note == "Mało osób"
    with pytest.raises(ValidationFailed) as caught:
        assess(store, place.id, "partnership", date(2026, 9, 1), met=["agency"])
    assert [e.code for e in caught.value.errors] == ["principle_not_in_framework"]


def test_a_group_books_a_room_and_a_clash_is_flagged_not_refused(store: Store) -> None:
    sas = zone(store)
    place = create_place(store, {"name": "CAL Bałuty", "kind": "cal", "zone_id": sas.id})
    hall = add_room(store, place.id, {"name": "Sala duża", "capacity": 40, "equipment": "rzutnik, krzesła"})
    small = add_room(store, place.id, {"name": "Pokój", "capacity": 8})
    group = create_group(store, {"name": "Klub seniora", "theme": "seniorzy", "zone_id": sas.id})
    day = date(2026, 11, 20)
    first = book(
        store,
        place.id,
        {
            "room_id": hall.id,
            "booked_on": day,
            "start_time": "17:00",
            "end_time": "19:00",
            "group_id": group.id,
        },
    )
    other_room = book(
        store,
        place.id,
        {
            "room_id": small.id,
            "booked_on": day,
            "start_time": "17:30",
            "end_time": "18:30",
            "booked_for": "Korepetycje",
        },
    )
    after = book(
        store,
        place.id,
        {
            "room_id": hall.id,
            "booked_on": day,
            "start_time": "19:00",
            "end_time": "20:00",
            "booked_for": "Próba chóru",
        },
    )
    clash = book(
        store,
        place.id,
        {
            "room_id": hall.id,
            "booked_on": day,
            "start_time": "18:30",
            "end_time": "19:30",
            "booked_for": "Warsztaty",
        },
    )
    rows = bookings(store, place.id)
    assert len(rows) == 4
    assert clashes(rows) == {first.id: [clash.id], clash.id: [first.id, after.id], after.id: [clash.id]}
    assert other_room.id not in clashes(rows)
    assert ("booking", clash.id, []) in [(t, i, []) for t, i, _ in outbox(store)]


def test_a_booking_ends_after_it_starts_and_names_who_books(store: Store) -> None:
    place = create_place(store, {"name": "CAL", "kind": "cal"})
    room = add_room(store, place.id, {"name": "Sala"})
    with pytest.raises(ValidationFailed) as caught:
        book(
            store,
            place.id,
            {"room_id": room.id, "booked_on": date(2026, 11, 20), "start_time": "18:00", "end_time": "17:00"},
        )
    assert {e.code for e in caught.value.errors} == {"booking_ends_before_start", "required"}
    assert bookings(store, place.id) == []
