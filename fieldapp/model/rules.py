"""Record-level rules: what a record of a kind needs in each state, and how its state may move.

Field rules (``fieldapp.model.fields``) judge one value; these judge a whole record, given as wire
dicts (``registry.to_wire`` values, a missing field meaning its default): ``before`` (the stored
record, or None for a new one) and ``after`` (as the write leaves it). The device's services call
``record_errors`` before they write; the sync service calls it on the record as its merge leaves
it, so a device that skipped its own checks (or coalesced offline edits) is held to the same rules.

- Actions move along ``ACTION_TRANSITIONS``. Devices coalesce offline edits (idea → planned → done
  offline is pushed as idea → done), so a move is valid when the new status is *reachable* from the
  stored one, not only one step away. A status brings its needs, also for a record created in it:
  "done" and "reported" need a date that is not in the future (if the action has one); "reported"
  also needs its report and the number of participants.
- An action's micro-grant application moves along ``APPLICATION_TRANSITIONS`` (reachable, as
  above). Submitted needs the applicant (the lead implementer), the signed letter of intent, the
  amount requested and the day it was submitted (not in the future); accepted needs the amount
  granted; rejected needs the reason. An action whose application is pending, rejected or withdrawn
  is not done or reported (an accepted one, or none, may be). Who may decide is the service's
  check (``sync.server.incoming.decides_for_others``), not a rule of the record.
- Every record is created with the fields its model declares without a default (a visit's
  outcome, a review's target): a missing one is ``required``.
- Consents: the later-editions scope needs a given consent to store data. Community places: a
  program's own stage is named. A self-assessment line's principle belongs to its framework. A
  booking ends after it starts; an edition too. An OWES activity has a form or a task. A participant
  profile's groups count no more people than its age bands.
- Reviews: "returned" and "corrected" need the supervisor's comment (what to fix); only a returned
  (or already corrected) entry becomes "corrected" — that is the animator's answer to a return.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from typing import Any

from fieldapp.errors import FieldError
from fieldapp.model.attachment import is_sha256
from fieldapp.model.enums import (
    ACTION_TRANSITIONS,
    APPLICATION_TRANSITIONS,
    ActionStatus,
    ApplicationStatus,
    ConsentStatus,
    ReviewState,
)
from fieldapp.model.fields import FUTURE_SLACK, TIME, today
from fieldapp.model.geometry import distinct_ring, self_intersects
from fieldapp.model.participants import AGE_BANDS, GROUPS
from fieldapp.model.places import PRINCIPLES, PlaceStage
from fieldapp.model.registry import RECORD_TYPES

Wire = dict[str, Any]
RecordRule = Callable[[Wire | None, Wire], list[FieldError]]


@cache
def reachable(status: str, moves: str = "action") -> frozenset[str]:
    """Statuses an action (``moves="application"``: its application) in ``status`` may get to in
    one or more moves (itself excluded unless a cycle leads back)."""
    graph = APPLICATION_TRANSITIONS if moves == "application" else ACTION_TRANSITIONS
    seen: set[str] = set()
    todo = list(graph.get(status, ()))
    while todo:
        step = todo.pop()
        if step not in seen:
            seen.add(step)
            todo.extend(graph.get(step, ()))
    return frozenset(seen)


#: What each action status needs, beyond what the status before it needed.
_HELD = (ActionStatus.DONE, ActionStatus.REPORTED)


def _changed(before: Wire | None, after: Wire, names: tuple[str, ...], defaults: Wire) -> bool:
    if before is None:
        return True
    return any(before.get(n, defaults.get(n)) != after.get(n, defaults.get(n)) for n in names)


_ACTION_DEFAULTS: Wire = {
    "status": ActionStatus.IDEA,
    "report": "",
    "participants": 0,
    "starts_on": None,
    "application_status": ApplicationStatus.NONE,
}
_APPLICATION_DEFAULTS: Wire = {
    "application_status": ApplicationStatus.NONE,
    "lead_id": None,
    "loi_signed": False,
    "grant_requested_gr": None,
    "grant_granted_gr": None,
    "submitted_on": None,
    "decision_reason": "",
}
#: Application states in which the action may not be done or reported.
_NOT_GRANTED = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_EVALUATION,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)


def application_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """The application's move and the needs of its state."""
    state = after.get("application_status", ApplicationStatus.NONE)
    if before is not None:
        old = before.get("application_status", ApplicationStatus.NONE)
        if state != old and state not in reachable(old, "application"):
            moved = {"from_status": str(old), "to_status": str(state)}
            return [FieldError("application_status", "application_transition", moved)]
    if not _changed(before, after, tuple(_APPLICATION_DEFAULTS), _APPLICATION_DEFAULTS):
        return []
    errors = []
    if state in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.UNDER_EVALUATION,
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.REJECTED,
    ):
        if not after.get("lead_id"):
            errors.append(FieldError("lead_id", "application_applicant_required"))
        if not after.get("loi_signed"):
            errors.append(FieldError("loi_signed", "application_loi_required"))
        if not after.get("grant_requested_gr"):
            errors.append(FieldError("grant_requested_gr", "application_amount_required"))
        submitted_on = after.get("submitted_on")
        if not submitted_on:
            errors.append(FieldError("submitted_on", "application_submitted_on_required"))
        elif isinstance(submitted_on, str) and _after_today(submitted_on):
            errors.append(FieldError("submitted_on", "date_in_future", {"value": submitted_on}))
    if state == ApplicationStatus.ACCEPTED and not after.get("grant_granted_gr"):
        errors.append(FieldError("grant_granted_gr", "application_granted_required"))
    if state == ApplicationStatus.REJECTED:
        reason = after.get("decision_reason")
        if not isinstance(reason, str) or not reason.strip():
            errors.append(FieldError("decision_reason", "application_reason_required"))
    return errors


