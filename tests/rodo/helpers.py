"""A person with something of every kind stored about them, and scans for their data in a file."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from fieldapp.model import Contact, Meeting, Visit
from fieldapp.services import contacts, diagnoses, visits
from fieldapp.services.cooperation import add_task, create_group, create_meeting
from fieldapp.store import Store
from tests.cooperation.helpers import action, zone

NAME = "Bożydar Kwiatkowski"
PHONE = "+48 601 234 567"
EMAIL = "bozydar.kwiatkowski@example.pl"
#: What must not remain anywhere: name parts (as written and as folded for search), phone, e-mail.
NEEDLES = ("Bożydar", "Bozydar", "Kwiatkowski", PHONE, "601 234 567", EMAIL)
GIVEN = {
    "status": "given",
    "method": "oral",
    "scope_contact": True,
    "scope_store": True,
    "adult": True,
    "clause_version": "teren-2026.1",
    "recorded_by": "Ola",
}


@dataclass
class Person:
    contact: Contact
    neighbour: Contact
    meeting: Meeting
    visits: list[Visit]


def person_with_everything(store: Store) -> Person:
    """Bożydar: contact with phone and e-mail, consent, 3 visits, a resource, group, meeting, task."""
    sas = zone(store)
    person = contacts.create_contact(
        store,
        {
            "kind": "resident",
            "name": NAME,
            "phone": PHONE,
            "email": EMAIL,
            "address": "Zielona 7/12",
            "street": "Zielona",
            "house_number": "7",
            "flat": "12",
            "zone_id": sas.id,
            "needs": "Kwiatkowski szuka ławki",
            "notes": f"Dzwonić: {PHONE}",
        },
        {**GIVEN, "note": f"Zgoda ustna, {NAME}"},
    )
    neighbour = contacts.create_contact(
        store, {"kind": "resident", "name": "Ala Nowak", "zone_id": sas.id}, GIVEN
    )
    logged = [
        visits.log_visit(store, contact_id=person.id, outcome=outcome, notes=f"{NAME} — {outcome}")
        for outcome in ("not_home", "talked", "come_back")
    ]
    visits.log_visit(store, contact_id=neighbour.id, outcome="talked", notes="Sąsiadka")
    diagnosis = diagnoses.create_diagnosis(
        store, {"zone_id": sas.id, "title": "Diagnoza", "period_start": "2026-03-01"}
    )
    diagnoses.add_resource(
        store,
        diagnosis.id,
        {
            "kind": "person",
            "name": f"{NAME} — stolarz",
            "description": f"tel. {PHONE}",
            "contact_id": person.id,
        },
    )
    create_group(
        store, {"name": "Podwórko Zielona 7", "theme": "zieleń"}, member_ids=[person.id, neighbour.id]
    )
    meeting = create_meeting(
        store,
        {"topic": "Forum", "held_on": "2026-05-20", "anonymous_count": 2},
        attendee_ids=[person.id, neighbour.id],
    )
    add_task(store, {"contact_id": person.id, "title": f"Oddzwonić do {NAME}", "note": EMAIL})
    action(store, "Ławki", organiser_ids=[person.id], zone_id=sas.id)
    return Person(person, neighbour, meeting, logged)


def table_hits(path: Path, needles: tuple[str, ...] = NEEDLES) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text-bearing column of every table (shadow tables too)."""
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        hits = []
        for table in tables:
            for column in [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]:
                for needle in needles:
                    found = db.execute(
                        f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ?',
                        (f"%{needle}%",),
                    ).fetchone()[0]
                    if found:
                        hits.append((table, column, needle))
        return hits
    finally:
        db.close()


def byte_hits(path: Path, needles: tuple[str, ...] = NEEDLES) -> list[tuple[str, str]]:
    """(file, needle) for the database file, its -wal and -shm files, case-insensitively."""
    hits = []
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if not file.exists():
            continue
        content = file.read_bytes().lower()
        hits += [(file.name, n) for n in needles if n.lower().encode("utf-8") in content]
    return hits


def outcome_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT outcome, count(*) FROM visit WHERE deleted = 0 GROUP BY outcome").fetchall()
        return dict(rows)
    finally:
        db.close()
