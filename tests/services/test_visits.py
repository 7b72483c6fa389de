"""Door-knocks, follow-ups and corrections through the visit service."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.model import Contact
from fieldapp.services import contacts, visits, zones
from fieldapp.store import Store


def test_a_door_where_nobody_opened_is_a_visit(store: Store) -> None:
    store.set_user("animator-1")
    visit = visits.log_visit(
        store, outcome="not_home", street="Zielona", house_number="7", address="Zielona 7"
    )
    assert visit.outcome == "not_home" and visit.animator_id == "animator-1"
    assert visit.visited_at.tzinfo is not None
    assert [v.id for v in visits.recent_visits(store)] == [visit.id]
    assert store.pending_changes() == 1


def test_bad_input_is_refused_whole(store: Store) -> None:
    with pytest.raises(ValidationFailed) as failed:
        visits.log_visit(
            store,
            outcome="teleported",
            lat=91,
            lon=float("inf"),
            visited_at=datetime.now(UTC) + timedelta(days=3),
            follow_up_on="jutro",
            contact_id="missing",
        )
    assert {e.field: e.code for e in failed.value.errors} == {
        "outcome": "outcome_unknown",
        "lat": "number_out_of_range",
        "lon": "number_out_of_range",
        "visited_at": "date_in_future",
        "follow_up_on": "invalid_date",
        "contact_id": "unknown_contact",
    }
    assert visits.recent_visits(store) == [] and store.pending_changes() == 0


def test_program_outcomes_extend_the_defaults(store: Store) -> None:
    with pytest.raises(ValidationFailed):
        visits.log_visit(store, outcome="left_leaflet")
    store.set_meta(visits.META_EXTRA_OUTCOMES, json.dumps(["left_leaflet", "BAD CODE"]))
    assert "left_leaflet" in visits.outcomes(store) and "BAD CODE" not in visits.outcomes(store)
    assert visits.log_visit(store, outcome="left_leaflet").outcome == "left_leaflet"


def test_visit_to_a_contact_takes_its_door_and_do_not_knock_marks_the_contact(store: Store) -> None:
    zone = zones.create_zone(store, {"name": "Księży Młyn", "kind": "quarter"})
    org = contacts.create_contact(
        store,
        {
            "kind": "ngo",
            "name": "Fundacja",
            "street": "Tylna",
            "house_number": "9",
            "address": "Tylna 9",
            "zone_id": zone.id,
        },
    )
    visit = visits.log_visit(store, outcome="do_not_knock", contact_id=org.id)
    assert (visit.address, visit.zone_id) == ("Tylna 9", zone.id)
    assert store.get(Contact, org.id).do_not_knock is True  # type: ignore[union-attr]
    assert [v.id for v in contacts.contact_visits(store, org.id)] == [visit.id]


def test_follow_ups_due_until_a_later_visit_closes_them(store: Store) -> None:
    today = date.today()
    earlier = datetime.now(UTC) - timedelta(days=2)
    due = visits.log_visit(
        store,
        outcome="come_back",
        street="Łąkowa",
        house_number="3",
        visited_at=earlier,
        follow_up_on=today,
        next_step="Przynieść ulotkę",
    )
    visits.log_visit(
        store,
        outcome="come_back",
        street="Łąkowa",
        house_number="5",
        visited_at=earlier,
        follow_up_on=today + timedelta(days=3),
    )
    assert [v.id for v in visits.follow_ups_due(store, today)] == [due.id]
    visits.log_visit(store, outcome="talked", street="Łąkowa", house_number="3")
    assert visits.follow_ups_due(store, today) == []


def test_many_visits_in_one_transaction_all_or_none(store: Store) -> None:
    items = [{"outcome": "talked", "street": "Piotrkowska", "house_number": str(n)} for n in range(1, 51)]
    assert len(visits.log_visits(store, items)) == 50
    with pytest.raises(ValidationFailed):
        visits.log_visits(store, [*items[:3], {"outcome": "?"}])
    assert len(visits.recent_visits(store, limit=500)) == 50


def test_correction_changes_what_was_returned_not_when(store: Store) -> None:
    visit = visits.log_visit(store, outcome="talked", notes="rozmowa")
    corrected = visits.correct_visit(store, visit.id, {"notes": "rozmowa o ławkach", "outcome": "come_back"})
    assert (corrected.notes, corrected.outcome, corrected.visited_at) == (
        "rozmowa o ławkach",
        "come_back",
        visit.visited_at,
    )
    with pytest.raises(ValidationFailed) as failed:
        visits.correct_visit(store, visit.id, {"visited_at": "2020-01-01"})
    assert failed.value.errors[0].code == "unknown_field"