def action_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """The lifecycle moves (the action's, its application's) and the needs of their states."""
    found = application_errors(before, after)
    return found + _status_errors(before, after)


def _status_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    status = after.get("status", ActionStatus.IDEA)
    if before is not None:
        old = before.get("status", ActionStatus.IDEA)
        if status != old and status not in reachable(old):
            moved = {"from_status": str(old), "to_status": str(status)}
            return [FieldError("status", "action_transition", moved)]
    if status not in _HELD or not _changed(before, after, tuple(_ACTION_DEFAULTS), _ACTION_DEFAULTS):
        return []
    errors = []
    application = after.get("application_status", ApplicationStatus.NONE)
    if application in _NOT_GRANTED:
        errors.append(FieldError("status", "application_not_accepted", {"application": str(application)}))
    starts_on = after.get("starts_on")
    if isinstance(starts_on, str) and _after_today(starts_on):
        errors.append(FieldError("starts_on", "action_date_in_future", {"value": starts_on}))
    if status == ActionStatus.REPORTED:
        report = after.get("report")
        if not isinstance(report, str) or not report.strip():
            errors.append(FieldError("report", "action_report_required"))
        if not after.get("participants"):
            errors.append(FieldError("participants", "action_participants_required"))
    return errors


def _after_today(day: str) -> bool:
    """A day later than today (UTC) plus the clocks' slack: a phone west or east of Greenwich may
    already or still live in another day."""
    try:
        return date.fromisoformat(day) > today() + timedelta(days=FUTURE_SLACK.days)
    except ValueError:
        return False  # a malformed day is the field rule's to refuse


_REVIEW_DEFAULTS: Wire = {"state": ReviewState.NEW, "comment": ""}
#: States only an entry sent back to its author can be in.
_NEEDS_COMMENT = (ReviewState.RETURNED, ReviewState.CORRECTED)


def review_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """A return says what to fix; only a returned entry is corrected."""
    state = after.get("state", ReviewState.NEW)
    if state not in _NEEDS_COMMENT or not _changed(before, after, tuple(_REVIEW_DEFAULTS), _REVIEW_DEFAULTS):
        return []
    errors = []
    old = None if before is None else before.get("state", ReviewState.NEW)
    if state == ReviewState.CORRECTED and old not in _NEEDS_COMMENT:
        errors.append(FieldError("state", "review_not_returned", {"from_state": str(old or ReviewState.NEW)}))
    comment = after.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        errors.append(FieldError("comment", "review_comment_required"))
    return errors


def building_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """A building's flat range runs forwards ("1–60", not "60–1")."""
    first, last = after.get("flat_first"), after.get("flat_last")
    if isinstance(first, int) and isinstance(last, int) and first > last:
        return [FieldError("flat_last", "building_flat_range", {"first": first, "last": last})]
    return []


