"""Supervisors' reviews of field logs (visits, diagnoses, actions), and the animator's corrections.

States (``ReviewState``): new → approved, or returned (with a comment) → corrected → approved; a
corrected or even approved entry may be returned again. An entry without a review record is "new".

One ``Review`` record per target, updated in place. Its id is derived from the target
(UUIDv5 of ``"<target_type>:<target_id>"``), so a supervisor's device and the animator's device
that both create "the" review offline create the same record, and the service merges their writes
field by field (last writer wins per field) instead of keeping two competing reviews.

Only supervisors and admins approve or return (``services.roles``: the role enrollment stored in
meta ``sync.role``, else meta ``user.role``). The service must refuse the same writes from other
roles: a device check alone can be bypassed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import text as sql
from sqlmodel import Session

from fieldapp.errors import Errors, NotFound
from fieldapp.model import Diagnosis, NeighbourhoodAction, Review, SyncedRecord, Visit
from fieldapp.model.enums import ReviewState
from fieldapp.services.rodo.audit import AuditAction, actor_of, record
from fieldapp.services.roles import is_supervisor
from fieldapp.services.validation import Invalid, field_parser
from fieldapp.store import Store

#: Reviewable record types by wire name.
TARGETS: dict[str, type[SyncedRecord]] = {
    Visit.record_type: Visit,
    Diagnosis.record_type: Diagnosis,
    NeighbourhoodAction.record_type: NeighbourhoodAction,
}
_NAMESPACE = uuid.UUID("6f1c3a52-5b0e-4c7e-9a57-2d7f3c1e8b10")


def review_id(target_type: str, target_id: str) -> str:
    """The one review record's id of a target (the same on every device)."""
    return str(uuid.uuid5(_NAMESPACE, f"{target_type}:{target_id}"))


def can_review(store: Store) -> bool:
    return is_supervisor(store)


def _target(store: Store, target_type: str, target_id: str, errors: Errors) -> SyncedRecord | None:
    model = TARGETS.get(target_type)
    if model is None:
        errors.add("target_type", "review_unknown_kind", value=target_type)
        return None
    target = store.get(model, target_id)
    if target is None or target.deleted:
        raise NotFound(target_type, target_id)
    return target


def review_of(store: Store, target_type: str, target_id: str) -> Review | None:
    """The target's review record, or None while it is new (never reviewed)."""
    review = store.get(Review, review_id(target_type, target_id))
    return None if review is None or review.deleted else review


def state_of(store: Store, target_type: str, target_id: str) -> str:
    review = review_of(store, target_type, target_id)
    return review.state if review is not None else ReviewState.NEW


def _write(
    store: Store, conn: Connection, target_type: str, target_id: str, values: dict[str, Any], action: str
) -> Review:
    with Session(bind=conn) as session:
        review = session.get(Review, review_id(target_type, target_id))
        if review is not None:
            session.expunge(review)
    if review is None:
        review = Review(
            id=review_id(target_type, target_id), target_type=target_type, target_id=target_id, **values
        )
        store.save(conn, review)
    else:
        changed = [name for name, value in values.items() if getattr(review, name) != value]
        for name, value in values.items():
            setattr(review, name, value)
        store.save(conn, review, changed)
    record(conn, action, target_type, target_id, actor_of(store))
    return review


def _decide(
    store: Store, target_type: str, target_id: str, state: str, comment: Any, *, required: bool
) -> Review:
    errors = Errors()
    if not can_review(store):
        errors.add("", "review_not_allowed")
    try:
        clean = field_parser(Review, "comment", required=required)(comment)
    except Invalid as bad:
        clean = ""
        errors.add("comment", "review_comment_required" if bad.code == "required" else bad.code, **bad.params)
    _target(store, target_type, target_id, errors)
    errors.raise_if_any()
    values = {"state": state, "comment": clean, "reviewer_id": store.user_id}
    action = AuditAction.APPROVED if state == ReviewState.APPROVED else AuditAction.RETURNED
    with store.write() as conn:
        return _write(store, conn, target_type, target_id, values, action)


def approve(store: Store, target_type: str, target_id: str, comment: str = "") -> Review:
    """A supervisor accepts the entry (an optional comment replaces the previous one)."""
    return _decide(store, target_type, target_id, ReviewState.APPROVED, comment, required=False)


def approve_many(store: Store, entries: list[tuple[str, str]]) -> list[Review]:
    """A supervisor approves several entries at once (``(target_type, target_id)`` pairs); entries
    already approved are left as they are."""
    done = []
    for target_type, target_id in entries:
        current = review_of(store, target_type, target_id)
        if current is None or current.state != ReviewState.APPROVED:
            done.append(approve(store, target_type, target_id))
    return done


def return_entry(store: Store, target_type: str, target_id: str, comment: str) -> Review:
    """A supervisor sends the entry back to its author; the comment saying what to fix is required."""
    return _decide(store, target_type, target_id, ReviewState.RETURNED, comment, required=True)


