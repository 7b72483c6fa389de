"""Sample visits: door-knocks with a plain outcome mix, many at known contacts, with follow-ups.

Some people are visited far more often than others; nothing personal is written about one who
refused consent; a "do not knock" marks the contact. Written with ``Store.insert``, a chunk a
transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection
from sqlmodel import select

from fieldapp.i18n.format import format_address
from fieldapp.model import Contact, Visit
from fieldapp.sample.contacts import Person
from fieldapp.sample.data.kinds import OUTCOME_WEIGHTS
from fieldapp.sample.data.texts import DOOR_NOTES, NEXT_STEPS, TALK_NOTES
from fieldapp.sample.draw import Draw
from fieldapp.sample.progress import Progress, Summary, chunks
from fieldapp.sample.zones import Door
from fieldapp.store import Store


class Visits:
    """Makes visits as field values for ``Store.insert``."""

    def __init__(
        self,
        draw: Draw,
        zone_ids: list[str],
        doors: list[list[Door]],
        people: list[Person],
        animators: list[list[str]],
        summary: Summary,
    ) -> None:
        self.draw = draw
        self.zone_ids = zone_ids
        self.doors = doors
        self.people = people
        self.animators = animators
        self.summary = summary
        self.outcome = draw.weighted(OUTCOME_WEIGHTS)
        #: People who asked not to be knocked on again.
        self.blocked: set[str] = set()

    def write(self, store: Store, count: int, chunk: int, progress: Progress | None) -> None:
        """Write ``count`` visits, ``chunk`` a transaction, and mark the contacts that said "do not knock"."""
        done = 0
        for size in chunks(count, chunk):
            visits, marked = [], []
            for _ in range(size):
                visit, marks = self.make()
                visits.append(visit)
                if marks is not None:
                    marked.append(marks)
            with store.write() as conn:
                store.insert(conn, Visit, visits)
                mark_do_not_knock(store, conn, marked)
            done += size
            self.summary.visits = done
            if progress:
                progress("visits", done)

    def make(self) -> tuple[dict[str, Any], str | None]:
        """A visit's values, and the id of the contact it marks "do not knock" (or None)."""
        rng = self.draw.rng
        outcome = self.outcome()
        person = None
        if self.people and rng.random() < 0.7:
            # Some people are visited far more often than others (people are in random order).
            person = self.people[int(len(self.people) * rng.random() ** 1.5)]
            if person.id in self.blocked or (outcome == "not_home" and rng.random() < 0.5):
                person = None
        if person is not None:
            z, door, flat = person.zone, person.door, person.flat
            visited_at = self.draw.moment(200, after=person.met_at)
            if outcome in ("moved_out", "wrong_address"):
                outcome = "talked"
        else:
            z = rng.randrange(len(self.zone_ids))
            door = rng.choice(self.doors[z])
            flat = str(rng.randint(1, 60)) if rng.random() < 0.7 else ""
            visited_at = self.draw.moment(200)
        notes = next_step = ""
        follow_up = None
        may_write = person is not None and person.may_store
        if outcome == "talked" and may_write and rng.random() < 0.6:
            notes = rng.choice(TALK_NOTES)
        elif person is None and rng.random() < 0.1:
            notes = rng.choice(DOOR_NOTES)
        if outcome == "come_back" or (outcome == "talked" and rng.random() < 0.25):
            follow_up = (visited_at + timedelta(days=rng.randint(2, 21))).date()
            next_step = rng.choice(NEXT_STEPS) if may_write or person is None else ""
            self.summary.follow_ups += 1
        visit = {
            "contact_id": person.id if person else None,
            "zone_id": self.zone_ids[z],
            "address": format_address(door.street, door.number, flat),
            "street": door.street,
            "house_number": door.number,
            "flat": flat,
            "visited_at": visited_at,
            "lat": round(door.lat + rng.gauss(0, 0.00008), 6),
            "lon": round(door.lon + rng.gauss(0, 0.00012), 6),
            "accuracy_m": round(rng.uniform(4, 35), 1),
            "outcome": outcome,
            "notes": notes,
            "next_step": next_step,
            "follow_up_on": follow_up,
            "animator_id": rng.choice(self.animators[z]),
            "created_at": visited_at,
        }
        self.summary.by_outcome[outcome] = self.summary.by_outcome.get(outcome, 0) + 1
        if outcome == "do_not_knock" and person is not None:
            self.blocked.add(person.id)
            return visit, person.id
        return visit, None


def mark_do_not_knock(store: Store, conn: Connection, contact_ids: list[str]) -> None:
    """Mark these contacts (written in an earlier transaction) "do not knock", each its own change."""
    if not contact_ids:
        return
    with store.read() as session:
        contacts = list(session.exec(select(Contact).where(Contact.id.in_(contact_ids))))  # type: ignore[attr-defined]
    for contact in contacts:
        if not contact.do_not_knock:
            contact.do_not_knock = True
            store.save(conn, contact, ["do_not_knock"])
