"""Erasure of a person (RODO art. 17): their network links go, the head-counts stay."""

import sqlite3

from fieldapp.model import FollowUpTask, GroupMember
from fieldapp.model.cooperation import NETWORK_RECORDS
from fieldapp.services.cooperation import (
    add_task,
    create_group,
    create_meeting,
    erase_person_links,
    group_summary,
    groups_of_contact,
    meeting_summary,
    meetings_of_contact,
    record_action_participants,
    remove_attendance,
    tasks_of_contact,
)
from fieldapp.store import Store
from tests.cooperation.helpers import action, contact, outbox


def _tables_mentioning(store: Store, value: str) -> list[str]:
    """Network tables with any column equal to ``value`` (read straight from the file)."""
    db = sqlite3.connect(store.path)
    found = []
    for model in NETWORK_RECORDS:
        table = model.__tablename__
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        where = " OR ".join(f'"{c}" = ?' for c in columns)
        if db.execute(f"SELECT count(*) FROM {table} WHERE {where}", [value] * len(columns)).fetchone()[0]:
            found.append(table)
    db.close()
    return found


def test_erasure_removes_links_but_keeps_head_counts(store: Store) -> None:
    erased, ala, ola = contact(store, "Ewa Nowak"), contact(store, "Ala"), contact(store, "Ola")
    group = create_group(
        store, {"name": "Ogród", "theme": "ogród"}, member_ids=[ala.id], leader_ids=[erased.id]
    )
    meeting = create_meeting(
        store,
        {"topic": "Forum", "held_on": "2025-05-05", "anonymous_count": 3},
        organiser_ids=[erased.id],
        attendee_ids=[ala.id, ola.id],
    )
    other = create_meeting(store, {"topic": "Pomyłka", "held_on": "2025-05-06"}, attendee_ids=[erased.id])
    remove_attendance(
        store, meeting_summary(store, other.id).attendees[0][0].id
    )  # a tombstone still names her
    record_action_participants(store, action(store, "Festyn").id, [erased.id, ola.id])
    add_task(
        store,
        {
            "contact_id": erased.id,
            "meeting_id": meeting.id,
            "title": "Zadzwonić do Ewy Nowak",
            "note": "tel. po 18",
        },
    )
    before_group, before_meeting = group_summary(store, group.id), meeting_summary(store, meeting.id)
    pushed_before = len(outbox(store))

    with store.write() as conn:
        counts = erase_person_links(conn, store, erased.id)

    assert (counts.attendance, counts.memberships, counts.partners, counts.tasks) == (3, 1, 0, 1)
    after_group, after_meeting = group_summary(store, group.id), meeting_summary(store, meeting.id)
    assert after_group.member_count == before_group.member_count == 2
    assert [c.name for _, c in after_group.members] == ["Ala"] and after_group.anonymous_members == 1
    assert after_group.leaders == []
    assert after_meeting.head_count == before_meeting.head_count == 6
    assert {c.name for _, c in after_meeting.attendees} == {"Ala", "Ola"} and after_meeting.erased == 1
    assert groups_of_contact(store, erased.id) == [] and meetings_of_contact(store, erased.id) == []
    assert tasks_of_contact(store, erased.id, include_done=True) == []
    assert _tables_mentioning(store, erased.id) == []
    assert _tables_mentioning(store, "Zadzwonić do Ewy Nowak") == []
    assert _tables_mentioning(store, "tel. po 18") == []
    # Every anonymised row goes to the other devices; nothing else was touched.
    changed = outbox(store)[pushed_before:]
    assert sorted(t for t, _, _ in changed) == ["attendance"] * 3 + ["group_member", "task"]
    task_change = next(fields for t, _, fields in changed if t == "task")
    assert task_change == ["contact_id", "deleted", "note", "title"]
    with store.read() as session:
        assert session.get(FollowUpTask, next(i for t, i, _ in changed if t == "task")).deleted
    # Erasing again changes nothing more.
    with store.write() as conn:
        erase_person_links(conn, store, erased.id)
    assert len(outbox(store)) == pushed_before + 5
    assert store.get(GroupMember, after_group.members[0][0].id).contact_id == ala.id
