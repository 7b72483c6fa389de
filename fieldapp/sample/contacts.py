"""Sample contacts of every kind, at buildings of their zone, and the consents of natural persons.

A natural person gives consent most of the time; one who refuses is kept as a building only (no
name, flat or anything personal). Written with ``Store.insert``, a chunk of contacts and their
consents a transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fieldapp.i18n.format import format_address
from fieldapp.model import Consent, Contact, new_id
from fieldapp.sample.data.kinds import KIND_WEIGHTS, PERSON_KINDS
from fieldapp.sample.data.organisations import ORG_NAMES, WORDS
from fieldapp.sample.data.texts import INTERESTS, NEEDS, OFFERS, RECORDERS, TAGS, TALK_NOTES
from fieldapp.sample.data.zones import ZONES
from fieldapp.sample.draw import Draw
from fieldapp.sample.people import People
from fieldapp.sample.progress import Progress, Summary, chunks
from fieldapp.sample.zones import Door
from fieldapp.store import Store


@dataclass
class Person:
    """What later steps need of a written contact (kept small: there may be 100,000 of them)."""

    id: str
    zone: int
    door: Door
    flat: str
    kind: str
    may_store: bool
    met_at: datetime
    #: Organisations' names (resources refer to them); empty for people.
    name: str = ""


class Contacts:
    """Makes contacts (and consents) as field values for ``Store.insert``."""

    def __init__(
        self, draw: Draw, people: People, zone_ids: list[str], doors: list[list[Door]], summary: Summary
    ) -> None:
        self.draw = draw
        self.people = people
        self.zone_ids = zone_ids
        self.doors = doors
        self.summary = summary
        self.kind = draw.weighted(KIND_WEIGHTS)

    def write(self, store: Store, count: int, chunk: int, progress: Progress | None) -> list[Person]:
        """Write ``count`` contacts with their consents, ``chunk`` contacts a transaction."""
        written: list[Person] = []
        for size in chunks(count, chunk):
            contacts, consents = [], []
            for _ in range(size):
                contact, consent, person = self.make()
                contacts.append(contact)
                if consent is not None:
                    consents.append(consent)
                written.append(person)
            with store.write() as conn:
                store.insert(conn, Contact, contacts)
                store.insert(conn, Consent, consents)
            self.summary.consents += len(consents)
            self.summary.contacts = len(written)
            if progress:
                progress("contacts", len(written))
        return written

    def make(self) -> tuple[dict[str, Any], dict[str, Any] | None, Person]:
        """A contact's values, its consent's (natural persons) and what later steps need of it."""
        rng = self.draw.rng
        kind = self.kind()
        z = rng.randrange(len(self.zone_ids))
        door = rng.choice(self.doors[z])
        met_at = self.draw.moment(200)
        contact: dict[str, Any] = {
            "id": new_id(),
            "kind": kind,
            "address": format_address(door.street, door.number),
            "street": door.street,
            "house_number": door.number,
            "city": "Łódź",
            "lat": door.lat,
            "lon": door.lon,
            "position_status": "ok",
            "zone_id": self.zone_ids[z],
            "created_at": met_at,
        }
        self.summary.by_kind[kind] = self.summary.by_kind.get(kind, 0) + 1
        if kind not in PERSON_KINDS:
            contact.update(self.organisation(kind, door))
            return contact, None, Person(contact["id"], z, door, "", kind, True, met_at, contact["name"])
        consent = self.consent(contact["id"], kind, met_at)
        flat = ""
        if consent["status"] == "given":
            flat = str(rng.randint(1, 60)) if kind == "resident" or rng.random() < 0.5 else ""
            contact.update(self.person(kind, door, flat))
            if not consent["scope_contact"]:  # each scope holds on its own
                contact.update(phone="", email="")
        else:
            self.summary.consents_refused += 1
        may_store = consent["status"] == "given"
        return contact, consent, Person(contact["id"], z, door, flat, kind, may_store, met_at)

    def consent(self, contact_id: str, kind: str, met_at: datetime) -> dict[str, Any]:
        """Most people agree (leaders nearly all); the one who refuses is kept as a building only."""
        rng = self.draw.rng
        given = rng.random() < (0.95 if kind == "leader" else 0.75)
        return {
            "contact_id": contact_id,
            "status": "given" if given else "refused",
            "method": rng.choices(("oral", "written", "form"), (7, 2, 1))[0],
            "scope_contact": given and rng.random() < 0.9,
            "scope_store": given,
            "scope_photos": given and rng.random() < 0.3,
            "adult": given,
            "clause_version": "teren-2026.1" if given else "",
            "clause_given_at": met_at if given else None,
            "given_at": met_at,
            "recorded_by": rng.choice(RECORDERS),
            "created_at": met_at,
        }

    def person(self, kind: str, door: Door, flat: str) -> dict[str, Any]:
        """The personal fields of a natural person who consented."""
        rng, some = self.draw.rng, self.draw.some
        name = self.people.name()
        return {
            "name": name,
            "flat": flat,
            "address": format_address(door.street, door.number, flat),
            "phone": self.people.phone() if rng.random() < 0.6 else "",
            "email": self.people.email(name) if rng.random() < 0.2 else "",
            "interests": some(INTERESTS, 0.5),
            "needs": some(NEEDS, 0.4),
            "offers": some(OFFERS, 0.3 if kind == "resident" else 0.8),
            "tags": some(TAGS, 0.5) + (", lider" if kind == "leader" else ""),
            "notes": rng.choice(TALK_NOTES) if rng.random() < 0.3 else "",
        }

    def organisation(self, kind: str, door: Door) -> dict[str, Any]:
        """An organisation's name and what it has to offer."""
        rng, some = self.draw.rng, self.draw.some
        name = self.organisation_name(kind, door)
        return {
            "name": name,
            "phone": self.people.phone() if rng.random() < 0.8 else "",
            "email": self.people.email(name) if rng.random() < 0.6 else "",
            "needs": some(NEEDS, 0.5),
            "offers": some(OFFERS, 0.7),
            "tags": some(TAGS, 0.3),
        }

    def organisation_name(self, kind: str, door: Door) -> str:
        rng = self.draw.rng
        return rng.choice(ORG_NAMES[kind]).format(
            street=door.street,
            word=rng.choice(WORDS),
            n=rng.randint(1, 210),
            first=self.people.first_name(),
            zone=ZONES[door.zone].name.removeprefix("SAS "),
        )
