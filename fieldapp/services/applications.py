"""Micro-grant applications: an action's way through the program's grant cycle.

An application is part of its action (``NeighbourhoodAction``: the applicant is the action's lead
implementer, the amounts, participants and report are the action's own), so nothing is kept
twice: draft → submitted → under evaluation → accepted | rejected, or withdrawn, is the
``application_status``; realised and reported are the action's status (done, reported) of an
accepted application (``application_stage``). The rules of each state are record rules
(``fieldapp.model.rules``), so the sync service holds every device to them too.

Only coordinators (supervisors, admins) take an application into evaluation and decide it: this
device refuses others (``application_decision_role``), and the service refuses such a push whole
(HTTP 403, ``forbidden``) since a device's own check can be bypassed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from fieldapp.errors import Errors, FieldError, ValidationFailed
from fieldapp.geo.zones import zone_shapes, zones_containing
from fieldapp.model import NeighbourhoodAction, utcnow
from fieldapp.model.enums import (
    APPLICATION_DECISIONS,
    ActionStatus,
    ApplicationStatus,
)
from fieldapp.model.fields import today
from fieldapp.model.rules import reachable
from fieldapp.services.actions import ACTION_PARSERS, create_action
from fieldapp.services.roles import is_supervisor
from fieldapp.services.validation import (
    check_record,
    get_live,
    parse,
    parsers_for,
    wire_of,
)
from fieldapp.store import Store

#: What an application form adds to an action's own fields.
APPLICATION_FIELDS = ("lead_id", "loi_signed", "loi_signed_on", "grant_requested_gr", "submitted_on")
_EVALUATION_PARSERS = parsers_for(
    NeighbourhoodAction,
    "evaluation_notes",
    "evaluation_score",
    "decision_reason",
    "decided_on",
    "grant_granted_gr",
)
_REPORT_PARSERS = parsers_for(NeighbourhoodAction, "participants", "report", "starts_on", "settled_on")


def application_stage(action: NeighbourhoodAction) -> str:
    """Where the application stands, realisation included: its state, or "realised" / "reported"
    once its (accepted) action is done / reported."""
    if action.application_status == ApplicationStatus.ACCEPTED:
        if action.status == ActionStatus.DONE:
            return "realised"
        if action.status == ActionStatus.REPORTED:
            return "reported"
    return action.application_status


def _write(store: Store, action: NeighbourhoodAction, before: dict[str, Any], errors: Errors) -> None:
    """Check the record's rules on the whole change, then write the fields that changed."""
    check_record(before, action, errors)
    errors.raise_if_any()
    changed = [name for name, value in wire_of(action).items() if before.get(name) != value]
    if changed:
        with store.write() as conn:
            store.save(conn, action, changed)


def _move(action: NeighbourhoodAction, to_state: str, errors: Errors) -> None:
    if to_state != action.application_status and to_state not in reachable(
        action.application_status, "application"
    ):
        errors.add(
            "application_status",
            "application_transition",
            from_status=action.application_status,
            to_status=to_state,
        )
    action.application_status = to_state


def create_application(store: Store, data: dict[str, Any], *, submit: bool = True) -> NeighbourhoodAction:
    """An action proposed in an application: its own fields (``title`` required) and the
    application's (applicant ``lead_id``, letter of intent, amount requested, day submitted —
    today unless given). ``submit=False`` keeps it a draft."""
    fields = {k: v for k, v in data.items() if k not in APPLICATION_FIELDS}
    application = {k: v for k, v in data.items() if k in APPLICATION_FIELDS}
    errors = Errors()
    clean = parse(application, {k: ACTION_PARSERS[k] for k in APPLICATION_FIELDS}, errors)
    errors.raise_if_any()
    state = ApplicationStatus.SUBMITTED if submit else ApplicationStatus.DRAFT
    if submit:
        clean.setdefault("submitted_on", today())
    if clean.get("loi_signed") and not clean.get("loi_signed_on"):
        clean["loi_signed_on"] = clean.get("submitted_on") or today()
    return create_action(store, {**fields, **clean}, application_status=state)


def submit_application(
    store: Store, action_id: str, data: dict[str, Any] | None = None
) -> NeighbourhoodAction:
    """A draft (or an action without one) becomes a submitted application."""
    action = get_live(store, NeighbourhoodAction, action_id)
    errors = Errors()
    clean = parse(data or {}, {k: ACTION_PARSERS[k] for k in APPLICATION_FIELDS}, errors)
    errors.raise_if_any()
    before = wire_of(action)
    for name, value in clean.items():
        setattr(action, name, value)
    if action.submitted_on is None:
        action.submitted_on = today()
    if action.loi_signed and action.loi_signed_on is None:
        action.loi_signed_on = action.submitted_on
    _move(action, ApplicationStatus.SUBMITTED, errors)
    _write(store, action, before, errors)
    return action


def _coordinator(store: Store) -> None:
    if not is_supervisor(store):
        raise ValidationFailed([FieldError("application_status", "application_decision_role")])


def start_evaluation(store: Store, action_id: str) -> NeighbourhoodAction:
    """A coordinator takes a submitted application into evaluation."""
    _coordinator(store)
    action = get_live(store, NeighbourhoodAction, action_id)
    errors = Errors()
    before = wire_of(action)
    _move(action, ApplicationStatus.UNDER_EVALUATION, errors)
    _write(store, action, before, errors)
    return action


