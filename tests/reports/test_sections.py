"""The sections beyond the summary against what was written through the services, counted here by
hand: zones (stage, leaders), cooperation (groups formed, three-sector partnerships, meetings by
kind with hours, consultations, training series), people (leaders' base, volunteers' hours, the
ladder, which must agree with ``fieldapp.cooperation.ladder``), diagnosis (a zone's diagnosis
against its previous one), the comparison with the previous period, and who carried out an action
nobody was named for."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fieldapp.cooperation.ladder import ladder_report
from fieldapp.reports import build_report
from fieldapp.reports.comparison import previous_period
from fieldapp.services import actions, contacts, diagnoses, visits, zones
from fieldapp.services.cooperation import (
    add_volunteer,
    create_group,
    create_meeting,
    create_partnership,
    create_series,
    log_hours,
)
from fieldapp.store import Store

TODAY = date.today()
START = TODAY.replace(day=1)
END = (START + timedelta(days=32)).replace(day=1) - timedelta(days=1)
BEFORE = START - timedelta(days=5)  # in the previous month
CONSENT = {
    "status": "given",
    "method": "oral",
    "scope_contact": True,
    "scope_store": True,
    "adult": True,
    "clause_version": "teren-2026.1",
    "recorded_by": "Ola",
}


def person(store: Store, name: str, zone_id: str, kind: str = "resident") -> str:
    data = {"kind": kind, "name": name, "street": "Łąkowa", "house_number": "3", "zone_id": zone_id}
    return contacts.create_contact(store, data, CONSENT).id


def org(store: Store, name: str, kind: str) -> str:
    return contacts.create_contact(store, {"kind": kind, "name": name}).id


@pytest.fixture
def world(store: Store) -> dict:
    polesie = zones.create_zone(store, {"name": "Polesie", "kind": "sas"}).id
    baluty = zones.create_zone(store, {"name": "Bałuty", "kind": "sas"}).id
    zones.create_zone(store, {"name": "Widzew", "kind": "sas"})
    leaders = [person(store, f"Lider {i}", polesie, "leader") for i in range(3)]
    residents = [person(store, f"Osoba {i}", polesie) for i in range(4)]
    person(store, "Liderka z Bałut", baluty, "leader")
    city, ngo, shop = (
        org(store, "Urząd", "local_government"),
        org(store, "Fundacja", "ngo"),
        org(store, "Sklep", "business"),
    )

    visits.log_visit(
        store, outcome="talked", street="Łąkowa", house_number="3", zone_id=polesie, contact_id=leaders[0]
    )
    visits.log_visit(store, outcome="not_home", street="Łąkowa", house_number="5", zone_id=baluty)

    create_group(
        store,
        {"name": "Ogrodnicy", "theme": "ogród", "bond": "theme", "zone_id": polesie, "founded_on": TODAY},
        leader_ids=[leaders[1]],
        member_ids=residents[:2],
    )
    create_group(
        store,
        {
            "name": "Stara",
            "theme": "blok",
            "bond": "street",
            "zone_id": polesie,
            "founded_on": BEFORE - timedelta(days=60),
        },
        member_ids=residents[2:3],
    )
    create_partnership(
        store,
        {"name": "Trzy sektory", "zone_id": polesie},
        partners=[{"contact_id": city}, {"contact_id": ngo}, {"contact_id": shop}],
    )
    create_partnership(
        store,
        {"name": "Dwa sektory", "zone_id": polesie},
        partners=[{"contact_id": city}, {"contact_id": ngo}],
    )

    series = create_series(store, {"name": "Liderzy 2026", "zone_id": polesie, "sessions_planned": 10})
    for minutes, attendees in ((240, residents[:3]), (180, residents[:2])):
        create_meeting(
            store,
            {
                "topic": "Sesja",
                "kind": "training",
                "held_on": TODAY,
                "zone_id": polesie,
                "duration_min": minutes,
                "series_id": series.id,
            },
            attendee_ids=attendees,
        )
    create_meeting(
        store,
        {
            "topic": "Park",
            "kind": "consultation",
            "held_on": TODAY,
            "zone_id": polesie,
            "anonymous_count": 7,
            "outcome": "Ławki przy placu",
        },
        attendee_ids=[leaders[2]],
    )
    create_meeting(
        store,
        {"topic": "Forum", "kind": "forum", "held_on": BEFORE, "zone_id": polesie},
        attendee_ids=[residents[3]],
    )

    helper = add_volunteer(store, {"contact_id": residents[0], "zone_id": polesie, "since": BEFORE})
    log_hours(store, helper.id, {"worked_on": TODAY, "minutes": 90})
    log_hours(store, helper.id, {"worked_on": TODAY, "minutes": 60})
    log_hours(store, helper.id, {"worked_on": BEFORE, "minutes": 600})

    old = diagnoses.create_diagnosis(
        store,
        {
            "zone_id": polesie,
            "title": "Wiosna",
            "period_start": BEFORE - timedelta(days=200),
            "period_end": BEFORE - timedelta(days=100),
        },
    )
    diagnoses.add_need(store, old.id, {"category": "Ławki", "people_count": 4})
    diagnoses.add_need(store, old.id, {"category": "Świetlica", "people_count": 9})
    new = diagnoses.create_diagnosis(store, {"zone_id": polesie, "title": "Jesień", "period_start": START})
    diagnoses.add_need(store, new.id, {"category": "ławki ", "people_count": 10})
    diagnoses.add_need(store, new.id, {"category": "Zieleń", "people_count": 2})
    diagnoses.add_resource(store, new.id, {"kind": "place", "name": "Podwórko"})

    reported = actions.create_action(
        store,
        {
            "title": "Sprzątanie",
            "zone_id": polesie,
            "starts_on": TODAY,
            "participants": 12,
            "report": "Posprzątane",
        },
    )
    for status in ("planned", "done", "reported"):
        actions.advance_action(store, reported.id, status)
    return {"polesie": polesie, "baluty": baluty, "leaders": leaders, "residents": residents}


def test_zones_stage_leaders_and_actions(store: Store, world: dict) -> None:
    report = build_report(store, start=START, end=END, zone_ids=None)
    by_name = {z.name: z for z in report["zones"].zones}
    assert [by_name[n].stage for n in ("Polesie", "Bałuty", "Widzew")] == ["actions", "door_to_door", "none"]
    polesie = by_name["Polesie"]
    assert (
        polesie.leaders,
        polesie.leaders_found,
        polesie.talks,
        polesie.actions,
        polesie.actions_happened,
    ) == (3, 3, 1, 1, 1)
    assert (by_name["Bałuty"].leaders, by_name["Bałuty"].visits) == (1, 1)


def test_cooperation_groups_partnerships_meetings_trainings(store: Store, world: dict) -> None:
    c = build_report(store, start=START, end=END, zone_ids=[world["polesie"]])["cooperation"]
    groups = {g.name: g for g in c.groups}
    assert (groups["Ogrodnicy"].formed, groups["Ogrodnicy"].members, groups["Ogrodnicy"].leaders) == (
        True,
        3,
        1,
    )
    assert groups["Stara"].formed is False and c.groups_formed == 1
    partnerships = {p.name: p for p in c.partnerships}
    assert partnerships["Trzy sektory"].three_sector and partnerships["Trzy sektory"].sectors == (
        "public",
        "civic",
        "business",
    )
    assert not partnerships["Dwa sektory"].three_sector and c.three_sector == 1
    meetings = {m.kind: m for m in c.meetings}
    assert (
        meetings["training"].meetings,
        meetings["training"].participants,
        meetings["training"].minutes,
    ) == (2, 5, 420)
    assert (meetings["consultation"].meetings, meetings["consultation"].participants) == (1, 8)
    assert meetings["forum"].meetings == 0  # held the month before
    assert c.consultations == [(TODAY, "Park", "Ławki przy placu")]
    [training] = c.trainings
    assert (
        training.series,
        training.sessions,
        training.minutes,
        training.attendance,
        training.sessions_planned,
    ) == ("Liderzy 2026", 2, 420, 5, 10)


def test_people_base_volunteers_and_the_ladder_agree_with_the_cooperation_ladder(
    store: Store, world: dict
) -> None:
    report = build_report(store, start=START, end=END, zone_ids=[world["polesie"]])
    p = report["people"]
    [polesie] = p.zones
    assert (polesie.leaders, polesie.leaders_found, polesie.leaders_active) == (3, 3, 2)
    assert (polesie.volunteers, polesie.volunteer_minutes, p.volunteer_hours) == (1, 150, Decimal("2.50"))
    expected = ladder_report(store, zone_id=world["polesie"], since=START, until=END)
    assert p.persons == expected.people
    assert p.at_level == expected.at_level
    assert p.reached == expected.reached_in_period


def test_a_zones_diagnosis_against_its_previous_one(store: Store, world: dict) -> None:
    d = build_report(store, start=START, end=END, zone_ids=[world["polesie"]])["diagnosis"]
    changes = {c.category.strip().lower(): (c.now, c.before) for c in d.changes}
    assert changes == {"ławki": (10, 4), "zieleń": (2, None), "świetlica": (None, 9)}
    assert d.resources == {("place", "material"): 1}
    assert [(z, now) for z, now, _before in d.compared] == [("Polesie", START)]


def test_the_comparison_sets_this_month_beside_the_last(store: Store, world: dict) -> None:
    c = build_report(store, start=START, end=END, zone_ids=[world["polesie"]])["comparison"]
    assert (c.start, c.end) == previous_period(START, END)
    rows = {ch.name: (ch.now, ch.before) for ch in c.changes}
    assert rows["visits"] == (1, 0)
    assert rows["meetings"] == (3, 1)
    assert rows["training_hours"] == (Decimal("7.00"), Decimal("0.00"))
    assert rows["volunteer_hours"] == (Decimal("2.50"), Decimal("10.00"))
    assert rows["groups_formed"] == (1, 0)


def test_an_action_reported_with_nobody_named_still_says_who_carried_it_out(
    store: Store, world: dict
) -> None:
    """It showed "Brak danych": the action screens never ask for organisers, and only named
    organisers were counted."""
    s = build_report(store, start=START, end=END, zone_ids=None)["summary"]
    assert [(c.kind, c.actions) for c in s.carried_out_by] == [("not_named", 1)]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2026, 1, 1), date(2026, 3, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2026, 3, 10), date(2026, 3, 19), (date(2026, 2, 28), date(2026, 3, 9))),
        (date(2026, 3, 5), date(2026, 3, 5), (date(2026, 3, 4), date(2026, 3, 4))),
    ],
)
def test_previous_periods(start: date, end: date, expected: tuple[date, date]) -> None:
    assert previous_period(start, end) == expected
