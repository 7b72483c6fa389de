"""Access request (RODO art. 15): the export holds everything stored about the person, as JSON."""

from __future__ import annotations

import json

import pytest

from fieldapp.errors import NotFound
from fieldapp.services.reviews import approve
from fieldapp.services.rodo import entries, export_person, export_person_json
from fieldapp.store import Store
from tests.rodo.helpers import EMAIL, NAME, PHONE, person_with_everything


def test_export_holds_everything_about_the_person(store: Store) -> None:
    store.set_meta("user.role", "supervisor")
    person = person_with_everything(store)
    approve(store, "visit", person.visits[0].id, "Dobrze")

    data = json.loads(export_person_json(store, person.contact.id, by="admin-1").decode("utf-8"))

    assert data["format"] == "teren.person-export/2"
    contact = data["contact"]
    assert (contact["id"], contact["name"], contact["phone"], contact["email"]) == (
        person.contact.id,
        NAME,
        PHONE,
        EMAIL,
    )
    assert contact["flat"] == "12" and contact["erased_at"] is None
    assert [c["note"] for c in data["consents"]] == [f"Zgoda ustna, {NAME}"]
    assert sorted(v["id"] for v in data["visits"]) == sorted(v.id for v in person.visits)
    assert {v["outcome"] for v in data["visits"]} == {"not_home", "talked", "come_back"}
    assert [r["name"] for r in data["resources"]] == [f"{NAME} — stolarz"]
    assert len(data["attendance"]) == 1 and data["attendance"][0]["event_id"] == person.meeting.id
    assert len(data["memberships"]) == 1 and len(data["tasks"]) == 1 and data["partners"] == []
    assert [a["title"] for a in data["actions"]] == ["Ławki"]
    assert [(r["state"], r["comment"]) for r in data["reviews"]] == [("approved", "Dobrze")]
    # Nothing about the neighbour.
    assert "Ala Nowak" not in json.dumps(data, ensure_ascii=False)
    # Polish letters stay readable in the file handed to the person.
    assert NAME.encode("utf-8") in export_person_json(store, person.contact.id, by="admin-1")
    assert [e.action for e in entries(store, target_id=person.contact.id)] == ["exported", "exported"]
    assert entries(store, target_id=person.contact.id)[0].actor == "admin-1"


def test_export_of_an_unknown_contact(store: Store) -> None:
    with pytest.raises(NotFound):
        export_person(store, "nobody")
    assert entries(store) == []


def test_export_after_erasure_says_what_is_left(store: Store) -> None:
    from fieldapp.services.rodo import erase_person

    store.set_meta("user.role", "admin")
    person = person_with_everything(store)
    erase_person(store, person.contact.id, by="admin-1")
    data = export_person(store, person.contact.id)
    assert data["contact"]["name"] == "" and data["contact"]["erased_at"]
    assert NAME not in json.dumps(data, ensure_ascii=False)
    assert len(data["visits"]) == 3  # the knocks stay, without notes
    json.dumps(data)  # serialisable
