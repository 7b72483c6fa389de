"""Issue 26's kinds through the real service over HTTP (SQLite and PostgreSQL): a place, its rooms,
stage history and bookings reach a teammate; two bookings made offline on two devices for the same
hour both survive and both devices flag the clash; an edition's carried names, OWES activities and
participant profiles sync; and the record rules hold on the service for a device that skipped them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from fieldapp.model import (
    Booking,
    CommunityPlace,
    EditionItem,
    OwesActivity,
    ParticipantProfile,
    PlaceStageChange,
)
from fieldapp.model.editions import BaseItem
from fieldapp.services import places as svc
from fieldapp.services.actions import create_action
from fieldapp.services.clause import BUILTIN_VERSION
from fieldapp.services.contacts import create_contact
from fieldapp.services.editions import edition_base, start_edition
from fieldapp.services.participants import profile_of, set_profile
from fieldapp.services.social_economy import log_activity, period_indicators
from tests.security.test_field_rules import change, push, refusal
from tests.sync.conftest import World, backend, server, world  # noqa: F401 (fixtures)

DAY = date(2026, 11, 20)


def test_bookings_sync_and_an_offline_clash_is_flagged_on_both_devices(world: World) -> None:  # noqa: F811
    anna, bartek = world.device(), world.device()
    place = svc.create_place(anna.store, {"name": "CAL Bałuty", "kind": "cal"})
    svc.move_stage(anna.store, place.id, "implementation", on=date(2026, 5, 1))
    hall = svc.add_room(anna.store, place.id, {"name": "Sala duża", "capacity": 40})
    anna.engine.sync()
    bartek.engine.sync()
    assert bartek.store.get(CommunityPlace, place.id).stage == "implementation"
    assert len(svc.stage_history(bartek.store, place.id)) == 2

    # Both book the hall for overlapping hours while offline.
    mine = svc.book(
        anna.store,
        place.id,
        {
            "room_id": hall.id,
            "booked_on": DAY,
            "start_time": "17:00",
            "end_time": "19:00",
            "booked_for": "Klub seniora",
        },
    )
    theirs = svc.book(
        bartek.store,
        place.id,
        {
            "room_id": hall.id,
            "booked_on": DAY,
            "start_time": "18:30",
            "end_time": "20:00",
            "booked_for": "Próba chóru",
        },
    )
    for device in (anna, bartek, anna):
        device.engine.sync()
    for device in (anna, bartek):
        rows = svc.bookings(device.store, place.id)
        assert {b.id for b in rows} == {mine.id, theirs.id}
        assert svc.clashes(rows) == {mine.id: [theirs.id], theirs.id: [mine.id]}


def test_editions_owes_and_profiles_reach_a_teammate(world: World) -> None:  # noqa: F811
    anna, bartek = world.device(), world.device()
    consent = {
        "status": "given", "scope_contact": True, "scope_store": True, "recorded_by": "Anna", "adult": True,
        "clause_version": BUILTIN_VERSION,
    }
    halina = create_contact(
        anna.store, {"kind": "leader", "name": "Halina"}, {**consent, "scope_later_editions": True}
    ).id
    create_contact(anna.store, {"kind": "leader", "name": "Marek"}, consent)
    first = start_edition(
        anna.store, {"name": "2026", "starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31)}
    )
    second = start_edition(anna.store, {"name": "2027", "starts_on": date(2027, 1, 1)}, previous_id=first.id)
    log_activity(
        anna.store,
        {"held_on": date(2026, 3, 3), "title": "Konsultacje", "form": "civic_dialogue", "minutes": 120},
    )
    festyn = create_action(anna.store, {"title": "Festyn"})
    set_profile(anna.store, "action", festyn.id, {"age_60_plus": 7, "seniors": 7})
    anna.engine.sync()
    bartek.engine.sync()
    base = edition_base(bartek.store, second.id)
    assert base.named[BaseItem.LEADER] == [halina] and base.anonymous[BaseItem.LEADER] == 1
    assert period_indicators(bartek.store, date(2026, 3, 1), date(2026, 3, 31)).consultations == 1
    profile = profile_of(bartek.store, "action", festyn.id)
    assert profile is not None and (profile.age_60_plus, profile.seniors) == (7, 7)


def test_two_devices_counting_one_event_offline_make_one_profile(world: World) -> None:  # noqa: F811
    anna, bartek = world.device(), world.device()
    festyn = create_action(anna.store, {"title": "Festyn"})
    anna.engine.sync()
    bartek.engine.sync()
    set_profile(anna.store, "action", festyn.id, {"age_60_plus": 6, "seniors": 6})
    set_profile(bartek.store, "action", festyn.id, {"age_under_18": 9, "youth": 9})
    for device in (anna, bartek, anna):
        device.engine.sync()
    for device in (anna, bartek):
        with device.store.read() as session:
            rows = session.exec(select(ParticipantProfile)).all()
        assert len(rows) == 1
        profile = rows[0]
        # Both created it whole: the later count stands (never the two added up).
        assert (profile.age_60_plus, profile.seniors, profile.age_under_18, profile.youth) == (0, 0, 9, 9)


def _place(**fields: Any) -> dict[str, Any]:
    return change("community_place", {"name": "CAL", **fields})


ATTACKS = [
    (
        "an own stage without its name",
        lambda: _place(stage="own"),
        {("stage_name", "place_stage_name_required")},
    ),
    ("a stage no program has", lambda: _place(stage="closed"), {("stage", "invalid_choice")}),
    (
        "a booking ending before it starts",
        lambda: change(
            "booking",
            {
                "place_id": "p",
                "room_id": "r",
                "booked_on": "2026-11-20",
                "start_time": "19:00",
                "end_time": "17:00",
            },
        ),
        {("end_time", "booking_ends_before_start")},
    ),
    (
        "a booking at 25:00",
        lambda: change(
            "booking",
            {
                "place_id": "p",
                "room_id": "r",
                "booked_on": "2026-11-20",
                "start_time": "25:00",
                "end_time": "26:00",
            },
        ),
        {("start_time", "invalid_time"), ("end_time", "invalid_time")},
    ),
    (
        "a MAM value in the CAL checklist",
        lambda: change(
            "principle_check",
            {"place_id": "p", "assessed_on": "2026-03-01", "framework": "cal", "principle": "agency"},
        ),
        {("principle", "principle_not_in_framework")},
    ),
    (
        "an OWES activity with neither form nor task",
        lambda: change("owes_activity", {"held_on": "2026-03-01", "title": "Coś"}),
        {("form", "owes_form_or_task")},
    ),
    (
        "more seniors than people counted",
        lambda: change("participant_profile", {"event_id": "a", "age_60_plus": 3, "seniors": 9}),
        {("seniors", "profile_group_exceeds_total")},
    ),
    (
        "an edition ending before it starts",
        lambda: change("edition", {"name": "2027", "starts_on": "2027-05-01", "ends_on": "2027-01-01"}),
        {("ends_on", "edition_ends_before_start")},
    ),
    (
        "later editions without consent to store",
        lambda: change(
            "consent",
            {
                "contact_id": "c",
                "status": "given",
                "given_at": "2026-03-01 12:00:00+00:00",
                "scope_later_editions": True,
            },
        ),
        {("scope_later_editions", "consent_later_editions_needs_store")},
    ),
    (
        "a negative count carried",
        lambda: change("edition_item", {"edition_id": "e", "item": "leader", "count": -4}),
        {("count", "invalid_number")},
    ),
]


@pytest.mark.parametrize(("label", "make", "broken"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_the_service_holds_the_new_kinds_to_their_rules(
    world: World,  # noqa: F811 (the fixture)
    label: str,
    make: Any,
    broken: set[tuple[str, str]],
) -> None:
    animator, teammate = world.device(), world.device()
    attack = make()
    [result] = push(world, animator, attack)
    assert refusal(result) == ("rejected", "invalid_value", broken), label
    teammate.engine.sync()
    for model in (CommunityPlace, Booking, OwesActivity, ParticipantProfile, EditionItem, PlaceStageChange):
        assert teammate.store.get(model, attack["id"]) is None
