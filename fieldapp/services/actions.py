"""Neighbourhood actions: local initiatives chosen with residents, through their status lifecycle.

Money is kept in grosze. The programs grant micro-grants of 1,500–5,000 PLN: amounts outside that
range are allowed and produce warnings (``grant_warnings``), never errors.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from fieldapp.errors import Errors, FieldError
from fieldapp.i18n.format import Money
from fieldapp.model import Diagnosis, Need, NeighbourhoodAction, Zone, utcnow
from fieldapp.model.enums import (
    ACTION_TRANSITIONS,
    EVALUATION_FIELDS,
    MICRO_GRANT_MAX_PLN,
    MICRO_GRANT_MIN_PLN,
    ActionStatus,
)
from fieldapp.services.reviews import mark_corrected
from fieldapp.services.validation import (
    check_exists,
    check_record,
    get_live,
    live,
    live_contact,
    parse,
    parsers_for,
    update_record,
    wire_of,
)
from fieldapp.store import Store

#: Fields only their lifecycles move: the action's status (``advance_action``), its application's
#: state and the coordinator's evaluation (``fieldapp.services.applications``).
MOVED_ONLY: frozenset[str] = frozenset(
    {"status", "status_changed_at", "application_status", *EVALUATION_FIELDS}
)
#: What the action form edits.
ACTION_PARSERS = parsers_for(
    NeighbourhoodAction,
    *(name for name in NeighbourhoodAction.data_fields() if name not in MOVED_ONLY),
    required=("title",),
)


def _check_links(session: Any, clean: dict[str, Any], errors: Errors) -> None:
    check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    if clean.get("lead_id"):
        live_contact(session, clean["lead_id"], "lead_id", errors)
    for need_id in clean.get("need_ids", ()):
        check_exists(session, Need, need_id, "need_ids", errors)
    for name in ("organiser_ids", "partner_ids"):
        for contact_id in clean.get(name, ()):
            live_contact(session, contact_id, name, errors)


def create_action(
    store: Store, data: dict[str, Any], application_status: str = "none"
) -> NeighbourhoodAction:
    """A new action (status "idea"); ``title`` is required. ``application_status``: created with a
    micro-grant application in that state (``fieldapp.services.applications``)."""
    errors = Errors()
    clean = parse(data, ACTION_PARSERS, errors, required=("title",))
    with store.read() as session:
        _check_links(session, clean, errors)
    errors.raise_if_any()
    action = NeighbourhoodAction(
        **clean, status=ActionStatus.IDEA, status_changed_at=utcnow(), application_status=application_status
    )
    check_record(None, action, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, action)
    return action


def create_action_from_need(store: Store, need_id: str, data: dict[str, Any]) -> NeighbourhoodAction:
    """An action answering a need of a diagnosis: in the diagnosis's zone, titled after the need."""
    need = get_live(store, Need, need_id)
    with store.read() as session:
        diagnosis = live(session, Diagnosis, need.diagnosis_id)
    data = {"title": need.category, "description": need.description, **data}
    data["need_ids"] = [need_id, *[n for n in data.get("need_ids") or () if n != need_id]]
    if diagnosis is not None and not data.get("zone_id"):
        data["zone_id"] = diagnosis.zone_id
    return create_action(store, data)


def update_action(store: Store, action_id: str, changes: dict[str, Any]) -> NeighbourhoodAction:
    """Write changed details of an action (its status moves only through ``advance_action``)."""
    return update_record(
        store,
        NeighbourhoodAction,
        action_id,
        changes,
        ACTION_PARSERS,
        lambda session, _a, clean, errors: _check_links(session, clean, errors),
        after=lambda conn, action: mark_corrected(store, NeighbourhoodAction.record_type, action.id, conn),
    )


def allowed_moves(action: NeighbourhoodAction) -> tuple[str, ...]:
    return ACTION_TRANSITIONS.get(action.status, ())


def advance_action(store: Store, action_id: str, to_status: str) -> NeighbourhoodAction:
    """Move an action along its lifecycle (idea → planned → funded → done → reported, or dropped):
    one step at a time here, as the screen offers them.

    The status's needs are the record-level rules (``fieldapp.model.rules``): a done action's date
    is not in the future; reporting needs a short report and the number of participants.
    """
    action = get_live(store, NeighbourhoodAction, action_id)
    errors = Errors()
    if to_status not in allowed_moves(action):
        errors.add("status", "action_transition", from_status=action.status, to_status=to_status)
    errors.raise_if_any()
    before = wire_of(action)
    action.status = to_status
    action.status_changed_at = utcnow()
    check_record(before, action, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, action, ["status", "status_changed_at"])
    return action


def list_actions(
    store: Store, status: str | None = None, zone_id: str | None = None
) -> list[NeighbourhoodAction]:
    """Live actions (of a status, of a zone), the soonest first, then the newest ideas."""
    statement = select(NeighbourhoodAction).where(NeighbourhoodAction.deleted == False)  # noqa: E712
    if status:
        statement = statement.where(NeighbourhoodAction.status == status)
    if zone_id:
        statement = statement.where(NeighbourhoodAction.zone_id == zone_id)
    statement = statement.order_by(
        NeighbourhoodAction.starts_on.is_(None), NeighbourhoodAction.starts_on, NeighbourhoodAction.title
    )
    with store.read() as session:
        return list(session.exec(statement).all())


def grant_warnings(action: NeighbourhoodAction) -> list[FieldError]:
    """Amounts to double-check: outside the programs' micro-grant range, or granted above request."""
    warnings = []
    limits = {"min": Money(MICRO_GRANT_MIN_PLN * 100), "max": Money(MICRO_GRANT_MAX_PLN * 100)}
    for name in ("grant_requested_gr", "grant_granted_gr"):
        amount = getattr(action, name)
        if (
            amount is not None
            and amount > 0
            and not (MICRO_GRANT_MIN_PLN * 100 <= amount <= MICRO_GRANT_MAX_PLN * 100)
        ):
            warnings.append(FieldError(name, "grant_outside_range", {"amount": Money(amount), **limits}))
    requested, granted = action.grant_requested_gr, action.grant_granted_gr
    if requested is not None and granted is not None and granted > requested:
        amounts = {"granted": Money(granted), "requested": Money(requested)}
        warnings.append(FieldError("grant_granted_gr", "grant_above_request", amounts))
    return warnings
