"""Micro-grant applications through the services the action screen calls: the lifecycle and the
needs of each state are record rules (refused with a stable code and a message in both
languages), only coordinators decide, and place and amount problems are warnings, never blocks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import errors_by_field
from fieldapp.model import NeighbourhoodAction
from fieldapp.model.rules import record_errors
from fieldapp.services import actions, applications, contacts
from fieldapp.services.roles import META_USER_ROLE
from fieldapp.store import Store

TODAY = date.today()


def refused(call: Any, *args: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failed:
        call(*args, **kwargs)
    for lang in ("pl", "en"):
        assert all(not text.startswith("error.") for text in errors_by_field(failed.value, lang).values())
    return {e.field: e.code for e in failed.value.errors}


def _ngo(store: Store) -> str:
    return contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja Ulica"}).id


def _application(store: Store, **data: Any) -> NeighbourhoodAction:
    values = {
        "title": "Kino",
        "lead_id": _ngo(store),
        "loi_signed": True,
        "grant_requested_gr": 300_000,
        **data,
    }
    return applications.create_application(store, values)


def test_a_submitted_application_needs_its_applicant_letter_and_amount(store: Store) -> None:
    assert refused(applications.create_application, store, {"title": "Kino"}) == {
        "lead_id": "application_applicant_required",
        "loi_signed": "application_loi_required",
        "grant_requested_gr": "application_amount_required",
    }
    assert refused(_application, store, submitted_on=TODAY + timedelta(days=5)) == {
        "submitted_on": "date_in_future"
    }
    draft = applications.create_application(store, {"title": "Szkic"}, submit=False)
    assert (draft.application_status, draft.submitted_on) == ("draft", None)
    assert actions.list_actions(store)[0].application_status in ("draft", "none")


def test_only_a_coordinator_decides_and_a_rejection_says_why(store: Store) -> None:
    action = _application(store)
    assert refused(applications.start_evaluation, store, action.id) == {
        "application_status": "application_decision_role"
    }
    store.set_meta(META_USER_ROLE, "supervisor")
    assert refused(applications.decide_application, store, action.id, "rejected") == {
        "decision_reason": "application_reason_required"
    }
    assert refused(
        applications.decide_application, store, action.id, "accepted", {"grant_granted_gr": None}
    ) == {"grant_granted_gr": "application_granted_required"}
    done = applications.decide_application(store, action.id, "accepted", {"grant_granted_gr": 250_000})
    assert (done.application_status, done.status, done.decided_on) == ("accepted", "funded", TODAY)
    # A decided application stays decided: no way back to evaluation.
    assert refused(applications.start_evaluation, store, action.id) == {
        "application_status": "application_transition"
    }


def test_a_pending_or_rejected_application_is_not_realised_and_never_in_the_future(store: Store) -> None:
    action = _application(store)
    assert refused(applications.realise, store, action.id) == {"status": "application_not_accepted"}
    store.set_meta(META_USER_ROLE, "supervisor")
    applications.decide_application(store, action.id, "accepted", {"grant_granted_gr": 300_000})
    assert refused(applications.realise, store, action.id, {"starts_on": TODAY + timedelta(days=9)}) == {
        "starts_on": "action_date_in_future"
    }
    realised = applications.realise(store, action.id, {"starts_on": TODAY})
    assert applications.application_stage(realised) == "realised"
    assert refused(applications.withdraw_application, store, action.id) == {
        "application_status": "application_already_realised"
    }
    assert refused(applications.report, store, action.id, {"report": ""}) == {
        "report": "action_report_required",
        "participants": "action_participants_required",
    }
    reported = applications.report(store, action.id, {"participants": 40, "report": "Było dobrze"})
    assert applications.application_stage(reported) == "reported"
    settled = applications.settle(store, action.id)
    assert settled.settled_on == TODAY


def test_the_rules_hold_for_what_a_device_pushes() -> None:
    """The service's check: a record made accepted at once, without an amount granted."""
    wire = {
        "title": "Kino",
        "application_status": "accepted",
        "lead_id": "x",
        "loi_signed": True,
        "grant_requested_gr": 1,
        "submitted_on": TODAY.isoformat(),
    }
    assert [e.code for e in record_errors("action", None, wire)] == ["application_granted_required"]
    before = {**wire, "application_status": "rejected", "decision_reason": "Poza obszarem"}
    after = {**before, "application_status": "accepted", "grant_granted_gr": 5}
    assert [e.code for e in record_errors("action", before, after)] == ["application_transition"]


def test_place_and_amount_are_warnings(store: Store) -> None:
    applications.set_excluded_streets(store, ["Piotrkowska"])
    action = _application(store, grant_requested_gr=900_000, place="ul. Piotrkowska 100")
    warnings = {
        w.code for w in [*actions.grant_warnings(action), *applications.place_warnings(store, action)]
    }
    assert warnings == {"grant_outside_range", "program_place_excluded_street"}
    assert store.get(NeighbourhoodAction, action.id) is not None  # saved all the same
