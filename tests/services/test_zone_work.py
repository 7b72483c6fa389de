"""Zones, diagnoses (needs and resources) and neighbourhood actions through the services."""

from __future__ import annotations

from datetime import date

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import error_text, errors_by_field
from fieldapp.services import actions, contacts, diagnoses, zones
from fieldapp.store import Store


def codes(failed: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in failed.value.errors}


def test_zones_validate_shape_and_unique_name(store: Store) -> None:
    zone = zones.create_zone(store, {"name": "Stare Polesie", "kind": "sas", "library_branch": "Filia 12"})
    with pytest.raises(ValidationFailed) as failed:
        zones.create_zone(store, {"name": "stare polesie"})
    assert codes(failed) == {"name": "zone_name_taken"}
    with pytest.raises(ValidationFailed) as failed:
        zones.create_zone(store, {"name": "Koło", "center_lat": 51.77, "radius_m": 500})
    assert codes(failed) == {"center_lat": "geo_center_missing"}
    with pytest.raises(ValidationFailed) as failed:
        zones.create_zone(store, {"name": "Trójkąt", "polygon": [[51.7, 19.4], [51.71, 19.41]]})
    assert codes(failed) == {"polygon": "geo_polygon_too_few_points"}
    assert [z.name for z in zones.list_zones(store)] == ["Stare Polesie"]
    assert zones.update_zone(store, zone.id, {"notes": "wokół biblioteki"}).notes == "wokół biblioteki"


@pytest.fixture
def diagnosis(store: Store):
    zone = zones.create_zone(store, {"name": "Bałuty", "kind": "sas"})
    return diagnoses.create_diagnosis(
        store,
        {
            "zone_id": zone.id,
            "title": "Diagnoza wiosna",
            "period_start": "2026-03-01",
            "methods": ["research_walk", "street_survey"],
            "people_reached": 84,
        },
    )


def test_diagnosis_needs_ranked_by_people_then_priority(store: Store, diagnosis) -> None:
    assert diagnosis.methods == ["street_survey", "research_walk"]  # vocabulary order
    diagnoses.add_need(store, diagnosis.id, {"category": "Zieleń", "people_count": 17})
    diagnoses.add_need(store, diagnosis.id, {"category": "Seniorzy", "people_count": 23, "priority": "high"})
    diagnoses.add_need(store, diagnosis.id, {"category": "Dzieci", "people_count": 17, "priority": "high"})
    ranked = [n.category for n in diagnoses.needs_ranked(store, diagnosis.id)]
    assert ranked == ["Seniorzy", "Dzieci", "Zieleń"]
    with pytest.raises(ValidationFailed) as failed:
        diagnoses.add_need(store, diagnosis.id, {"category": "", "people_count": 0, "priority": "urgent"})
    assert codes(failed) == {
        "category": "required",
        "people_count": "invalid_number",
        "priority": "invalid_choice",
    }
    with pytest.raises(ValidationFailed) as failed:
        diagnoses.update_diagnosis(store, diagnosis.id, {"period_end": date(2026, 2, 1)})
    assert codes(failed) == {"period_end": "period_order"}


def test_resources_group_follows_kind_and_links_a_contact(store: Store, diagnosis) -> None:
    org = contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja Łódzkie Podwórka"})
    linked = diagnoses.add_resource(
        store, diagnosis.id, {"kind": "organisation", "name": "Fundacja", "contact_id": org.id}
    )
    assert linked.category == "institutional"
    place = diagnoses.add_resource(
        store, diagnosis.id, {"kind": "place", "category": "", "name": "Świetlica"}
    )
    assert place.category == "material"
    with pytest.raises(ValidationFailed) as failed:
        diagnoses.add_resource(store, diagnosis.id, {"kind": "skill", "name": "x", "contact_id": "gone"})
    assert codes(failed) == {"contact_id": "unknown_contact"}


def test_action_lifecycle_from_a_need(store: Store, diagnosis) -> None:
    need = diagnoses.add_need(store, diagnosis.id, {"category": "Kawiarenka", "people_count": 9})
    action = actions.create_action_from_need(
        store, need.id, {"kind": "meeting", "grant_requested_gr": 250_000}
    )
    assert (action.title, action.zone_id, action.need_ids, action.status) == (
        "Kawiarenka",
        diagnosis.zone_id,
        [need.id],
        "idea",
    )
    with pytest.raises(ValidationFailed) as failed:
        actions.advance_action(store, action.id, "done")
    assert codes(failed) == {"status": "action_transition"}
    assert "idea" in errors_by_field(failed.value, "pl")["status"]
    for status in ("planned", "funded", "done"):
        actions.advance_action(store, action.id, status)
    with pytest.raises(ValidationFailed) as failed:
        actions.advance_action(store, action.id, "reported")
    assert codes(failed) == {
        "report": "action_report_required",
        "participants": "action_participants_required",
    }
    actions.update_action(store, action.id, {"report": "Przyszło 40 osób", "participants": 40})
    assert actions.advance_action(store, action.id, "reported").status == "reported"
    assert [a.id for a in actions.list_actions(store, status="reported", zone_id=diagnosis.zone_id)] == [
        action.id
    ]
    assert actions.list_actions(store, status="idea") == []


def test_grant_warnings_never_block(store: Store) -> None:
    action = actions.create_action(
        store, {"title": "Festyn", "grant_requested_gr": 600_000, "grant_granted_gr": 700_000}
    )
    warnings = actions.grant_warnings(action)
    assert [(w.field, w.code) for w in warnings] == [
        ("grant_requested_gr", "grant_outside_range"),
        ("grant_granted_gr", "grant_outside_range"),
        ("grant_granted_gr", "grant_above_request"),
    ]
    # Amounts are written in the reader's language (fieldapp.i18n.format), with no-break spaces.
    assert error_text(warnings[0], "pl").replace("\u00a0", " ") == (
        "Kwota 6 000,00 zł jest poza zwykłym zakresem mikrograntu (od 1 500,00 zł do 5 000,00 zł)"
        " — sprawdź, czy to zamierzone."
    )
    assert error_text(warnings[2], "en").replace("\u00a0", " ") == (
        "More was granted (PLN 7,000.00) than requested (PLN 6,000.00)."
    )
    ok = actions.create_action(store, {"title": "Warsztaty", "grant_requested_gr": 250_000})
    assert actions.grant_warnings(ok) == []
