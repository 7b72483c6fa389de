"""Program editions: a new edition starts from the previous one's base of leaders, volunteers,
groups, resources and places; people are carried by name only with the later-editions consent,
the others as anonymous counts, so the base keeps its size."""

from __future__ import annotations

from datetime import date

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.model import Contact, Diagnosis, Resource
from fieldapp.model.editions import BaseItem
from fieldapp.services.clause import BUILTIN_VERSION
from fieldapp.services.consent import record_consent, withdraw_consent
from fieldapp.services.cooperation import add_volunteer, create_group
from fieldapp.services.editions import carried_names, edition_base, list_editions, start_edition
from fieldapp.services.places import create_place
from fieldapp.services.rodo.erasure import erase_person
from fieldapp.services.roles import META_USER_ROLE
from fieldapp.store import Store
from tests.cooperation.helpers import contact, zone

FIRST = {"name": "Łódź 2026", "starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31)}
NEXT = {"name": "Łódź 2027", "starts_on": date(2027, 1, 1), "ends_on": date(2027, 12, 31)}


def _consent(store: Store, person: Contact, *, later: bool) -> None:
    record_consent(
        store,
        person.id,
        status="given",
        scope_contact=True,
        scope_store=True,
        scope_later_editions=later,
        recorded_by="Anna Animatorka",
        adult=True,
        clause_version=BUILTIN_VERSION,
    )


def _resource(store: Store, zone_id: str, name: str, contact_id: str | None = None) -> Resource:
    with store.write() as conn:
        diagnosis = store.save(
            conn, Diagnosis(title="Diagnoza 2026", zone_id=zone_id, period_start=date(2026, 2, 1))
        )
        return store.save(
            conn,
            Resource(
                diagnosis_id=diagnosis.id,
                kind="person" if contact_id else "place",
                category="human" if contact_id else "material",
                name=name,
                contact_id=contact_id,
            ),
        )


def test_a_resident_without_the_later_editions_consent_is_carried_only_as_a_count(store: Store) -> None:
    sas = zone(store)
    agreed = contact(store, "Halina Zgodna", zone_id=sas.id)
    declined = contact(store, "Marek Bezzgody", zone_id=sas.id)
    _consent(store, agreed, later=True)
    _consent(store, declined, later=False)  # agreed to be stored, not to be contacted next year
    group = create_group(
        store,
        {"name": "Ogród przy Wschodniej", "theme": "ogród", "zone_id": sas.id},
        leader_ids=[agreed.id, declined.id],
    )
    first = start_edition(store, FIRST)

    second = start_edition(store, NEXT, previous_id=first.id)

    base = edition_base(store, second.id)
    assert base.named[BaseItem.LEADER] == [agreed.id]
    assert declined.id not in base.named[BaseItem.LEADER]
    assert base.anonymous[BaseItem.LEADER] == 1
    assert base.total(BaseItem.LEADER) == 2
    assert base.named[BaseItem.GROUP] == [group.id]
    assert [c.name for c in carried_names(store, second.id)] == ["Halina Zgodna"]
    assert [e.name for e in list_editions(store)] == ["Łódź 2027", "Łódź 2026"]


def test_counts_stay_right_across_leaders_volunteers_resources_places_and_erasure(store: Store) -> None:
    store.set_meta(META_USER_ROLE, "supervisor")
    sas = zone(store)
    contact(store, "Zenon Lider", kind="leader", zone_id=sas.id)  # no consent recorded
    helper = contact(store, "Wanda Pomocna", zone_id=sas.id)
    _consent(store, helper, later=True)
    refused = contact(store, "Piotr Odmowa", zone_id=sas.id)
    record_consent(store, refused.id, status="refused")
    add_volunteer(store, {"contact_id": helper.id, "since": date(2026, 3, 1)})
    add_volunteer(store, {"contact_id": refused.id, "since": date(2026, 3, 1)})
    erased = contact(store, "Ewa Usunięta", zone_id=sas.id)
    _consent(store, erased, later=True)
    add_volunteer(store, {"contact_id": erased.id, "since": date(2026, 4, 1)})
    erase_person(store, erased.id, by="koordynatorka")
    library = contact(store, "Filia nr 12", kind="culture", zone_id=sas.id)
    hall = _resource(store, sas.id, "Sala w szkole")
    _resource(store, sas.id, "Biblioteka", contact_id=library.id)  # an organisation: named
    _resource(store, sas.id, "Pani od szycia", contact_id=refused.id)  # a person without consent: counted
    place = create_place(store, {"name": "CAL Bałuty", "kind": "cal", "zone_id": sas.id})
    first = start_edition(store, FIRST)

    second = start_edition(store, NEXT, previous_id=first.id)

    base = edition_base(store, second.id)
    assert base.named.get(BaseItem.LEADER, []) == []
    assert base.anonymous[BaseItem.LEADER] == 1
    assert base.named[BaseItem.VOLUNTEER] == [helper.id]
    assert base.anonymous[BaseItem.VOLUNTEER] == 2  # the one who refused, the erased one
    assert base.total(BaseItem.VOLUNTEER) == 3
    assert set(base.named[BaseItem.RESOURCE]) >= {hall.id}
    assert len(base.named[BaseItem.RESOURCE]) == 2
    assert base.anonymous[BaseItem.RESOURCE] == 1
    assert base.named[BaseItem.PLACE] == [place.id]

    # Erasing a carried person later: the line no longer names them, the count stays.
    erase_person(store, helper.id, by="koordynatorka")
    after = edition_base(store, second.id)
    assert after.named.get(BaseItem.VOLUNTEER, []) == []
    assert after.total(BaseItem.VOLUNTEER) == 3
    assert carried_names(store, second.id) == []


def test_a_third_edition_counts_the_same_people_once(store: Store) -> None:
    agreed, declined = contact(store, "Ala", kind="leader"), contact(store, "Ola", kind="leader")
    _consent(store, agreed, later=True)
    first = start_edition(store, FIRST)
    second = start_edition(store, NEXT, previous_id=first.id)
    third = start_edition(store, {"name": "Łódź 2028", "starts_on": date(2028, 1, 1)}, previous_id=second.id)
    base = edition_base(store, third.id)
    assert base.named[BaseItem.LEADER] == [agreed.id]
    assert base.anonymous[BaseItem.LEADER] == 1
    assert declined.id not in base.named[BaseItem.LEADER]


def test_the_later_editions_scope_needs_consent_to_store_data(store: Store) -> None:
    person = contact(store, "Jan")
    with pytest.raises(ValidationFailed) as caught:
        record_consent(
            store,
            person.id,
            status="given",
            scope_contact=True,
            scope_store=False,
            scope_later_editions=True,
            recorded_by="Anna",
            adult=True,
            clause_version=BUILTIN_VERSION,
        )
    assert [e.code for e in caught.value.errors] == ["consent_later_editions_needs_store"]


def test_an_edition_ends_after_it_starts(store: Store) -> None:
    with pytest.raises(ValidationFailed) as caught:
        start_edition(store, {"name": "Zła", "starts_on": date(2027, 5, 1), "ends_on": date(2027, 4, 1)})
    assert [e.code for e in caught.value.errors] == ["edition_ends_before_start"]


def test_withdrawing_consent_takes_the_name_out_of_the_editions_that_carried_it(store: Store) -> None:
    agreed = contact(store, "Halina", kind="leader")
    _consent(store, agreed, later=True)
    first = start_edition(store, FIRST)
    second = start_edition(store, NEXT, previous_id=first.id)
    assert edition_base(store, second.id).named[BaseItem.LEADER] == [agreed.id]

    withdraw_consent(store, agreed.id, recorded_by="Anna")

    base = edition_base(store, second.id)
    assert base.named.get(BaseItem.LEADER, []) == []
    assert base.total(BaseItem.LEADER) == 1
    third = start_edition(store, {"name": "Łódź 2028", "starts_on": date(2028, 1, 1)}, previous_id=second.id)
    assert edition_base(store, third.id).anonymous[BaseItem.LEADER] == 1
