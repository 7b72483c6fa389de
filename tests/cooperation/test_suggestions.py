"""Member suggestions on a generated data set whose right answers come from how it was built.

Every phrase the generator writes into interests / offers / needs is labelled by hand with the
group words it is about; the expected suggestions follow from those labels and the rules of the
issue (same zone, not yet a member, not erased, not "do not knock"), never from the matcher.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from fieldapp.cooperation import suggest_members
from fieldapp.model import Contact, GroupMember, Need
from fieldapp.model.base import utcnow
from fieldapp.model.diagnosis import Diagnosis
from fieldapp.services.cooperation import create_group
from fieldapp.store import Store
from tests.cooperation.helpers import zone

G, Z, P, B = "ogrodnictwo", "zielen", "plac", "zabaw"  # the group's words, as folded by the app
THEME_WORDS = [G, Z]
NEED_WORDS = [P, B]

INTERESTS = [
    ("ogród", {G}),
    ("Ogródki działkowe", {G}),
    ("OGRODY na dachach", {G}),
    ("ogrod warzywny", {G}),  # typed without diacritics
    ("ogrodnik z zawodu", {G}),
    ("zieleń miejska", {Z}),
    ("Zielone podwórka", {Z}),
    ("ogród i zieleń", {G, Z}),
    ("szachy", set()),
    ("gotowanie", set()),
    ("seniorzy", set()),
    ("taniec", set()),
    ("ogrzewanie", set()),
    ("historia dzielnicy", set()),
    ("", set()),
]
OFFERS = [
    ("narzędzia ogrodnicze", {G}),
    ("działka z zielenią", {Z}),
    ("sala na spotkania", set()),
    ("pieczenie ciast", set()),
    ("naprawa rowerów", set()),
    ("", set()),
]
NEEDS = [
    ("plac zabaw dla dzieci", {P, B}),
    ("brak placu zabaw", {P, B}),
    ("miejsce do zabawy", {B}),
    ("więcej zieleni", {Z}),
    ("ławki", set()),
    ("oświetlenie", set()),
    ("pomoc w zakupach", set()),
    ("", set()),
]


def _expected_reasons(person: dict) -> tuple[tuple[str, tuple[str, ...]], ...]:
    reasons = []
    for source, wanted in (
        ("interests", THEME_WORDS),
        ("offers", THEME_WORDS),
        ("needs", THEME_WORDS + NEED_WORDS),
    ):
        words = tuple(w for w in wanted if w in person[source][1])
        if words:
            reasons.append((source, words))
    return tuple(reasons)


def test_theme_group_suggestions_match_the_labelled_data(store: Store) -> None:
    rng = random.Random(8)
    zone_a, zone_b = zone(store, "Bałuty"), zone(store, "Widzew")
    with store.write() as conn:
        diagnosis = store.save(
            conn, Diagnosis(zone_id=zone_a.id, title="Diagnoza", period_start=date(2025, 1, 1))
        )
        need = store.save(conn, Need(diagnosis_id=diagnosis.id, category="Plac zabaw"))
    group = create_group(
        store,
        {"zone_id": zone_a.id, "name": "Zielone Bałuty", "theme": "Ogrodnictwo, zieleń", "need_id": need.id},
    )
    people = []
    with store.write() as conn:
        for i in range(140):
            person = {
                "name": f"Mieszkaniec {i:03d}",
                "zone": rng.choice([zone_a.id] * 3 + [zone_b.id, None]),
                "interests": rng.choice(INTERESTS),
                "offers": rng.choice(OFFERS),
                "needs": rng.choice(NEEDS),
                "deleted": rng.random() < 0.08,
                "erased": rng.random() < 0.08,
                "do_not_knock": rng.random() < 0.08,
                "membership": rng.choice(["none"] * 6 + ["current", "left"]),
            }
            contact = Contact(
                kind=rng.choice(["resident", "resident", "leader", "informal_group"]),
                name=person["name"],
                zone_id=person["zone"],
                interests=person["interests"][0],
                offers=person["offers"][0],
                needs=person["needs"][0],
                do_not_knock=person["do_not_knock"],
                deleted=person["deleted"],
                erased_at=utcnow() if person["erased"] else None,
            )
            store.save(conn, contact)
            person["id"] = contact.id
            if person["membership"] != "none":
                left = date(2025, 2, 1) if person["membership"] == "left" else None
                store.save(
                    conn,
                    GroupMember(
                        group_id=group.id, contact_id=contact.id, joined_on=date(2025, 1, 1), left_on=left
                    ),
                )
            people.append(person)

    expected = []
    for person in people:
        reasons = _expected_reasons(person)
        eligible = (
            person["zone"] == zone_a.id
            and not (person["deleted"] or person["erased"] or person["do_not_knock"])
            and person["membership"] != "current"
        )
        if eligible and reasons:
            score = sum(len(words) for _, words in reasons)
            expected.append(((-len(reasons), -score, person["name"]), person["id"], reasons))
    expected.sort()
    assert len(expected) > 15, "the generator should produce a meaningful number of matches"

    found = suggest_members(store, group.id, limit=1000)
    assert [s.contact.id for s in found] == [e[1] for e in expected]
    assert [tuple((r.source, r.words) for r in s.reasons) for s in found] == [e[2] for e in expected]
    assert [s.contact.id for s in suggest_members(store, group.id)] == [e[1] for e in expected][:20]


@pytest.mark.parametrize(
    ("street", "address", "in_zone", "expected"),
    [
        ("Wschodnia", "Wschodnia 5", True, True),
        ("", "ul. Wschodnia 12 m. 4", True, True),
        ("Wschodniej", "", True, True),
        ("Zachodnia", "Zachodnia 3", True, False),
        ("Wschodnia", "Wschodnia 7", False, False),
        ("", "", True, False),
    ],
)
def test_street_group_suggests_neighbours(store: Store, street, address, in_zone, expected) -> None:
    zone_a, zone_b = zone(store, "Śródmieście"), zone(store, "Polesie")
    group = create_group(
        store,
        {"zone_id": zone_a.id, "name": "Podwórko Wschodnia", "theme": "ul. Wschodnia", "bond": "street"},
    )
    with store.write() as conn:
        store.save(
            conn,
            Contact(
                kind="resident",
                name="Sąsiadka",
                street=street,
                address=address,
                zone_id=zone_a.id if in_zone else zone_b.id,
                interests="ogród",
            ),
        )
    found = suggest_members(store, group.id)
    assert bool(found) is expected
    if expected:
        assert [(r.source, r.words) for r in found[0].reasons] == [("street", ("wschodnia",))]