def zone_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """A zone's boundary does not cross itself (the field rule checks its points one by one)."""
    polygon = after.get("polygon")
    if before is not None and polygon == before.get("polygon"):
        return []
    try:
        ring = distinct_ring(polygon)
    except (TypeError, ValueError):
        return []  # malformed points are the field rule's to refuse
    if len(ring) >= 4 and self_intersects(ring):
        return [FieldError("polygon", "geo_polygon_self_intersecting")]
    return []


def attachment_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """An attachment names its bytes by their hex SHA-256; only an erasure empties it."""
    sha = after.get("sha256", "")
    if not isinstance(sha, str) or ((sha or before is None) and not is_sha256(sha)):
        return [FieldError("sha256", "file_sha256")]
    return []


def consent_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """Being contacted in later editions needs the data kept: a given consent with the later-editions
    scope has the "store" scope too (a withdrawn or refused one keeps its scopes as history)."""
    if not after.get("scope_later_editions") or after.get("status") != ConsentStatus.GIVEN:
        return []
    if not after.get("scope_store"):
        return [FieldError("scope_later_editions", "consent_later_editions_needs_store")]
    return []


def _own_stage_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """A program's own stage is named."""
    name = after.get("stage_name")
    if after.get("stage") == PlaceStage.OWN and not (isinstance(name, str) and name.strip()):
        return [FieldError("stage_name", "place_stage_name_required")]
    return []


def principle_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """A checklist line names a principle of its framework."""
    framework, principle = after.get("framework"), after.get("principle")
    if framework in PRINCIPLES and principle not in PRINCIPLES[framework]:
        return [FieldError("principle", "principle_not_in_framework", {"value": str(principle)})]
    return []


def _minutes(clock: Any) -> int | None:
    """Minutes after midnight of an "HH:MM" the field rule (``fields.TIME``) accepts."""
    if isinstance(clock, str) and TIME(clock):
        return int(clock[:2]) * 60 + int(clock[3:])
    return None  # a malformed time is the field rule's to refuse


def booking_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """A booking ends after it starts."""
    start, end = _minutes(after.get("start_time")), _minutes(after.get("end_time"))
    if start is not None and end is not None and end <= start:
        times = {"start": str(after.get("start_time")), "end": str(after.get("end_time"))}
        return [FieldError("end_time", "booking_ends_before_start", times)]
    return []


def owes_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """An animation activity has its form or its task (or both)."""
    if not after.get("form") and not after.get("task"):
        return [FieldError("form", "owes_form_or_task")]
    return []


def edition_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """An edition ends after it starts."""
    starts, ends = after.get("starts_on"), after.get("ends_on")
    if isinstance(starts, str) and isinstance(ends, str) and ends < starts:
        return [FieldError("ends_on", "edition_ends_before_start", {"start": starts, "end": ends})]
    return []


def profile_errors(before: Wire | None, after: Wire) -> list[FieldError]:
    """No group counts more people than the age bands do (the groups overlap, the bands do not)."""
    counted = sum(v for band in AGE_BANDS if isinstance(v := after.get(band, 0), int))
    return [
        FieldError(group, "profile_group_exceeds_total", {"count": value, "total": counted})
        for group in GROUPS
        if isinstance(value := after.get(group, 0), int) and value > counted
    ]


#: The rules of a record kind beyond its required fields, by wire record type.
KIND_RULES: dict[str, RecordRule] = {
    "action": action_errors, "review": review_errors, "building": building_errors,
    "consent": consent_errors, "community_place": _own_stage_errors, "place_stage": _own_stage_errors,
    "principle_check": principle_errors, "booking": booking_errors, "owes_activity": owes_errors,
    "edition": edition_errors, "participant_profile": profile_errors, "attachment": attachment_errors,
    "zone": zone_errors,
}
#: The fields a new record of each type must have: those its model declares without a default.
REQUIRED: dict[str, frozenset[str]] = {
    record_type: frozenset(n for n in model.data_fields() if model.model_fields[n].is_required())
    for record_type, model in RECORD_TYPES.items()
}


def record_errors(record_type: str, before: Wire | None, after: Wire) -> list[FieldError]:
    """What breaks the record kind's rules when ``before`` (None: a new record) becomes ``after``
    (wire dicts). Written for the push's hot path: a record of a kind without rules of its own,
    created whole, costs a dict look-up and one set test."""
    found = []
    if before is None and not REQUIRED[record_type] <= after.keys():
        found = [FieldError(n, "required") for n in sorted(REQUIRED[record_type] - after.keys())]
    rule = KIND_RULES.get(record_type)
    return found if rule is None else found + rule(before, after)
