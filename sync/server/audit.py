"""The service's audit log: who viewed, exported, erased or reviewed what (RODO accountability).

Entries come from three places:

- the service itself, for what it sees: a supervisor reading the conflict log or this log, listing
  or revoking devices, creating an enrollment (``record``);
- pushes: an erasure or a review decision a device sent and the service stored (``from_batch``,
  called inside the push's transaction, so an entry exists exactly when the change was applied);
- devices' local logs (viewed, exported, erased on the phone), uploaded with ``POST /v1/audit``
  (``store_uploaded``), idempotent by the entry's local id under the uploading device.

An entry holds ids only (account, device, record type and id), never a resident's name, phone or
e-mail. Uploaded entries are attributed to the account of the device that uploads them: the service
cannot vouch for anything else a device says about who acted. An entry about a record the service
holds outside the device's scope (another team's, another program's) is refused, uploaded or derived
from a push (a review naming another team's visit): a device may speak only of what it can see, and
of records of its own the service does not hold yet.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from fieldapp.model.registry import RECORD_TYPES
from sync.server import tables as t
from sync.server.accounts import DeviceContext
from sync.server.clock import utc
from sync.server.db import Database, insert_ignoring_known
from sync.server.push_body import IncomingChange

log = logging.getLogger(__name__)

#: Most entries one upload may carry (413 ``batch_too_large`` above it).
MAX_UPLOAD = 500
MAX_PAGE = 500
DEFAULT_PAGE = 100
#: Ids and action names: letters, digits and a few separators; no spaces, so no free text.
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
ACTION_PATTERN = r"^[a-z_]{1,40}$"
_ID = re.compile(ID_PATTERN)

# Actions the service records itself (devices record viewed, exported, erased, anonymised, approved,
# returned, corrected: see ``fieldapp.services.rodo.audit.AuditAction``).
ERASED = "erased"
READ_CONFLICTS = "read_conflicts"
READ_AUDIT = "read_audit"
LISTED_DEVICES = "listed_devices"
REVOKED_DEVICE = "revoked_device"
CREATED_ENROLLMENT = "created_enrollment"
#: An admin took a person off the erased list (``teren-sync restore-erased``).
RESTORED_ERASURE = "restored_erasure"
#: A review record's pushed state → the action it records.
REVIEW_ACTIONS = {"approved": "approved", "returned": "returned", "corrected": "corrected"}

Source = Literal["service", "device"]


class UploadedEntry(BaseModel):
    """One entry of a device's local log (``fieldapp.services.rodo.audit``)."""

    model_config = ConfigDict(extra="ignore")

    id: int = Field(ge=1, le=2**63 - 1)
    at: Annotated[datetime, AfterValidator(utc)]
    action: str = Field(pattern=ACTION_PATTERN)
    target_type: str = Field(pattern=ID_PATTERN)
    target_id: str = Field(pattern=ID_PATTERN)


class AuditUpload(BaseModel):
    model_config = ConfigDict(extra="ignore")

    entries: list[UploadedEntry]


class AuditUploadResult(BaseModel):
    #: Entries stored now, and entries the service had already (a repeated upload).
    stored: int
    known: int
    #: Entries about records outside the device's scope: not stored (local ids in ``refused_ids``).
    refused: int = 0
    refused_ids: list[int] = Field(default_factory=list)


class AuditEntryOut(BaseModel):
    id: int
    at: str
    recorded_at: str
    actor_id: str
    actor_role: str
    device_id: str | None
    action: str
    target_type: str
    target_id: str
    source: str


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    #: Pass as ``before`` for the next (older) page.
    cursor: int | None
    has_more: bool


def _row(
    device: DeviceContext,
    action: str,
    target_type: str,
    target_id: str,
    *,
    key: str | None = None,
    at: datetime | None = None,
    source: Source = "service",
) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "entry_key": key or f"svc:{uuid.uuid4().hex}",
        "program_id": device.program_id,
        "at": at or now,
        "recorded_at": now,
        "actor_id": device.user_id,
        "actor_role": device.role,
        "device_id": device.client_device_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "source": source,
    }


