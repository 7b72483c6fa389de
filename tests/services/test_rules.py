"""The model's rules as the app's services apply them (the same rules the sync service holds pushes
to): each refusal has its field, its code and a clear message in Polish and English, and nothing is
written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import errors_by_field
from fieldapp.model import NeighbourhoodAction
from fieldapp.services import actions, contacts, visits
from fieldapp.services.cooperation import tasks
from fieldapp.store import Store

TODAY = date.today()


def refused(call: Any, *args: Any, **kwargs: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as failed:
        call(*args, **kwargs)
    return failed.value


def codes(failed: ValidationFailed) -> dict[str, str]:
    return {e.field: e.code for e in failed.errors}


def _planned(store: Store, starts_on: date) -> NeighbourhoodAction:
    action = actions.create_action(store, {"title": "Festyn", "starts_on": starts_on})
    return actions.advance_action(store, action.id, "planned")


def test_an_action_dated_in_the_future_cannot_be_done(store: Store) -> None:
    action = _planned(store, TODAY + timedelta(days=10))
    failed = refused(actions.advance_action, store, action.id, "done")
    assert codes(failed) == {"starts_on": "action_date_in_future"}
    assert "przyszłości" in errors_by_field(failed, "pl")["starts_on"]
    assert "in the future" in errors_by_field(failed, "en")["starts_on"]
    assert store.get(NeighbourhoodAction, action.id).status == "planned"
    # Once the day has come (the date corrected), it is done.
    actions.update_action(store, action.id, {"starts_on": TODAY.isoformat()})
    assert actions.advance_action(store, action.id, "done").status == "done"


def test_a_done_action_keeps_a_date_that_has_passed(store: Store) -> None:
    action = _planned(store, TODAY - timedelta(days=3))
    actions.advance_action(store, action.id, "done")
    failed = refused(actions.update_action, store, action.id, {"starts_on": TODAY + timedelta(days=30)})
    assert codes(failed) == {"starts_on": "action_date_in_future"}
    assert store.get(NeighbourhoodAction, action.id).starts_on == TODAY - timedelta(days=3)
    # A reported action keeps its report.
    actions.update_action(store, action.id, {"report": "Przyszło 40 osób", "participants": 40})
    actions.advance_action(store, action.id, "reported")
    failed = refused(actions.update_action, store, action.id, {"report": "  "})
    assert codes(failed) == {"report": "action_report_required"}


@pytest.mark.parametrize(
    ("fields", "field", "code", "pl", "en"),
    [
        ({"name": "Ala\x1b[31m"}, "name", "invalid_text", "niedozwolone znaki", "cannot be stored"),
        ({"street": "Zielona\n2"}, "street", "invalid_text", "niedozwolone znaki", "cannot be stored"),
        ({"notes": "ok\x0bok"}, "notes", "invalid_text", "niedozwolone znaki", "cannot be stored"),
        ({"lat": 91, "lon": 19.4}, "lat", "number_out_of_range", "między -90 a 90", "between -90 and 90"),
    ],
)
def test_contact_fields_follow_the_model(
    store: Store, fields: dict[str, Any], field: str, code: str, pl: str, en: str
) -> None:
    failed = refused(contacts.create_contact, store, {"kind": "ngo", "name": "Fundacja", **fields})
    assert codes(failed) == {field: code}
    assert pl in errors_by_field(failed, "pl")[field]
    assert en in errors_by_field(failed, "en")[field]
    assert contacts.count_contacts(store) == 0


def test_free_text_keeps_its_line_breaks(store: Store) -> None:
    notes = "Piętro 2.\n\tWejście od podwórza."
    contact = contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja", "notes": notes})
    assert contact.notes == notes


def test_visit_dates_stay_near_today(store: Store) -> None:
    far = TODAY + timedelta(days=5 * 365)
    failed = refused(visits.log_visit, store, outcome="talked", follow_up_on=far)
    assert codes(failed) == {"follow_up_on": "date_too_far"}
    assert far.isoformat() in errors_by_field(failed, "pl")["follow_up_on"]
    assert "too far" in errors_by_field(failed, "en")["follow_up_on"]
    tomorrow_and_more = datetime.now(UTC) + timedelta(days=3)
    failed = refused(visits.log_visit, store, outcome="talked", visited_at=tomorrow_and_more)
    assert codes(failed) == {"visited_at": "date_in_future"}
    assert visits.recent_visits(store) == []
    near = visits.log_visit(store, outcome="talked", follow_up_on=TODAY + timedelta(days=60))
    assert near.follow_up_on == TODAY + timedelta(days=60)


def test_a_task_is_due_within_the_horizon(store: Store) -> None:
    ala = contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja"})
    task = {"contact_id": ala.id, "title": "Zadzwonić", "due_on": "2099-01-01"}
    failed = refused(tasks.add_task, store, task)
    assert codes(failed) == {"due_on": "network.date_too_far"}
    assert "najpóźniej" in errors_by_field(failed, "pl")["due_on"]
