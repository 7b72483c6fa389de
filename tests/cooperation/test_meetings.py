from datetime import date

import pytest
from sqlmodel import select

from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.i18n import errors_by_field
from fieldapp.model import Attendance, Meeting
from fieldapp.services.cooperation import (
    add_attendee,
    add_attendees,
    add_task,
    complete_task,
    create_meeting,
    list_meetings,
    meeting_summary,
    meetings_of_contact,
    open_tasks,
    record_action_participants,
    remove_attendance,
    set_anonymous_count,
    set_attendance_role,
    tasks_of_contact,
    tasks_of_meeting,
    update_meeting,
)
from fieldapp.store import Store
from tests.cooperation.helpers import action, contact, outbox, zone


def test_meeting_with_organisers_attendees_and_head_count(store: Store) -> None:
    z = zone(store)
    library = contact(store, "Biblioteka, filia 3", "culture")
    ala, ola, ela = (contact(store, n) for n in ("Ala", "Ola", "Ela"))
    meeting = create_meeting(
        store,
        {
            "zone_id": z.id,
            "kind": "forum",
            "topic": "Forum organizacji",
            "held_on": "2025-05-20",
            "start_time": "17:30",
            "place": "Filia 3",
            "anonymous_count": 4,
        },
        organiser_ids=[library.id],
        attendee_ids=[ala.id, ola.id, library.id],
    )
    add_attendee(store, meeting.id, ela.id)
    with pytest.raises(ValidationFailed) as failed:
        add_attendee(store, meeting.id, ela.id)
    assert failed.value.errors[0].code == "network.already_attending"
    assert add_attendees(store, meeting.id, [ala.id, ela.id]) == []

    summary = meeting_summary(store, meeting.id)
    assert [c.name for c in summary.organisers] == ["Biblioteka, filia 3"]
    assert [c.name for c in summary.participants] == ["Ala", "Ola", "Ela"]
    assert summary.head_count == 4 + 4
    set_anonymous_count(store, meeting.id, 6)
    assert meeting_summary(store, meeting.id).head_count == 10
    assert list_meetings(store, zone_id=z.id)[0].id == meeting.id
    assert [m.id for m, _ in meetings_of_contact(store, ola.id)] == [meeting.id]

    ola_row = next(a for a, c in summary.attendees if c.id == ola.id)
    set_attendance_role(store, ola_row.id, "organiser")
    assert {c.name for c in meeting_summary(store, meeting.id).organisers} == {"Biblioteka, filia 3", "Ola"}
    remove_attendance(store, ola_row.id)
    assert meeting_summary(store, meeting.id).head_count == 9


def test_bad_meeting_input_is_explained(store: Store) -> None:
    before = len(outbox(store))
    with pytest.raises(ValidationFailed) as failed:
        create_meeting(
            store,
            {"topic": "", "held_on": "jutro", "start_time": "25:00", "anonymous_count": -2, "kind": "party"},
        )
    assert {(e.field, e.code) for e in failed.value.errors} == {
        ("topic", "network.required"),
        ("held_on", "network.invalid_date"),
        ("start_time", "network.invalid_time"),
        ("anonymous_count", "network.invalid_number"),
        ("kind", "network.invalid_choice"),
    }
    assert "RRRR-MM-DD" in errors_by_field(failed.value)["held_on"]
    assert "YYYY-MM-DD" in errors_by_field(failed.value, "en")["held_on"]
    assert len(outbox(store)) == before
    meeting = create_meeting(store, {"topic": "Spotkanie", "held_on": date(2025, 1, 1)})
    with pytest.raises(ValidationFailed):
        update_meeting(store, meeting.id, {"anonymous_count": "dużo"})
    assert store.get(Meeting, meeting.id).anonymous_count == 0
    with pytest.raises(NotFound):
        add_attendee(store, "nope", contact(store, "X").id)


def test_action_participation_is_recorded_once(store: Store) -> None:
    festyn = action(store, "Festyn")
    ala, ola = contact(store, "Ala"), contact(store, "Ola")
    assert len(record_action_participants(store, festyn.id, [ala.id, ola.id])) == 2
    assert record_action_participants(store, festyn.id, [ala.id]) == []
    with store.read() as session:
        rows = session.exec(select(Attendance).where(Attendance.event_id == festyn.id)).all()
    assert {r.event_type for r in rows} == {"action"}


def test_follow_up_tasks_from_a_meeting(store: Store) -> None:
    meeting = create_meeting(store, {"topic": "Spotkanie sąsiedzkie", "held_on": "2025-06-01"})
    ala, ola = contact(store, "Ala"), contact(store, "Ola")
    call = add_task(
        store,
        {
            "contact_id": ala.id,
            "meeting_id": meeting.id,
            "title": "Zadzwonić w sprawie ogrodu",
            "due_on": "2025-06-10",
        },
    )
    later = add_task(store, {"contact_id": ala.id, "title": "Zaprosić na forum", "due_on": "2025-07-01"})
    add_task(store, {"contact_id": ola.id, "meeting_id": meeting.id, "title": "Wysłać zdjęcia"})
    with pytest.raises(ValidationFailed) as failed:
        add_task(store, {"title": "Bez osoby"})
    assert failed.value.errors[0].field == "contact_id"

    assert [t.title for t in tasks_of_meeting(store, meeting.id)] == [
        "Zadzwonić w sprawie ogrodu",
        "Wysłać zdjęcia",
    ]
    assert [t.id for t in open_tasks(store, due_by=date(2025, 6, 30))] == [call.id]
    complete_task(store, call.id, on="2025-06-09")
    assert [t.id for t in tasks_of_contact(store, ala.id)] == [later.id]
    assert [t.id for t in tasks_of_contact(store, ala.id, include_done=True)] == [later.id, call.id]
