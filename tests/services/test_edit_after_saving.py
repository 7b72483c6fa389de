"""Everything the field writes can be edited after saving: a diagnosis returned by the coordinator
is corrected by its author and goes back for review; a need's priority and a resource's place on
the map change; an action's title, kind and description change; a zone gets its boundary, stage
and animators."""

from __future__ import annotations

from datetime import date, timedelta

from fieldapp.services import actions, diagnoses, zones
from fieldapp.services.reviews import return_entry, state_of
from fieldapp.store import Store


def as_user(store: Store, user_id: str, user_role: str) -> None:
    store.set_user(user_id)
    store.set_meta("user.role", user_role)


def test_a_returned_diagnosis_is_corrected_and_resubmitted(store: Store) -> None:
    as_user(store, "anim-1", "animator")
    zone = zones.create_zone(store, {"name": "SAS Polesie", "kind": "sas"})
    diagnosis = diagnoses.create_diagnosis(
        store, {"zone_id": zone.id, "title": "Diagnoza", "period_start": date.today() - timedelta(days=30)}
    )
    need = diagnoses.add_need(store, diagnosis.id, {"category": "Ławki", "priority": "high"})
    resource = diagnoses.add_resource(store, diagnosis.id, {"kind": "place", "name": "Sala parafialna"})
    as_user(store, "sup-1", "supervisor")
    return_entry(store, "diagnosis", diagnosis.id, "Dopisz metody i liczbę osób")
    as_user(store, "anim-1", "animator")
    fixed = diagnoses.update_diagnosis(
        store,
        diagnosis.id,
        {
            "methods": ["street_survey", "interviews"],
            "people_reached": 45,
            "summary": "Sondaż i wywiady",
            "period_end": date.today(),
        },
    )
    assert (fixed.people_reached, fixed.methods) == (45, ["street_survey", "interviews"])
    assert state_of(store, "diagnosis", diagnosis.id) == "corrected"
    assert diagnoses.update_need(store, need.id, {"priority": "low", "people_count": 7}).priority == "low"
    placed = diagnoses.update_resource(store, resource.id, {"lat": 51.7701, "lon": 19.4402})
    assert (placed.lat, placed.lon) == (51.7701, 19.4402)


def test_an_action_and_a_zone_are_edited_after_saving(store: Store) -> None:
    action = actions.create_action(store, {"title": "Festyn", "kind": "festival"})
    edited = actions.update_action(
        store, action.id, {"title": "Kiermasz", "kind": "fair", "description": "Na placu"}
    )
    assert (edited.title, edited.kind, edited.description) == ("Kiermasz", "fair", "Na placu")
    zone = zones.create_zone(store, {"name": "Ćwiartka 1", "kind": "quarter"})
    square = [[51.772, 19.450], [51.772, 19.462], [51.764, 19.462], [51.764, 19.450]]
    changed = zones.update_zone(
        store,
        zone.id,
        {"polygon": square, "workers": ["ania"], "stage": "action_chosen", "library_branch": "Filia 12"},
    )
    assert (changed.workers, changed.stage, changed.library_branch) == (["ania"], "action_chosen", "Filia 12")
