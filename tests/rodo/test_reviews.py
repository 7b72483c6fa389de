"""Reviews on one device: who may decide, the states, corrections by the author, and the queue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.i18n import error_text
from fieldapp.services import actions, diagnoses, visits
from fieldapp.services.reviews import (
    approve,
    mark_corrected,
    return_entry,
    review_id,
    review_of,
    review_queue,
    state_of,
)
from fieldapp.services.rodo import entries
from fieldapp.services.roles import role
from fieldapp.store import Store
from tests.cooperation.helpers import zone


def as_user(store: Store, user_id: str, user_role: str) -> None:
    store.set_user(user_id)
    store.set_meta("user.role", user_role)


def knock(store: Store, day: int, **data) -> str:
    at = datetime(2026, 5, day, 10, tzinfo=UTC)
    return visits.log_visit(store, outcome="talked", visited_at=at, **data).id


def test_only_supervisors_and_admins_decide(store: Store) -> None:
    as_user(store, "anim-1", "animator")
    visit_id = knock(store, 3)
    assert role(store) == "animator"
    for decide in (
        lambda: approve(store, "visit", visit_id),
        lambda: return_entry(store, "visit", visit_id, "x"),
    ):
        with pytest.raises(ValidationFailed) as failed:
            decide()
        assert failed.value.errors[0].code == "review_not_allowed"
        assert "koordynator" in error_text(failed.value.errors[0])
        assert "supervisor" in error_text(failed.value.errors[0], "en")
    assert review_of(store, "visit", visit_id) is None
    store.set_meta("sync.role", "admin")  # what enrollment stores wins over the local setting
    assert approve(store, "visit", visit_id).state == "approved"


def test_return_needs_a_comment_and_a_known_target(store: Store) -> None:
    as_user(store, "sup-1", "supervisor")
    visit_id = knock(store, 3)
    with pytest.raises(ValidationFailed) as failed:
        return_entry(store, "visit", visit_id, "  ")
    assert [(e.field, e.code) for e in failed.value.errors] == [("comment", "review_comment_required")]
    with pytest.raises(ValidationFailed) as failed:
        approve(store, "contact", visit_id)
    assert failed.value.errors[0].code == "review_unknown_kind"
    assert "wizyty" in error_text(failed.value.errors[0])
    with pytest.raises(NotFound):
        approve(store, "visit", "no-such-visit")


def test_round_trip_on_one_record_per_target(store: Store) -> None:
    as_user(store, "anim-1", "animator")
    visit_id = knock(store, 3, notes="Rozmowa o ławkach")
    assert state_of(store, "visit", visit_id) == "new"
    as_user(store, "sup-1", "supervisor")
    returned = return_entry(store, "visit", visit_id, "Brakuje następnego kroku")
    assert returned.id == review_id("visit", visit_id) and returned.reviewer_id == "sup-1"
    # A supervisor's own edit of a returned entry is not the animator's correction.
    visits.correct_visit(store, visit_id, {"notes": "Rozmowa o ławkach."})
    assert state_of(store, "visit", visit_id) == "returned"
    as_user(store, "anim-1", "animator")
    visits.correct_visit(store, visit_id, {"next_step": "Zaprosić na forum"})
    review = review_of(store, "visit", visit_id)
    assert review is not None and (review.state, review.comment) == ("corrected", "Brakuje następnego kroku")
    assert mark_corrected(store, "visit", visit_id) is None  # only a returned entry becomes corrected
    as_user(store, "sup-1", "supervisor")
    return_entry(store, "visit", visit_id, "Jeszcze data")  # returned again is possible
    approve(store, "visit", visit_id)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM review").scalar() == 1
    assert [e.action for e in entries(store, target_id=visit_id)] == [
        "approved",
        "returned",
        "corrected",
        "returned",
    ]
    assert {e.actor for e in entries(store, target_id=visit_id, actions=["corrected"])} == {"anim-1"}


def test_diagnosis_and_action_edits_by_their_author_are_corrections(store: Store) -> None:
    as_user(store, "anim-1", "animator")
    sas = zone(store)
    diagnosis = diagnoses.create_diagnosis(
        store, {"zone_id": sas.id, "title": "Diagnoza", "period_start": "2026-03-01"}
    )
    action = actions.create_action(store, {"title": "Festyn", "zone_id": sas.id})
    as_user(store, "sup-1", "supervisor")
    return_entry(store, "diagnosis", diagnosis.id, "Dodaj metody")
    return_entry(store, "action", action.id, "Dodaj miejsce")
    as_user(store, "anim-1", "animator")
    diagnoses.update_diagnosis(store, diagnosis.id, {"summary": "Spacer badawczy i wywiady"})
    actions.update_action(store, action.id, {"place": "Podwórko Zielona 7"})
    assert state_of(store, "diagnosis", diagnosis.id) == "corrected"
    assert state_of(store, "action", action.id) == "corrected"


def test_queue_filters_and_order(store: Store) -> None:
    as_user(store, "anim-1", "animator")
    north, south = zone(store, "Północ"), zone(store, "Południe")
    first = knock(store, 1, zone_id=north.id)
    second = knock(store, 2, zone_id=south.id)
    action = actions.create_action(store, {"title": "Festyn", "zone_id": north.id, "starts_on": "2026-05-04"})
    as_user(store, "anim-2", "animator")
    other = knock(store, 3, zone_id=north.id)
    as_user(store, "sup-1", "supervisor")
    return_entry(store, "visit", second, "Popraw adres")
    approve(store, "visit", first)

    rows = review_queue(store)
    assert [r.target_id for r in rows] == [action.id, other, second, first]
    assert [(r.state, r.comment) for r in rows] == [
        ("new", ""),
        ("new", ""),
        ("returned", "Popraw adres"),
        ("approved", ""),
    ]
    assert rows[0].target_type == "action" and rows[0].label == "Festyn" and rows[2].label == "talked"
    assert rows[2].at == datetime(2026, 5, 2, 10, tzinfo=UTC)  # the knock's instant, shown in local time
    assert [r.target_id for r in review_queue(store, animator_id="anim-1")] == [action.id, second, first]
    assert [r.target_id for r in review_queue(store, zone_id=north.id, kinds=["visit"])] == [other, first]
    assert [r.target_id for r in review_queue(store, states=["new", "returned"], kinds=["visit"])] == [
        other,
        second,
    ]
    assert [r.target_id for r in review_queue(store, start=date(2026, 5, 2), end=date(2026, 5, 3))] == [
        other,
        second,
    ]
    assert [r.target_id for r in review_queue(store, limit=1)] == [action.id]
    since = datetime(2026, 5, 2, 12, 30, tzinfo=timezone(timedelta(hours=2)))  # 10:30 UTC: after the knock
    assert [r.target_id for r in review_queue(store, kinds=["visit"], start=since)] == [other]
    assert review_queue(store, kinds=["contact"]) == []
