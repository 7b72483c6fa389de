"""The OWES animation log and a period's indicators; who took part without personal data; training
series with their sessions, hours, attendance and individual support."""

from __future__ import annotations

from datetime import date

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.services.cooperation import create_group, create_meeting, create_series, series_progress
from fieldapp.services.participants import profile_of, set_profile, totals
from fieldapp.services.social_economy import list_activities, log_activity, period_indicators
from fieldapp.store import Store
from tests.cooperation.helpers import action, contact, zone


def test_activities_make_the_periods_indicators(store: Store) -> None:
    sas = zone(store)
    coop = contact(store, "Spółdzielnia Socjalna Razem", kind="social_economy")
    cis = contact(store, "CIS Bałuty", kind="social_economy")
    group = create_group(store, {"name": "Grupa inicjatywna", "theme": "spółdzielnia", "zone_id": sas.id})
    log_activity(
        store,
        {
            "held_on": date(2026, 3, 3),
            "title": "Spotkanie animacyjne",
            "form": "animation_meeting",
            "entity_ids": [coop.id],
            "group_ids": [group.id],
            "minutes": 120,
            "groups_formed": 1,
        },
    )
    log_activity(
        store,
        {
            "held_on": date(2026, 3, 20),
            "title": "Konsultacje programu",
            "form": "civic_dialogue",
            "task": "social_services",
            "entity_ids": [coop.id, cis.id],
            "minutes": 180,
            "outcome": "Wnioski do programu",
            "follow_up": "Spotkanie w kwietniu",
        },
    )
    log_activity(
        store,
        {
            "held_on": date(2026, 3, 28),
            "title": "Założenie spółdzielni",
            "task": "supporting_formation",
            "minutes": 90,
            "enterprises_created": 1,
            "partnerships_formed": 1,
        },
    )
    log_activity(
        store,
        {
            "held_on": date(2026, 4, 2),
            "title": "Poza okresem",
            "form": "local_diagnosis",
            "minutes": 600,
            "entity_ids": [cis.id],
        },
    )
    march = period_indicators(store, date(2026, 3, 1), date(2026, 3, 31))
    assert (
        march.activities,
        march.entities_supported,
        march.groups_formed,
        march.enterprises_created,
        march.partnerships_formed,
        march.consultations,
        march.hours,
    ) == (3, 3, 1, 1, 1, 1, 6.5)
    assert [a.title for a in list_activities(store, start=date(2026, 4, 1))] == ["Poza okresem"]


def test_an_activity_has_a_form_or_a_task_from_the_lists(store: Store) -> None:
    with pytest.raises(ValidationFailed) as caught:
        log_activity(store, {"held_on": date(2026, 3, 3), "title": "Coś"})
    assert [e.code for e in caught.value.errors] == ["owes_form_or_task"]
    with pytest.raises(ValidationFailed) as caught:
        log_activity(store, {"held_on": date(2026, 3, 3), "title": "Coś", "form": "picnic"})
    assert [e.code for e in caught.value.errors] == ["invalid_choice"]
    assert list_activities(store) == []


def test_who_took_part_is_counted_without_personal_data(store: Store) -> None:
    festyn = action(store, "Festyn sąsiedzki")
    set_profile(
        store,
        "action",
        festyn.id,
        {
            "age_under_18": 12,
            "age_30_59": 20,
            "age_60_plus": 8,
            "seniors": 8,
            "youth": 12,
            "disabilities": 2,
            "migrants": 3,
        },
    )
    set_profile(store, "action", festyn.id, {"exclusion_risk": 5})  # a later edit keeps the rest
    profile = profile_of(store, "action", festyn.id)
    assert profile is not None and (profile.seniors, profile.exclusion_risk, profile.age_under_18) == (
        8,
        5,
        12,
    )
    summed = totals([profile])
    assert summed.people == 40 and summed.groups["migrants"] == 3
    with pytest.raises(ValidationFailed) as caught:
        set_profile(store, "action", festyn.id, {"seniors": 41})
    assert [e.code for e in caught.value.errors] == ["profile_group_exceeds_total"]
    assert profile_of(store, "action", festyn.id).seniors == 8  # type: ignore[union-attr]


def test_a_training_series_counts_sessions_hours_attendance_and_individual_support(store: Store) -> None:
    ala, ola = contact(store, "Ala"), contact(store, "Ola")
    series = create_series(store, {"name": "Szkoła liderów", "sessions_planned": 10, "hours_planned": 160})
    create_meeting(
        store,
        {
            "topic": "Sesja 1",
            "kind": "training",
            "held_on": date(2026, 3, 2),
            "duration_min": 16 * 60,
            "series_id": series.id,
            "anonymous_count": 1,
        },
        attendee_ids=[ala.id, ola.id],
    )
    create_meeting(
        store,
        {
            "topic": "Sesja 2",
            "kind": "training",
            "held_on": date(2026, 3, 9),
            "duration_min": 16 * 60,
            "series_id": series.id,
        },
        attendee_ids=[ala.id],
    )
    create_meeting(
        store,
        {
            "topic": "Doradztwo: Ala",
            "kind": "support",
            "held_on": date(2026, 3, 10),
            "duration_min": 90,
            "series_id": series.id,
        },
        attendee_ids=[ala.id],
    )
    progress = series_progress(store, series.id)
    assert (
        progress.sessions,
        progress.session_minutes,
        progress.support_sessions,
        progress.support_minutes,
    ) == (
        2,
        32 * 60,
        1,
        90,
    )
    assert [(m.topic, n) for m, n in progress.attendance] == [("Sesja 1", 3), ("Sesja 2", 1)]
