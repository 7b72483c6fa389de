"""Meeting kinds and volunteering travel through the real sync service (SQLite and PostgreSQL) and
reach the supervisor's report: a training series with its sessions' hours and attendance, a
consultation's outcome, a volunteer's hours — and the erasure of the volunteer keeps the hours."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from fieldapp.reports import build_report
from fieldapp.services import contacts, zones
from fieldapp.services.cooperation import (
    add_volunteer,
    create_meeting,
    create_series,
    erase_person_links,
    log_hours,
)
from tests.sync.conftest import World

GIVEN = {
    "status": "given",
    "method": "oral",
    "scope_contact": True,
    "scope_store": True,
    "adult": True,
    "clause_version": "teren-2026.1",
    "recorded_by": "Ola",
}


def test_trainings_consultations_and_volunteers_reach_the_supervisors_report(world: World) -> None:
    animator, supervisor = world.device(), world.device(role="supervisor")
    today = date.today()
    start, end = today.replace(day=1), today.replace(day=1) + timedelta(days=40)
    sas = zones.create_zone(animator.store, {"name": "SAS Teofilów", "kind": "sas"}).id
    ala = contacts.create_contact(animator.store, {"kind": "resident", "name": "Ala", "zone_id": sas}, GIVEN)
    series = create_series(animator.store, {"name": "Szkoła liderów", "zone_id": sas, "sessions_planned": 10})
    for minutes in (480, 240):
        create_meeting(
            animator.store,
            {
                "topic": "Sesja",
                "kind": "training",
                "held_on": today,
                "zone_id": sas,
                "duration_min": minutes,
                "series_id": series.id,
            },
            attendee_ids=[ala.id],
        )
    create_meeting(
        animator.store,
        {
            "topic": "Park",
            "kind": "consultation",
            "held_on": today,
            "zone_id": sas,
            "anonymous_count": 4,
            "outcome": "Więcej ławek",
        },
    )
    role = add_volunteer(animator.store, {"contact_id": ala.id, "zone_id": sas, "since": today})
    log_hours(animator.store, role.id, {"worked_on": today, "minutes": 150})
    animator.engine.sync()
    supervisor.engine.sync()

    report = build_report(supervisor.store, start=start, end=end, zone_ids=[sas])
    [training] = report["cooperation"].trainings
    assert (training.series, training.sessions, training.minutes, training.attendance) == (
        "Szkoła liderów",
        2,
        720,
        2,
    )
    assert report["cooperation"].consultations == [(today, "Park", "Więcej ławek")]
    assert report["people"].volunteer_hours == Decimal("2.50")

    with animator.store.write() as conn:
        erase_person_links(conn, animator.store, ala.id)
    animator.engine.sync()
    supervisor.engine.sync()
    after = build_report(supervisor.store, start=start, end=end, zone_ids=[sas])
    assert after["people"].volunteer_hours == Decimal("2.50")
    assert after["cooperation"].trainings == report["cooperation"].trainings
