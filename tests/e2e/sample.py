"""Data for UI tests, screenshots and the UI benchmark.

- ``bulk_contacts(store, n)``: n contacts through the store's fast path (one transaction, search
  index filled) — for size tests (50,000 contacts in a few seconds).
- ``fieldapp.sample.fill`` (``teren-sample``) makes a whole realistic data set; the name and street
  lists live there.
- ``demo(store)``: a small, believable neighbourhood through the real services (zones, contacts
  with consent, door-knocks, a diagnosis with needs and resources, actions) — for screenshots.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from fieldapp.model import Contact, Zone, new_id
from fieldapp.sample import FIRST, KINDS, LAST, STREETS
from fieldapp.store import Store, codec, raw
from sync.hlc import encode

#: The HLC of bulk rows: the oldest valid one (a store holding only bulk rows must still open, and
#: its clock starts from the greatest HLC it finds).
BULK_HLC = encode(0, 0, "bulk")


def bulk_contacts(store: Store, count: int, *, seed: int = 7, zone_ids: list[str] | None = None) -> list[str]:
    """Insert ``count`` contacts in one transaction (search index included); returns their ids."""
    rng = random.Random(seed)
    ids, rows = [], []
    for i in range(count):
        street = rng.choice(STREETS)
        number = str(rng.randint(1, 180))
        contact = Contact(
            id=new_id(),
            kind=rng.choice(KINDS),
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
            address=f"{street} {number}",
            street=street,
            house_number=number,
            city="Łódź",
            zone_id=rng.choice(zone_ids) if zone_ids else None,
            base_hlc=BULK_HLC,
            updated_hlc=BULK_HLC,
        )
        ids.append(contact.id)
        rows.append(codec.row(Contact, contact.__dict__))
    with store.write() as conn:
        raw(conn).executemany(codec.insert_sql(Contact), rows)
        for start in range(0, len(ids), 5000):
            store.reindex_contacts(conn, ids[start : start + 5000])
    return ids


def bulk_zones(store: Store, names: list[str]) -> list[str]:
    ids = []
    with store.write() as conn:
        for name in names:
            zone = Zone(name=name, kind="sas")
            store.save(conn, zone)
            ids.append(zone.id)
    return ids


def demo(store: Store) -> dict[str, str]:
    """A small neighbourhood through the real services; returns ids of interesting records."""
    from fieldapp.services import actions, contacts, diagnoses, visits, zones

    polesie = zones.create_zone(
        store, {"name": "Stare Polesie", "kind": "sas", "library_branch": "Filia nr 12"}
    )
    zones.create_zone(store, {"name": "Księży Młyn", "kind": "quarter"})
    store.set_meta("ui.user_name", "Ola Animatorka")
    now = date.today()
    anna = contacts.create_contact(
        store,
        {
            "kind": "resident",
            "name": "Anna Żółkiewska",
            "street": "Więckowskiego",
            "house_number": "12",
            "flat": "4",
            "address": "Więckowskiego 12/4",
            "city": "Łódź",
            "zone_id": polesie.id,
            "phone": "600 100 200",
            "needs": "Ławki na podwórku",
            "offers": "Upiecze ciasto na festyn",
        },
        {
            "status": "given",
            "method": "oral",
            "scope_contact": True,
            "scope_store": True,
            "adult": True,
            "clause_version": "teren-2026.1",
            "recorded_by": "Ola Animatorka",
        },
    )
    fundacja = contacts.create_contact(
        store,
        {
            "kind": "ngo",
            "name": "Fundacja Łódzkie Podwórka",
            "street": "Piotrkowska",
            "house_number": "101",
            "address": "Piotrkowska 101",
            "zone_id": polesie.id,
        },
    )
    contacts.create_contact(
        store,
        {
            "kind": "leader",
            "name": "Łukasz Wiśniewski",
            "street": "Zielona",
            "house_number": "7",
            "address": "Zielona 7",
            "zone_id": polesie.id,
            "interests": "rower, ogródki",
        },
        {
            "status": "given",
            "method": "oral",
            "scope_contact": True,
            "scope_store": True,
            "adult": True,
            "clause_version": "teren-2026.1",
            "recorded_by": "Ola Animatorka",
        },
    )
    for number, outcome in (
        (10, "not_home"),
        (11, "talked"),
        (12, "talked"),
        (13, "refused"),
        (14, "come_back"),
    ):
        visits.log_visit(
            store,
            outcome=outcome,
            street="Więckowskiego",
            house_number=str(number),
            address=f"Więckowskiego {number}",
            zone_id=polesie.id,
            contact_id=anna.id if number == 12 else None,
            notes="Chętna do pomocy przy festynie" if number == 12 else "",
            follow_up_on=now if outcome == "come_back" else None,
            next_step="Przynieść ulotkę" if outcome == "come_back" else "",
        )
    diagnosis = diagnoses.create_diagnosis(
        store,
        {
            "zone_id": polesie.id,
            "title": "Diagnoza wiosna",
            "period_start": now - timedelta(days=30),
            "methods": ["street_survey", "research_walk"],
            "people_reached": 84,
        },
    )
    need = diagnoses.add_need(
        store,
        diagnosis.id,
        {"category": "Miejsce spotkań dla seniorów", "people_count": 23, "priority": "high"},
    )
    diagnoses.add_need(store, diagnosis.id, {"category": "Zieleń na podwórkach", "people_count": 17})
    diagnoses.add_need(store, diagnosis.id, {"category": "Zajęcia dla dzieci po szkole", "people_count": 9})
    diagnoses.add_resource(
        store,
        diagnosis.id,
        {
            "kind": "organisation",
            "category": "institutional",
            "name": "Fundacja Łódzkie Podwórka",
            "contact_id": fundacja.id,
        },
    )
    diagnoses.add_resource(
        store, diagnosis.id, {"kind": "place", "category": "material", "name": "Świetlica przy Więckowskiego"}
    )
    action = actions.create_action_from_need(
        store, need.id, {"title": "Kawiarenka sąsiedzka", "kind": "meeting", "grant_requested_gr": 250_000}
    )
    actions.create_action(store, {"title": "Sprzątanie podwórka", "kind": "cleanup", "zone_id": polesie.id})
    return {
        "zone": polesie.id,
        "contact": anna.id,
        "diagnosis": diagnosis.id,
        "action": action.id,
        "need": need.id,
    }
