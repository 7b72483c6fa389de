"""An access export (RODO art. 15) through the services and the real sync service: it holds the
person's own data and the audit entries about them, never another person's id or name."""

from __future__ import annotations

import json

from fieldapp.model import Contact
from fieldapp.services import actions, contacts, visits
from fieldapp.services.reviews import approve
from fieldapp.services.rodo import export_person
from fieldapp.services.rodo.audit import record_view
from tests.rodo.helpers import GIVEN
from tests.sync.conftest import World


def test_a_shared_action_names_only_the_person_and_the_audit_entries_are_theirs(world: World) -> None:
    animator, supervisor = world.device(), world.device(role="supervisor")
    anna = contacts.create_contact(animator.store, {"kind": "leader", "name": "Anna Wiśniewska"}, GIVEN)
    beata = contacts.create_contact(animator.store, {"kind": "leader", "name": "Beata Zielińska"}, GIVEN)
    shared = actions.create_action(
        animator.store, {"title": "Ławki na podwórku", "organiser_ids": [anna.id, beata.id]}
    )
    actions.create_action(animator.store, {"title": "Sprzątanie", "organiser_ids": [beata.id],
                                           "partner_ids": [anna.id]})
    actions.create_action(animator.store, {"title": "Tylko Beata", "organiser_ids": [beata.id]})
    knock = visits.log_visit(animator.store, contact_id=anna.id, outcome="talked", notes="Chce ławek")
    animator.engine.sync()
    supervisor.engine.sync()

    store = supervisor.store
    approve(store, "visit", knock.id, "Dobrze")
    assert record_view(store, store.get(Contact, anna.id))  # type: ignore[arg-type]
    assert record_view(store, store.get(Contact, beata.id))  # type: ignore[arg-type]
    export_person(store, anna.id, by=supervisor.user_id)
    data = export_person(store, anna.id, by=supervisor.user_id)

    text = json.dumps(data, ensure_ascii=False)
    for other in (beata.id, "Beata", "Zielińska", "Tylko Beata"):
        assert other not in text, other
    for staff in (animator.user_id, supervisor.user_id):  # who knocked, reviewed, opened the card
        assert staff not in text
    assert {a["title"]: a["roles"] for a in data["actions"]} == {
        "Ławki na podwórku": ["organiser"], "Sprzątanie": ["partner"]}
    assert [a["id"] for a in data["actions"] if a["title"] == "Ławki na podwórku"] == [shared.id]
    assert [v["notes"] for v in data["visits"]] == ["Chce ławek"]
    assert [(r["state"], r["comment"]) for r in data["reviews"]] == [("approved", "Dobrze")]
    # The audit entries about Anna on this device, oldest first (the running export comes after).
    assert [e["action"] for e in data["audit"]] == ["viewed", "exported"]
    assert data["contact"]["name"] == "Anna Wiśniewska"
