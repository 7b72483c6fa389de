"""Meeting kinds and volunteering through the services: training sessions in a series with their
hours and attendance per session, a consultation's outcome, a volunteer's role and hours, and what
erasure leaves of a volunteer (the hours, not the person)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from fieldapp.errors import ValidationFailed
from fieldapp.model import Volunteer, VolunteerHours
from fieldapp.services.cooperation import (
    add_volunteer,
    create_meeting,
    create_series,
    end_volunteering,
    erase_person_links,
    list_series,
    log_hours,
    meeting_summary,
    series_sessions,
    volunteering_of_contact,
)
from fieldapp.store import Store
from tests.cooperation.helpers import contact, zone


def test_a_training_series_keeps_its_sessions_hours_and_attendance_per_session(store: Store) -> None:
    sas = zone(store)
    ala, ola = contact(store, "Ala"), contact(store, "Ola")
    series = create_series(
        store, {"name": "Szkoła liderów", "zone_id": sas.id, "sessions_planned": 10, "hours_planned": 160}
    )
    first = create_meeting(
        store,
        {
            "topic": "Sesja 1",
            "kind": "training",
            "held_on": date(2026, 3, 2),
            "duration_min": 480,
            "series_id": series.id,
        },
        attendee_ids=[ala.id, ola.id],
    )
    second = create_meeting(
        store,
        {
            "topic": "Sesja 2",
            "kind": "training",
            "held_on": date(2026, 3, 9),
            "duration_min": 420,
            "series_id": series.id,
        },
        attendee_ids=[ala.id],
    )
    assert [m.id for m in series_sessions(store, series.id)] == [first.id, second.id]
    assert [m.duration_min for m in series_sessions(store, series.id)] == [480, 420]
    assert (
        meeting_summary(store, first.id).head_count == 2 and meeting_summary(store, second.id).head_count == 1
    )
    assert [s.name for s in list_series(store, zone_id=sas.id)] == ["Szkoła liderów"]
    with pytest.raises(ValidationFailed) as failed:
        create_meeting(
            store,
            {
                "topic": "Zła",
                "kind": "training",
                "held_on": date(2026, 3, 9),
                "series_id": "0190a1b2-0000-7000-8000-000000000099",
            },
        )
    assert [e.field for e in failed.value.errors] == ["series_id"]
    with pytest.raises(ValidationFailed):
        create_meeting(store, {"topic": "Za długa", "held_on": date(2026, 3, 9), "duration_min": 24 * 60 + 1})


def test_a_consultation_keeps_its_outcome(store: Store) -> None:
    meeting = create_meeting(
        store,
        {
            "topic": "Park",
            "kind": "consultation",
            "held_on": date(2026, 3, 2),
            "outcome": "Ławki przy placu zabaw",
        },
    )
    assert meeting_summary(store, meeting.id).meeting.outcome == "Ławki przy placu zabaw"


def test_a_volunteer_gives_hours_and_erasure_keeps_them_anonymously(store: Store) -> None:
    ewa = contact(store, "Ewa")
    role = add_volunteer(
        store,
        {
            "contact_id": ewa.id,
            "since": date(2026, 1, 1),
            "activity": "Kącik czytelniczy",
            "note": "woli popołudnia",
        },
    )
    log_hours(store, role.id, {"worked_on": date(2026, 3, 2), "minutes": 90})
    log_hours(store, role.id, {"worked_on": date(2026, 3, 9), "minutes": 30})
    [given] = volunteering_of_contact(store, ewa.id)
    assert (given.minutes, given.hours) == (120, 2.0)
    with pytest.raises(ValidationFailed):
        log_hours(store, role.id, {"worked_on": date(2026, 3, 9), "minutes": 0})
    with pytest.raises(ValidationFailed):
        add_volunteer(store, {"contact_id": ewa.id, "since": date(2026, 3, 1), "until": date(2026, 2, 1)})
    end_volunteering(store, role.id, date(2026, 6, 30))

    with store.write() as conn:
        erased = erase_person_links(conn, store, ewa.id)
    assert erased.volunteering == 1
    with store.read() as session:
        kept = session.get(Volunteer, role.id)
        hours = [h.minutes for h in session.exec(select(VolunteerHours)).all()]
    assert (kept.contact_id, kept.note, kept.activity) == (None, "", "Kącik czytelniczy")
    assert sorted(hours) == [30, 90]
    assert volunteering_of_contact(store, ewa.id) == []
