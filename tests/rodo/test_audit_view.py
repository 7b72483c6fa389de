"""Opening a person's card is logged as "viewed", once per card that shows personal data."""

from __future__ import annotations

from fieldapp.services import contacts
from fieldapp.services.rodo import entries
from fieldapp.services.rodo.audit import record_view
from fieldapp.store import Store
from tests.rodo.helpers import person_with_everything


def test_a_persons_card_is_logged_but_not_an_organisation_or_an_erased_person(store: Store) -> None:
    store.set_user("coordinator-1")
    person = person_with_everything(store).contact
    ngo = contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja Podwórko"}, None)
    building = contacts.create_contact(store, {"kind": "resident", "street": "Zielona", "house_number": "9"})

    assert record_view(store, person) is True
    assert record_view(store, ngo) is False
    assert record_view(store, building) is False
    person.erased_at = person.created_at
    assert record_view(store, person) is False

    logged = entries(store, actions=["viewed"])
    assert [(e.actor, e.target_type, e.target_id) for e in logged] == [
        ("coordinator-1", "contact", person.id)
    ]