def admin_row(
    program_id: str, admin_id: str, action: str, target_type: str, target_id: str, at: datetime
) -> dict[str, Any]:
    """An entry about what an admin did through ``teren-sync`` on the service's machine (no device)."""
    return {
        "entry_key": f"svc:{uuid.uuid4().hex}",
        "program_id": program_id,
        "at": at,
        "recorded_at": at,
        "actor_id": admin_id,
        "actor_role": "admin",
        "device_id": None,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "source": "service",
    }


def record(db: Database, device: DeviceContext, action: str, target_type: str, target_id: str) -> None:
    """Append one entry about what ``device`` just did on the service (its own transaction)."""
    with db.write() as conn:
        conn.execute(sa.insert(t.audit), [_row(device, action, target_type, target_id)])


# -- pushes --------------------------------------------------------------------------------------


def _stamp(change: IncomingChange, name: str) -> str | None:
    return change.hlcs.get(name) or (change.base_hlc if change.full else None)


def _may_be_audited(change: IncomingChange) -> bool:
    if change.record_type == "contact":
        return bool(change.fields.get("erased_at"))
    return change.record_type == "review" and change.fields.get("state") in REVIEW_ACTIONS


def _audited(changes: Iterable[IncomingChange]) -> dict[tuple[str, str], IncomingChange]:
    """IncomingChanges that may be an erasure or a review decision, by record key (the last one wins)."""
    return {(c.record_type, c.id): c for c in changes if _may_be_audited(c)}


def from_batch(conn: sa.Connection, device: DeviceContext, changes: list[IncomingChange]) -> None:
    """Entries for the erasures and review decisions of a push, inside its transaction.

    Called after the batch is applied: an entry is written only when the stored record holds the
    pushed value under the pushed HLC, so a change that was rejected (role, scope) or lost to a
    newer write records nothing.
    """
    wanted = _audited(changes)
    if not wanted:
        return
    rows: list[dict[str, Any]] = []
    for record_type in sorted({key[0] for key in wanted}):
        ids = sorted(key[1] for key in wanted if key[0] == record_type)
        stored = conn.execute(
            sa.select(t.record.c.id, t.record.c.data, t.record.c.hlcs, t.record.c.base_hlc).where(
                (t.record.c.record_type == record_type)
                & t.record.c.id.in_(ids)
                & (t.record.c.program_id == device.program_id)
            )
        )
        for row in stored:
            data = row.data or {}
            # The service keeps only the HLCs that differ from the record's base (its creation).
            stamps = {**dict.fromkeys(data, row.base_hlc), **(row.hlcs or {})}
            entry = _entry_of(device, wanted[(record_type, row.id)], data, stamps)
            if entry is not None:
                rows.append(entry)
    if rows:
        outside = out_of_scope(conn, device, {(row["target_type"], row["target_id"]) for row in rows})
        rows = [row for row in rows if (row["target_type"], row["target_id"]) not in outside]
    if rows:
        conn.execute(sa.insert(t.audit), rows)


def _entry_of(
    device: DeviceContext, change: IncomingChange, data: dict[str, Any], stamps: dict[str, str]
) -> dict[str, Any] | None:
    if change.record_type == "contact":
        if data.get("erased_at") and stamps.get("erased_at") == _stamp(change, "erased_at"):
            return _row(device, ERASED, "contact", change.id)
        return None
    state = change.fields.get("state")
    if data.get("state") != state or stamps.get("state") != _stamp(change, "state"):
        return None
    target_type, target_id = data.get("target_type"), data.get("target_id")
    if not all(isinstance(v, str) and _ID.fullmatch(v) for v in (target_type, target_id)):
        return None  # free text where an id belongs (a modified app): the log holds ids only
    return _row(device, REVIEW_ACTIONS[str(state)], target_type, target_id)


Target = tuple[str, str]