def decide_application(
    store: Store, action_id: str, decision: str, data: dict[str, Any] | None = None
) -> NeighbourhoodAction:
    """A coordinator's decision, ``accepted`` or ``rejected``, with the evaluation (notes, score,
    reason — required for a rejection —, the amount granted — required for an acceptance — and
    the day, today unless given). A submitted application is taken into evaluation on the way.
    An accepted action that was an idea or planned becomes funded."""
    _coordinator(store)
    action = get_live(store, NeighbourhoodAction, action_id)
    errors = Errors()
    if decision not in APPLICATION_DECISIONS - {ApplicationStatus.UNDER_EVALUATION}:
        errors.add("application_status", "invalid_choice", value=decision, allowed="accepted, rejected")
    clean = parse(data or {}, _EVALUATION_PARSERS, errors)
    errors.raise_if_any()
    before = wire_of(action)
    for name, value in clean.items():
        setattr(action, name, value)
    if action.decided_on is None:
        action.decided_on = today()
    _move(action, decision, errors)
    if decision == ApplicationStatus.ACCEPTED and action.status in (ActionStatus.IDEA, ActionStatus.PLANNED):
        action.status = ActionStatus.FUNDED
        action.status_changed_at = utcnow()
    _write(store, action, before, errors)
    return action


def withdraw_application(store: Store, action_id: str) -> NeighbourhoodAction:
    """The applicant withdraws (before the action is realised)."""
    action = get_live(store, NeighbourhoodAction, action_id)
    errors = Errors()
    if action.status in (ActionStatus.DONE, ActionStatus.REPORTED):
        errors.add("application_status", "application_already_realised")
        errors.raise_if_any()
    before = wire_of(action)
    _move(action, ApplicationStatus.WITHDRAWN, errors)
    _write(store, action, before, errors)
    return action


def realise(store: Store, action_id: str, data: dict[str, Any] | None = None) -> NeighbourhoodAction:
    """The accepted action took place (its day: ``starts_on``, not in the future)."""
    return _advance(store, action_id, ActionStatus.DONE, data)


def report(store: Store, action_id: str, data: dict[str, Any]) -> NeighbourhoodAction:
    """The realised action's report: participants and a short narrative (``settled_on`` too)."""
    return _advance(store, action_id, ActionStatus.REPORTED, data)


def settle(store: Store, action_id: str, settled_on: date | str | None = None) -> NeighbourhoodAction:
    """The grant's settlement was accepted on ``settled_on`` (today unless given)."""
    action = get_live(store, NeighbourhoodAction, action_id)
    errors = Errors()
    clean = parse({"settled_on": settled_on or today()}, _REPORT_PARSERS, errors)
    errors.raise_if_any()
    before = wire_of(action)
    action.settled_on = clean["settled_on"]
    _write(store, action, before, errors)
    return action


def _advance(
    store: Store, action_id: str, to_status: str, data: dict[str, Any] | None
) -> NeighbourhoodAction:
    action = get_live(store, NeighbourhoodAction, action_id)
    errors = Errors()
    clean = parse(data or {}, _REPORT_PARSERS, errors)
    errors.raise_if_any()
    before = wire_of(action)
    for name, value in clean.items():
        setattr(action, name, value)
    if to_status != action.status:
        if to_status not in reachable(action.status):
            errors.add("status", "action_transition", from_status=action.status, to_status=to_status)
        action.status = to_status
        action.status_changed_at = utcnow()
    _write(store, action, before, errors)
    return action


def list_applications(store: Store, state: str | None = None) -> list[NeighbourhoodAction]:
    """Live actions with an application (of a state), the latest submitted first."""
    statement = select(NeighbourhoodAction).where(
        NeighbourhoodAction.deleted == False,  # noqa: E712
        NeighbourhoodAction.application_status != ApplicationStatus.NONE,
    )
    if state:
        statement = statement.where(NeighbourhoodAction.application_status == state)
    statement = statement.order_by(NeighbourhoodAction.submitted_on.desc(), NeighbourhoodAction.title)  # type: ignore[union-attr]
    with store.read() as session:
        return list(session.exec(statement).all())


#: The program setting (store meta) naming streets where actions are not funded, comma-separated
#: (the Łódź program: not directly on ul. Piotrkowska).
META_EXCLUDED_STREETS = "program.excluded_streets"


def excluded_streets(store: Store) -> list[str]:
    return [s.strip() for s in (store.meta(META_EXCLUDED_STREETS) or "").split(",") if s.strip()]


def set_excluded_streets(store: Store, streets: list[str]) -> None:
    store.set_meta(META_EXCLUDED_STREETS, ", ".join(s.strip() for s in streets if s.strip()) or None)


def place_warnings(store: Store, action: NeighbourhoodAction) -> list[FieldError]:
    """Where the action takes place, to double-check (warnings, never errors): on a street the
    program excludes, or at a point outside every zone of the program's area (when zones have
    boundaries)."""
    warnings = []
    place = action.place.casefold()
    for street in excluded_streets(store):
        if street.casefold() in place:
            warnings.append(FieldError("place", "program_place_excluded_street", {"street": street}))
    if action.place_lat is not None and action.place_lon is not None:
        with store.engine.connect() as conn:
            shapes = zone_shapes(conn)
        if shapes and not zones_containing(shapes, action.place_lat, action.place_lon):
            warnings.append(FieldError("place", "program_place_outside_area"))
    return warnings
