"""The retention rule anonymises only natural persons without consent to store, past the period."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from fieldapp.model import Contact, utcnow
from fieldapp.services import consent, contacts
from fieldapp.services.rodo import apply_retention, entries
from fieldapp.store import Store
from tests.rodo.helpers import GIVEN, byte_hits, table_hits


def _age(store: Store, contact_id: str, days: int) -> None:
    created = (utcnow() - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with store.write() as conn:
        conn.execute(
            text("UPDATE contact SET created_at = :c WHERE id = :id"), {"c": created, "id": contact_id}
        )


def test_retention_anonymises_only_the_right_contacts(store: Store) -> None:
    make = contacts.create_contact
    no_store = {**GIVEN, "scope_store": False}
    old_consented = make(store, {"kind": "resident", "name": "Zgoda Stara"}, GIVEN)
    old_contact_only = make(store, {"kind": "resident", "name": "", "notes": ""}, no_store)
    old_withdrawn = make(store, {"kind": "leader", "name": "Wycofana Liderka"}, GIVEN)
    consent.withdraw_consent(store, old_withdrawn.id, "Ola")
    old_without = make(store, {"kind": "resident", "name": ""})
    old_org = make(store, {"kind": "ngo", "name": "Fundacja Stara", "phone": "+48 42 630 00 00"})
    young_without = make(store, {"kind": "resident", "name": ""})
    for contact in (old_consented, old_contact_only, old_withdrawn, old_without, old_org):
        _age(store, contact.id, 200)
    _age(store, young_without.id, 10)

    assert apply_retention(store) == 3  # the default: 180 days

    erased = {c.id for c in (old_contact_only, old_withdrawn, old_without)}
    for contact in (old_consented, old_contact_only, old_withdrawn, old_without, old_org, young_without):
        stored = store.get(Contact, contact.id)
        assert stored is not None and (stored.erased_at is not None) == (contact.id in erased), contact.name
    assert store.get(Contact, old_org.id).phone == "+48 42 630 00 00"  # type: ignore[union-attr]
    assert table_hits(store.path, ("Wycofana",)) == [] and byte_hits(store.path, ("Wycofana",)) == []
    assert {e.target_id for e in entries(store, actions=["anonymised"])} == erased
    assert {e.actor for e in entries(store)} == {"system:retention"}
    assert apply_retention(store) == 0  # erased contacts are not candidates again


def test_retention_period_from_meta_or_argument(store: Store) -> None:
    person = contacts.create_contact(store, {"kind": "resident", "name": ""})
    _age(store, person.id, 40)
    store.set_meta("rodo.retention_days", "60")
    assert apply_retention(store) == 0
    assert apply_retention(store, days=30) == 1