def out_of_scope(conn: sa.Connection, device: DeviceContext, targets: set[Target]) -> set[Target]:
    """The targets ``(type, id)`` that name a record the service holds outside ``device``'s scope.
    A target type that is no record type names whichever record has that id."""
    ids = sorted({target_id for _, target_id in targets})
    if not ids:
        return set()
    query = sa.select(t.record.c.record_type, t.record.c.id, t.record.c.program_id, t.record.c.team_id)
    outside: dict[str, set[str]] = {}  # id → the types of the records out of scope that have it
    # By key, of any type (the primary key; there is no index on ``id`` alone).
    by_key = t.record.c.record_type.in_(sorted(RECORD_TYPES)) & t.record.c.id.in_(ids)
    for row in conn.execute(query.where(by_key)):
        in_program = row.program_id == device.program_id
        if not (in_program and (device.program_wide or row.team_id == device.team_id)):
            outside.setdefault(row.id, set()).add(row.record_type)
    return {
        (target_type, target_id)
        for target_type, target_id in targets
        if target_id in outside and (target_type in outside[target_id] or target_type not in RECORD_TYPES)
    }


# -- uploads from devices --------------------------------------------------------------------------


def store_uploaded(db: Database, device: DeviceContext, entries: list[UploadedEntry]) -> AuditUploadResult:
    """Store a device's local entries once each (key: the device's service id and the local id);
    those about records outside its scope are refused (counted, not stored)."""
    rows = {
        f"{device.id}:{e.id}": _row(
            device, e.action, e.target_type, e.target_id, key=f"{device.id}:{e.id}", at=e.at, source="device"
        )
        for e in entries
    }
    if not rows:
        return AuditUploadResult(stored=0, known=0)
    with db.write() as conn:
        outside = out_of_scope(conn, device, {(e.target_type, e.target_id) for e in entries})
        refused = sorted(e.id for e in entries if (e.target_type, e.target_id) in outside)
        for local_id in refused:
            rows.pop(f"{device.id}:{local_id}", None)
        known = set(
            conn.execute(sa.select(t.audit.c.entry_key).where(t.audit.c.entry_key.in_(sorted(rows)))).scalars()
        ) if rows else set()
        fresh = [row for key, row in rows.items() if key not in known]
        if fresh:
            # Two uploads of the same entries at once (a retry racing its first try) store each once.
            conn.execute(insert_ignoring_known(conn, t.audit), fresh)
    if refused:
        log.warning("device %s: %d audit entries about records outside its scope", device.id, len(refused))
    return AuditUploadResult(
        stored=len(fresh), known=len(rows) - len(fresh), refused=len(refused), refused_ids=refused
    )


# -- reading ---------------------------------------------------------------------------------------


def page(
    db: Database,
    device: DeviceContext,
    *,
    before: int | None = None,
    limit: int = DEFAULT_PAGE,
    actor: str | None = None,
    action: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> AuditPage:
    """Entries of the caller's program, newest first, optionally filtered; ``since`` is inclusive,
    ``until`` exclusive (both compare the time the action happened)."""
    audit = t.audit.c
    query = sa.select(t.audit).where(audit.program_id == device.program_id)
    if before is not None:
        query = query.where(audit.id < before)
    if actor is not None:
        query = query.where(audit.actor_id == actor)
    if action is not None:
        query = query.where(audit.action == action)
    if target_id is not None:
        query = query.where(audit.target_id == target_id)
    if since is not None:
        query = query.where(audit.at >= utc(since))
    if until is not None:
        query = query.where(audit.at < utc(until))
    with db.read() as conn:
        rows = conn.execute(query.order_by(t.audit.c.id.desc()).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        entries=[
            AuditEntryOut(
                id=row.id,
                at=utc(row.at).isoformat(),
                recorded_at=utc(row.recorded_at).isoformat(),
                actor_id=row.actor_id,
                actor_role=row.actor_role,
                device_id=row.device_id,
                action=row.action,
                target_type=row.target_type,
                target_id=row.target_id,
                source=row.source,
            )
            for row in rows
        ],
        cursor=rows[-1].id if rows else None,
        has_more=has_more,
    )
