"""Buildings and their flats, the knock that needs an address, and follow-ups by group."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.model import Building, Contact, Visit
from fieldapp.services import buildings, contacts, visits, zones
from fieldapp.store import Store

GIVEN = {
    "status": "given", "method": "oral", "scope_contact": True, "scope_store": True, "recorded_by": "Ola",
    "adult": True, "clause_version": "teren-2026.1",
}


def test_a_building_s_flats_join_its_range_past_visits_and_contacts(store: Store) -> None:
    buildings.save_building(store, {"street": "Czajkowskiego", "house_number": "120a", "flat_first": 1,
                                    "flat_last": 6})
    visits.log_knock(store, outcome="not_home", street="Czajkowskiego", house_number="120a", flat="2")
    visits.log_knock(store, outcome="talked", street="Czajkowskiego", house_number="120a", flat="2")
    visits.log_knock(store, outcome="do_not_knock", street="Czajkowskiego", house_number="120a", flat="5")
    visits.log_knock(store, outcome="talked", street="Czajkowskiego", house_number="120a", flat="12a")
    contacts.create_contact(store, {"kind": "resident", "name": "Ewa", "street": "Czajkowskiego",
                                    "house_number": "120a", "flat": "10", "do_not_knock": True}, GIVEN)

    block = buildings.building_flats(store, "Czajkowskiego", " 120a ")

    assert [f.number for f in block.flats] == ["1", "2", "3", "4", "5", "6", "10", "12a"]
    by_number = {f.number: f for f in block.flats}
    assert by_number["2"].outcome == "talked"  # the last visit counts
    assert by_number["5"].do_not_knock and by_number["10"].do_not_knock
    assert by_number["1"].outcome is None and not by_number["1"].do_not_knock
    assert block.knocked == 3


def test_one_building_per_address_and_staircase_and_a_range_runs_forwards(store: Store) -> None:
    first = buildings.save_building(store, {"street": "Wólczańska", "house_number": "7", "flat_first": 1,
                                            "flat_last": 20})
    again = buildings.save_building(store, {"street": "Wólczańska", "house_number": "7", "flat_last": 40})
    other = buildings.save_building(store, {"street": "Wólczańska", "house_number": "7", "staircase": "II",
                                            "flat_first": 41, "flat_last": 80})
    assert again.id == first.id and again.flat_last == 40 and other.id != first.id
    with pytest.raises(ValidationFailed) as failed:
        buildings.save_building(store, {"street": "Wólczańska", "house_number": "9", "flat_first": 30,
                                        "flat_last": 3})
    assert [(e.field, e.code) for e in failed.value.errors] == [("flat_last", "building_flat_range")]
    assert buildings.street_numbers(store, "Wólczańska") == ["7"]
    staircase = buildings.building_flats(store, "Wólczańska", "7", "II")
    assert staircase.flats[0].number == "41" and len(staircase.flats) == 40


def test_a_knock_needs_a_street_and_a_number(store: Store) -> None:
    with pytest.raises(ValidationFailed) as failed:
        visits.log_knock(store, outcome="talked", street="", house_number="")
    assert {e.field: e.code for e in failed.value.errors} == {
        "street": "door_street_required", "house_number": "door_house_number_required"}
    assert visits.recent_visits(store) == []


def test_a_knock_without_a_zone_takes_the_street_s_zone(store: Store) -> None:
    zone = zones.create_zone(store, {"name": "SAS Widzew", "center_lat": 51.76, "center_lon": 19.5,
                                     "radius_m": 500})
    contacts.create_contact(store, {"kind": "resident", "name": "Jan", "street": "Piotrkowska",
                                    "house_number": "3", "zone_id": zone.id}, GIVEN)
    knock = visits.log_knock(store, outcome="not_home", street="Piotrkowska", house_number="5")
    assert knock.zone_id == zone.id
    assert store.get(Visit, knock.id).zone_id == zone.id


def test_follow_ups_are_grouped_with_counts(store: Store) -> None:
    today = date.today()
    for days, street in ((-3, "A"), (-1, "B"), (0, "C"), (7, "D"), (30, "E")):
        visits.log_knock(store, outcome="talked", street=street, house_number="1",
                         follow_up_on=today + timedelta(days=days))
    closed = visits.log_knock(store, outcome="talked", street="F", house_number="1",
                              follow_up_on=today - timedelta(days=2))
    visits.log_knock(store, outcome="not_home", street="F", house_number="1")  # a later knock closes it

    found = visits.follow_ups(store, today, limit=1)

    assert found.counts == {"overdue": 2, "today": 1, "upcoming": 2}
    assert [v.street for v in found.overdue] == ["B"]  # the most recently missed first
    assert [v.street for v in found.upcoming] == ["D"]
    every = visits.follow_up_group(store, today, "overdue")
    assert [v.street for v in every] == ["B", "A"] and closed.id not in {v.id for v in every}


def test_a_building_is_a_synced_record(store: Store) -> None:
    building = buildings.save_building(store, {"street": "Zielona", "house_number": "1"})
    assert store.get(Building, building.id) is not None
    assert store.pending_changes() == 1
    assert Contact  # the model family is importable beside the others
