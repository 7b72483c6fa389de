"""Erasures and reviews through the real sync service (SQLite; PostgreSQL with ``-m postgres``).

- An erasure on one device reaches the service and a teammate's device: the person's name, phone
  and e-mail are in no table there, a later concurrent edit cannot bring them back, counts stay.
- The review round trip: an animator logs a visit offline and syncs; a supervisor returns it with a
  comment; the animator sees "returned" and the comment, corrects it ("corrected"); the supervisor
  sees the correction and approves; both devices and the service agree.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from fieldapp.errors import ValidationFailed
from fieldapp.model import Contact, Visit
from fieldapp.services import contacts, visits
from fieldapp.services.cooperation import meeting_summary
from fieldapp.services.reviews import approve, return_entry, review_id, review_of, review_queue, state_of
from fieldapp.services.rodo import erase_person, settle_erasures
from sync.server import tables
from tests.rodo.helpers import NEEDLES, byte_hits, outcome_counts, person_with_everything, table_hits
from tests.sync.conftest import World


def service_hits(world: World) -> list[tuple[str, str]]:
    """(table, needle) for every row of every service table that mentions the person."""
    hits = []
    with world.db.engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            text = json.dumps(
                [list(row) for row in conn.execute(sa.select(table))], default=str, ensure_ascii=False
            )
            hits += [(table.name, n) for n in NEEDLES if n.lower() in text.lower()]
    return hits


def test_erasure_reaches_the_service_and_every_device(world: World) -> None:
    a, b, c = world.device(), world.device(), world.device()
    supervisor = world.device(role="supervisor")
    person = person_with_everything(a.store)
    for device in (a, b, c, supervisor):
        device.engine.sync()
    assert table_hits(b.store.path), "the teammate holds the person before the erasure"
    counts = outcome_counts(b.store.path)
    head_count = meeting_summary(b.store, person.meeting.id).head_count

    erase_person(supervisor.store, person.contact.id, by=supervisor.user_id)
    # Meanwhile the teammate, not yet aware, writes a note about the person.
    contacts.update_contact(b.store, person.contact.id, {"notes": "Kwiatkowski oddzwonił"})
    supervisor.engine.sync()
    b.engine.sync()
    b.engine.sync()  # the service's reset of the late note comes back in the next pull

    assert service_hits(world) == []
    assert table_hits(b.store.path) == []
    erased = b.store.get(Contact, person.contact.id)
    assert erased is not None and erased.erased_at is not None and erased.notes == ""
    assert b.store.search_contacts("Kwiatkowski") == []
    assert outcome_counts(b.store.path) == counts
    assert meeting_summary(b.store, person.meeting.id).head_count == head_count
    # The pulled erasure leaves the file's bytes once the device settles erasures after its sync.
    assert settle_erasures(b.store) == 0
    assert byte_hits(b.store.path) == []
    assert settle_erasures(b.store) == 0 and b.store.meta("rodo.purged_erasures") == "1"

    # A device offline since before the erasure writes a visit note: the service resets it (the visit
    # names an erased person) and the device clears it at once when its sync settles erasures.
    visits.correct_visit(c.store, person.visits[0].id, {"notes": "Kwiatkowski znowu nie otworzył"})
    c.engine.sync()  # the sync settles erasures itself: the late note is cleared again at once
    assert c.store.get(Visit, person.visits[0].id).notes == ""  # type: ignore[union-attr]
    assert settle_erasures(c.store) == 0
    for device in (c, a, b, supervisor):
        device.engine.sync()
        settle_erasures(device.store)
    # Neither the service's records nor its conflict log keep the late note.
    assert service_hits(world) == []
    for device in (a, b, c, supervisor):
        assert table_hits(device.store.path) == [] and byte_hits(device.store.path) == []
        assert device.store.get(Visit, person.visits[0].id).outcome == "not_home"  # type: ignore[union-attr]
    # Once a device knows of the erasure, it refuses personal notes about the person.
    with pytest.raises(ValidationFailed) as refused:
        visits.correct_visit(b.store, person.visits[0].id, {"notes": "Kwiatkowski"})
    assert refused.value.errors[0].code == "contact_erased"


def late_note_after_erasure(world: World) -> None:
    a, c, supervisor = world.device(), world.device(), world.device(role="supervisor")
    person = person_with_everything(a.store)
    for device in (a, c, supervisor):
        device.engine.sync()
    erase_person(supervisor.store, person.contact.id, by=supervisor.user_id)
    supervisor.engine.sync()
    visits.correct_visit(c.store, person.visits[0].id, {"notes": "Kwiatkowski znowu nie otworzył"})
    c.engine.sync()
    settle_erasures(c.store)
    c.engine.sync()


def test_conflict_log_forgets_late_notes_about_an_erased_person(world: World) -> None:
    late_note_after_erasure(world)
    assert service_hits(world) == []


def test_review_round_trip_between_animator_and_supervisor(world: World) -> None:
    animator, supervisor = world.device(), world.device(role="supervisor")
    assert supervisor.store.meta("sync.role") == "supervisor"
    at = datetime(2026, 5, 4, 17, 30, tzinfo=UTC)
    visit = visits.log_visit(animator.store, outcome="talked", visited_at=at, notes="Rozmowa o podwórku")
    animator.engine.sync()

    supervisor.engine.sync()
    [row] = review_queue(supervisor.store, states=["new"])
    assert (row.target_id, row.animator_id) == (visit.id, animator.user_id)
    return_entry(supervisor.store, "visit", visit.id, "Dopisz, co dalej")
    supervisor.engine.sync()

    animator.engine.sync()
    review = review_of(animator.store, "visit", visit.id)
    assert review is not None and (review.state, review.comment) == ("returned", "Dopisz, co dalej")
    assert review.reviewer_id == supervisor.user_id
    visits.correct_visit(animator.store, visit.id, {"next_step": "Zaprosić na forum 20 maja"})
    assert state_of(animator.store, "visit", visit.id) == "corrected"
    animator.engine.sync()

    supervisor.engine.sync()
    [row] = review_queue(supervisor.store)
    assert (row.state, row.comment) == ("corrected", "Dopisz, co dalej")
    assert supervisor.store.get(Visit, visit.id).next_step == "Zaprosić na forum 20 maja"  # type: ignore[union-attr]
    approve(supervisor.store, "visit", visit.id)
    supervisor.engine.sync()
    animator.engine.sync()

    assert state_of(animator.store, "visit", visit.id) == "approved"
    with world.db.engine.connect() as conn:
        stored = conn.execute(
            sa.select(tables.record.c.data).where(
                (tables.record.c.record_type == "review")
                & (tables.record.c.id == review_id("visit", visit.id))
            )
        ).scalar_one()
    assert (stored["state"], stored["target_id"]) == ("approved", visit.id)
