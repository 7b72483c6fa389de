"""Network records are ordinary synced records: registered, migrated, wire-safe, conflict-free to add."""

from __future__ import annotations

import json
import sqlite3

from sqlmodel import select

from fieldapp.model import RECORD_TYPES, LocalActivityGroup, Meeting, Partnership, from_wire, to_wire
from fieldapp.model.cooperation import NETWORK_RECORDS
from fieldapp.services.cooperation import (
    add_attendee,
    add_member,
    add_partner,
    add_task,
    add_volunteer,
    create_group,
    create_meeting,
    create_partnership,
    create_series,
    link_action,
    log_hours,
    move_to_phase,
    record_action_participants,
    update_meeting,
)
from fieldapp.store import Store
from fieldapp.store.codec import columns
from tests.cooperation.helpers import action, contact, outbox


def test_every_network_record_is_registered_and_migrated(store: Store) -> None:
    db = sqlite3.connect(store.path)
    for model in NETWORK_RECORDS:
        assert RECORD_TYPES[model.record_type] is model
        on_disk = [row[1] for row in db.execute(f"PRAGMA table_info({model.__tablename__})")]
        assert on_disk == list(columns(model)), model.__tablename__
    db.close()


def _build(store: Store) -> None:
    ala, ngo, shop = (
        contact(store, "Ala"),
        contact(store, "Fundacja", "ngo"),
        contact(store, "Sklep", "business"),
    )
    group = create_group(
        store, {"name": "Ogród", "theme": "ogród", "founded_on": "2025-01-02"}, member_ids=[ala.id]
    )
    link_action(store, group.id, action(store, "Festyn", status="done").id)
    partnership = create_partnership(
        store,
        {
            "name": "Razem",
            "written_agreement": True,
            "agreement_signed_on": "2025-02-03",
            "phase_since": "2025-02-01",
        },
        partners=[{"contact_id": ngo.id, "brings": ["space", "money"]}],
    )
    move_to_phase(store, partnership.id, "storming", on="2025-03-04")
    add_partner(store, partnership.id, shop.id, brings=["money"])
    meeting = create_meeting(
        store,
        {
            "topic": "Forum",
            "held_on": "2025-04-05",
            "start_time": "18:00",
            "anonymous_count": 2,
            "group_id": group.id,
        },
        organiser_ids=[ngo.id],
    )
    add_attendee(store, meeting.id, ala.id)
    record_action_participants(store, action(store, "Sprzątanie").id, [ala.id])
    add_task(
        store, {"contact_id": ala.id, "meeting_id": meeting.id, "title": "Oddzwonić", "due_on": "2025-04-12"}
    )
    series = create_series(store, {"name": "Liderzy", "sessions_planned": 10, "hours_planned": 160})
    session = create_meeting(
        store,
        {
            "topic": "Sesja 1",
            "kind": "training",
            "held_on": "2025-05-06",
            "duration_min": 240,
            "series_id": series.id,
            "outcome": "",
        },
        attendee_ids=[ala.id],
    )
    volunteer = add_volunteer(store, {"contact_id": ala.id, "since": "2025-01-01", "activity": "Kącik"})
    log_hours(store, volunteer.id, {"worked_on": "2025-05-06", "minutes": 90, "meeting_id": session.id})


def test_records_survive_the_wire_format(store: Store) -> None:
    _build(store)
    seen = set()
    with store.read() as session:
        for model in NETWORK_RECORDS:
            for record in session.exec(select(model)).all():
                seen.add(model.record_type)
                wire = json.loads(json.dumps({n: to_wire(v) for n, v in record.data().items()}))
                back = {n: from_wire(model, n, v) for n, v in wire.items()}
                assert back == record.data(), model.record_type
                assert record.base_hlc and record.updated_hlc >= record.base_hlc
                assert record.device_id == store.device_id
    assert seen == {m.record_type for m in NETWORK_RECORDS}


def test_adding_links_never_writes_the_parent(store: Store) -> None:
    """Members, partners and attendees are rows of their own: two devices adding at once cannot collide."""
    ala, ola, ngo = contact(store, "Ala"), contact(store, "Ola"), contact(store, "Fundacja", "ngo")
    group = create_group(store, {"name": "Ogród", "theme": "ogród"})
    partnership = create_partnership(store, {"name": "Razem"})
    meeting = create_meeting(store, {"topic": "Forum", "held_on": "2025-04-05"})
    parents = [(LocalActivityGroup, group.id), (Partnership, partnership.id), (Meeting, meeting.id)]
    hlcs = [store.get(model, record_id).updated_hlc for model, record_id in parents]
    start = len(outbox(store))
    add_member(store, group.id, ala.id)
    add_member(store, group.id, ola.id)
    add_partner(store, partnership.id, ngo.id)
    add_attendee(store, meeting.id, ala.id)
    add_attendee(store, meeting.id, ola.id)
    assert [t for t, _, f in outbox(store)[start:] if f == ["*"]] == [
        "group_member",
        "group_member",
        "partner",
        "attendance",
        "attendance",
    ]
    assert [store.get(model, record_id).updated_hlc for model, record_id in parents] == hlcs


def test_edits_are_field_level(store: Store) -> None:
    meeting = create_meeting(store, {"topic": "Forum", "held_on": "2025-04-05"})
    start = len(outbox(store))
    update_meeting(store, meeting.id, {"anonymous_count": 5, "topic": "Forum"})
    assert outbox(store)[start:] == [("meeting", meeting.id, ["anonymous_count"])]
    stored = store.get(Meeting, meeting.id)
    assert set(stored.field_hlcs) == {"anonymous_count"} and stored.field_hlc("topic") == stored.base_hlc
