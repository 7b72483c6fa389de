"""Contacts and RODO consent through the services, on a real SQLite file."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlmodel import select

from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.i18n import errors_by_field
from fieldapp.model import Consent, Contact
from fieldapp.services import consent as consent_service
from fieldapp.services import contacts, zones
from fieldapp.store import Store

GIVEN = {
    "status": "given",
    "method": "oral",
    "scope_contact": True,
    "scope_store": True,
    "adult": True,
    "clause_version": "teren-2026.1",
    "recorded_by": "Ola",
}


def codes(failed: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in failed.value.errors}


def outbox(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT record_type, fields FROM outbox ORDER BY seq"))]


def row_count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_person_with_consent_is_stored_with_its_consent_in_one_transaction(store: Store) -> None:
    anna = contacts.create_contact(
        store, {"kind": "resident", "name": "Anna Żółkiewska", "phone": "+48 600 100 200"}, GIVEN
    )
    detail = contacts.contact_detail(store, anna.id)
    assert detail.contact.name == "Anna Żółkiewska"
    assert (
        detail.consent is not None
        and detail.consent.status == "given"
        and detail.consent.recorded_by == "Ola"
    )
    assert [t for t, _ in outbox(store)] == ["contact", "consent"]
    assert [c.id for c in contacts.search_contacts(store, "zolkiewska")] == [anna.id]


def test_person_without_consent_keeps_no_personal_data(store: Store) -> None:
    with pytest.raises(ValidationFailed) as failed:
        contacts.create_contact(
            store,
            {
                "kind": "resident",
                "name": "Jan",
                "phone": "600100200",
                "street": "Zielona",
                "house_number": "7",
            },
            {"status": "refused"},
        )
    assert codes(failed) == {"name": "consent_required", "phone": "consent_required"}
    assert row_count(store, "contact") == 0 and row_count(store, "outbox") == 0

    door = contacts.create_contact(
        store, {"kind": "resident", "street": "Zielona", "house_number": "7"}, {"status": "refused"}
    )
    detail = contacts.contact_detail(store, door.id)
    assert detail.consent is not None and detail.consent.status == "refused"
    with pytest.raises(ValidationFailed) as failed:
        contacts.update_contact(store, door.id, {"email": "jan@example.org"})
    assert codes(failed) == {"email": "consent_required"}


def test_validation_reports_every_field_and_writes_nothing(store: Store) -> None:
    with pytest.raises(ValidationFailed) as failed:
        contacts.create_contact(
            store,
            {
                "kind": "ngo",
                "name": "",
                "email": "nie-mail",
                "lat": float("nan"),
                "zone_id": "nope",
                "colour": "red",
            },
        )
    assert codes(failed) == {
        "name": "name_required",
        "email": "invalid_email",
        "lat": "number_out_of_range",
        "zone_id": "unknown_record",
        "colour": "unknown_field",
    }
    messages = errors_by_field(failed.value, "pl")
    assert "e-mail" in messages["email"] and "„colour”" in messages["colour"]
    assert errors_by_field(failed.value, "en")["name"] == "Enter the name of the organisation or institution."
    assert row_count(store, "contact") == 0 and row_count(store, "outbox") == 0
    with pytest.raises(ValidationFailed) as failed:
        contacts.create_contact(store, {"kind": "alien", "name": "x"})
    assert codes(failed) == {"kind": "invalid_choice"}


def test_consent_is_only_for_people(store: Store) -> None:
    with pytest.raises(ValidationFailed) as failed:
        contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja"}, GIVEN)
    assert codes(failed) == {"": "consent_not_for_organisation"}
    with pytest.raises(ValidationFailed) as failed:
        contacts.create_contact(store, {"kind": "resident", "name": "Ewa"}, {**GIVEN, "recorded_by": ""})
    assert codes(failed) == {"recorded_by": "consent_recorded_by"}


def test_withdrawal_clears_personal_fields_and_keeps_the_door(store: Store) -> None:
    ewa = contacts.create_contact(
        store,
        {
            "kind": "leader",
            "name": "Ewa Mazur",
            "email": "ewa@example.org",
            "street": "Łąkowa",
            "house_number": "3",
            "flat": "5",
            "address": "Łąkowa 3/5",
            "needs": "świetlica",
        },
        GIVEN,
    )
    withdrawn = consent_service.withdraw_consent(store, ewa.id, "Ola")
    assert withdrawn.status == "withdrawn" and withdrawn.withdrawn_at is not None
    after = store.get(Contact, ewa.id)
    assert after is not None
    assert (after.name, after.email, after.flat, after.needs) == ("", "", "", "")
    assert (after.street, after.house_number, after.address) == ("Łąkowa", "3", "Łąkowa 3")
    assert contacts.search_contacts(store, "mazur") == []
    with pytest.raises(ValidationFailed) as failed:
        consent_service.withdraw_consent(store, ewa.id)
    assert codes(failed) == {"": "consent_not_given"}
    # A new consent lets the person's data be stored again.
    consent_service.record_consent(store, ewa.id, **GIVEN)
    assert contacts.update_contact(store, ewa.id, {"name": "Ewa Mazur"}).name == "Ewa Mazur"


def test_refusal_recorded_later_clears_data(store: Store) -> None:
    jan = contacts.create_contact(store, {"kind": "resident", "name": "Jan Król"}, GIVEN)
    consent_service.record_consent(store, jan.id, status="refused", recorded_by="Ola")
    assert store.get(Contact, jan.id).name == ""  # type: ignore[union-attr]
    with store.read() as session:
        history = session.exec(select(Consent).where(Consent.contact_id == jan.id)).all()
    assert sorted(c.status for c in history) == ["given", "refused"]


def test_update_writes_only_changed_fields_and_zone_follows_position(store: Store) -> None:
    zone = zones.create_zone(
        store,
        {
            "name": "Stare Polesie",
            "kind": "sas",
            "center_lat": 51.7694,
            "center_lon": 19.4380,
            "radius_m": 600,
        },
    )
    org = contacts.create_contact(store, {"kind": "culture", "name": "Biblioteka Filia 12"})
    updated = contacts.update_contact(store, org.id, {"lat": 51.7690, "lon": 19.4390, "tags": "biblioteka"})
    assert updated.zone_id == zone.id and updated.position_status == "manual"
    last = outbox(store)[-1]
    assert last[0] == "contact" and set(json.loads(last[1])) == {
        "lat",
        "lon",
        "tags",
        "zone_id",
        "position_status",
    }
    before = len(outbox(store))
    contacts.update_contact(store, org.id, {"tags": "biblioteka"})
    assert len(outbox(store)) == before  # nothing changed, nothing to sync


def test_list_delete_and_not_found(store: Store) -> None:
    ids = [contacts.create_contact(store, {"kind": "ngo", "name": n}).id for n in ("Cecha", "Atlas", "Bez")]
    assert [c.name for c in contacts.list_contacts(store)] == ["Atlas", "Bez", "Cecha"]
    assert [c.name for c in contacts.list_contacts(store, limit=1, offset=1)] == ["Bez"]
    contacts.delete_contact(store, ids[0])
    assert [c.name for c in contacts.list_contacts(store)] == ["Atlas", "Bez"]
    assert contacts.search_contacts(store, "cecha") == []
    with pytest.raises(NotFound):
        contacts.contact_detail(store, ids[0])
    with pytest.raises(NotFound):
        contacts.update_contact(store, "missing", {"name": "x"})


def test_the_list_shows_named_contacts_first_then_unnamed_doors_by_address(store: Store) -> None:
    doors = (("", "Wschodnia 5"), ("Zofia", "Łąkowa 1"), ("", "Anielska 2"), ("Adam", "Zielona 9"))
    for name, street in doors:
        fields = {"kind": "resident", "street": street.split()[0], "house_number": street.split()[1]}
        if name:
            contacts.create_contact(store, {**fields, "name": name}, GIVEN)
        else:
            contacts.create_contact(store, fields)
    listed = [(c.name, c.address) for c in contacts.list_contacts(store)]
    assert [name for name, _ in listed] == ["Adam", "Zofia", "", ""]
    assert [address for _, address in listed[2:]] == sorted(address for _, address in listed[2:])
    paged = [c.id for offset in range(4) for c in contacts.list_contacts(store, limit=1, offset=offset)]
    assert paged == [c.id for c in contacts.list_contacts(store)]
    assert [c.name for c in contacts.list_contacts(store, limit=3, offset=1)] == ["Zofia", "", ""]


def test_both_parts_of_the_list_use_an_index(store: Store) -> None:
    """No full sort of the contacts for a page (the partial indexes of migrations 0005 and 0008)."""
    with store.engine.connect() as conn:
        for where in ("name > ''", "name = ''"):
            order = "name, id" if ">" in where else "address, id"
            plan = conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT * FROM contact WHERE deleted = 0 AND erased_at IS NULL "
                f"AND {where} ORDER BY {order} LIMIT 50"
            ).all()
            detail = " ".join(str(row[-1]) for row in plan)
            assert "INDEX ix_contact_live" in detail and "TEMP B-TREE" not in detail, detail