def _author(target: SyncedRecord) -> str | None:
    return getattr(target, "animator_id", None) or target.author_id


def mark_corrected(
    store: Store, target_type: str, target_id: str, conn: Connection | None = None
) -> Review | None:
    """The author edited a returned entry: its review becomes "corrected" (the comment stays).

    Called by the services that edit visits, diagnoses and actions, inside their transaction
    ``conn``. Nothing happens unless the entry is returned and this device's user wrote it (a
    supervisor's own fix of a typo does not count as the animator's correction). None then.
    """
    if conn is None:
        with store.write() as own:
            return mark_corrected(store, target_type, target_id, own)
    with Session(bind=conn) as session:
        review = session.get(Review, review_id(target_type, target_id))
        target = session.get(TARGETS[target_type], target_id)
        if review is not None:
            session.expunge(review)
    if review is None or review.deleted or review.state != ReviewState.RETURNED or target is None:
        return None
    if _author(target) != store.user_id:
        return None
    return _write(
        store, conn, target_type, target_id, {"state": ReviewState.CORRECTED}, AuditAction.CORRECTED
    )


# -- the queue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One reviewable entry: what it is, when, who logged it, and its review state and comment."""

    target_type: str
    target_id: str
    #: When the entry happened: the knock, the diagnosis period's start, the action's start (or creation).
    at: datetime
    animator_id: str | None
    zone_id: str | None
    #: A short label: the visit's outcome, the diagnosis' or action's title.
    label: str
    state: str
    comment: str
    reviewer_id: str | None
    reviewed_hlc: str | None
    #: Where it happened: a visit's address (empty for diagnoses and actions).
    place: str = ""


_KINDS_SQL: dict[str, str] = {
    "visit": """
        SELECT 'visit' AS kind, t.id, t.visited_at AS at, coalesce(t.animator_id, t.author_id) AS who,
               t.zone_id, t.outcome AS label,
               coalesce(nullif(t.address, ''), trim(t.street || ' ' || t.house_number)) AS place
        FROM visit t WHERE t.deleted = 0""",
    "diagnosis": """
        SELECT 'diagnosis', t.id, t.period_start, t.author_id, t.zone_id, t.title, ''
        FROM diagnosis t WHERE t.deleted = 0""",
    "action": """
        SELECT 'action', t.id, coalesce(t.starts_on, t.created_at), t.author_id, t.zone_id, t.title, ''
        FROM neighbourhoodaction t WHERE t.deleted = 0""",
}


def _day_text(value: date | datetime | None, end: bool = False) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:  # the store keeps UTC
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat() + (" 99" if end else "")  # a whole end day is included


def review_queue(
    store: Store,
    *,
    animator_id: str | None = None,
    zone_id: str | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    kinds: list[str] | None = None,
    states: list[str] | None = None,
    limit: int = 200,
) -> list[QueueRow]:
    """Reviewable entries matching the filters, newest first (by when the entry happened)."""
    chosen = [k for k in (kinds or list(_KINDS_SQL)) if k in _KINDS_SQL]
    if not chosen:
        return []
    union = " UNION ALL ".join(_KINDS_SQL[k] for k in chosen)
    where: list[str] = ["1 = 1"]
    params: dict[str, object] = {"limit": limit}
    if animator_id:
        where.append("e.who = :animator")
        params["animator"] = animator_id
    if zone_id:
        where.append("e.zone_id = :zone")
        params["zone"] = zone_id
    if start is not None:
        where.append("e.at >= :start")
        params["start"] = _day_text(start)
    if end is not None:
        where.append("e.at <= :end")
        params["end"] = _day_text(end, end=True)
    if states:
        marks = ", ".join(f":s{i}" for i in range(len(states)))
        where.append(f"coalesce(r.state, 'new') IN ({marks})")
        params.update({f"s{i}": s for i, s in enumerate(states)})
    query = f"""
        SELECT e.kind, e.id, e.at, e.who, e.zone_id, e.label,
               coalesce(r.state, 'new'), coalesce(r.comment, ''), r.reviewer_id, r.updated_hlc, e.place
        FROM ({union}) e
        LEFT JOIN review r ON r.target_type = e.kind AND r.target_id = e.id AND r.deleted = 0
        WHERE {" AND ".join(where)}
        ORDER BY e.at DESC, e.id DESC
        LIMIT :limit
    """
    with store.engine.connect() as conn:
        rows = conn.execute(sql(query), params).all()
    return [
        QueueRow(row[0], row[1], _moment(row[2]), row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                 row[10] or "")
        for row in rows
    ]


def _moment(value: str) -> datetime:
    """An entry's time: a stored datetime (UTC) or a day (its local midnight)."""
    if len(value) <= 10:
        return datetime.fromisoformat(value + " 00:00:00")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
