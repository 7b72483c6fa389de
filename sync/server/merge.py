"""Applying a pushed batch, and reading pull pages and conflicts.

Rules (the device's ``sync.client`` applies the same ones to what it pulls):

- Field-level last-writer-wins: an incoming field value replaces the stored one when its HLC is
  greater. A value that loses is kept in the ``conflict`` log when it differs from the winner and
  the two writes were concurrent: the incoming one lost, or the stored one was written by another
  device (HLC node) after that device's last pull.
- A tombstone (``deleted``) is sticky: once deleted, a record stays deleted whatever the HLCs.
- Erasure (a record with ``erased_at`` set) beats every edit of its personal fields: they are reset
  to their defaults under a fresh HLC, so every device replaces what it holds. Records that name an
  erased contact (``contact_id``) get the same treatment when written, and no conflict-log row of
  either keeps a removed value.
- Visits and other ``append_only`` records are events: same rules, but never logged as conflicts.
- Clock drift: a change carrying an HLC more than ``MAX_CLOCK_AHEAD_MS`` (10 minutes) ahead of the
  service's clock is rejected with ``clock_ahead``; the service does not clamp silently, because the
  device would keep HLCs that differ from the service's and beat every later edit on that device.
  The client instead rewrites the refused HLCs to the service's time (``server_time_ms`` of the
  answer, keeping their order) in its own store and sends the change again, so both ends agree
  (``sync.client.restamp_future``). Ten minutes covers ordinary drift of phones without NTP; a
  change still refused stays in the outbox (nothing is lost).
- Unknown fields are ignored; unknown record types and invalid values are rejected per change.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import RECORD_TYPES, from_wire, to_wire
from sync import hlc as hlcs_
from sync.protocol import (
    MAX_CLOCK_AHEAD_MS,
    Change,
    ChangeResult,
    Conflict,
    ConflictsResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    RejectCode,
    RemoteRecord,
)
from sync.server import audit
from sync.server import tables as t
from sync.server.accounts import DeviceContext
from sync.server.db import Database

SERVER_NODE = "zzserver"  # sorts after every hex node id
#: How long a batch's answer is kept for repeats. A batch repeated later still changes nothing
#: (its HLCs no longer win), it is only answered anew.
BATCH_MEMORY = timedelta(days=30)
#: Fields naming a user (their team scopes a record a supervisor creates); other ``*_id`` fields name records.
USER_REFERENCES = frozenset({"animator_id", "assignee_id", "reviewer_id"})


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@cache
def _adapter(model: type[SyncedRecord], name: str) -> TypeAdapter[Any]:
    return TypeAdapter(model.model_fields[name].annotation)


@cache
def _writable(model: type[SyncedRecord]) -> frozenset[str]:
    return frozenset({*model.data_fields(), "deleted"})


def _storable(value: Any) -> bool:
    """Fits every database and device: no NaN/infinity, integers within 64 bits, no NUL in text."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and "\x00" not in k and _storable(v) for k, v in value.items())
    return False


def _check_value(model: type[SyncedRecord], name: str, value: Any) -> Any:
    """The value in its wire form if it fits the field's type; ValueError otherwise."""
    if name == "deleted":
        if not isinstance(value, bool):
            raise ValueError("deleted must be a boolean")
        return value
    try:
        checked = to_wire(_adapter(model, name).validate_python(from_wire(model, name, value)))
    except (ValidationError, TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from exc
    if not _storable(checked):
        raise ValueError("a value no database or device can store")
    return checked


class _Rejected(Exception):
    def __init__(self, code: RejectCode) -> None:
        self.code = code


def _incoming(change: Change, model: type[SyncedRecord], limit_ms: int) -> dict[str, tuple[Any, str]]:
    """The change's known fields as ``{name: (wire value, hlc)}``, validated."""
    fields = dict(change.fields)
    if change.op == "delete":
        fields["deleted"] = True
    writable = _writable(model)
    result: dict[str, tuple[Any, str]] = {}
    for name, value in fields.items():
        if name not in writable:
            continue  # a field this service does not know (newer or older app): ignored
        stamp = change.hlcs.get(name) or (change.base_hlc if change.full else None)
        if not hlcs_.is_valid(stamp):
            raise _Rejected(RejectCode.INVALID_HLC)
        assert stamp is not None
        if hlcs_.wall_ms(stamp) > limit_ms:
            raise _Rejected(RejectCode.CLOCK_AHEAD)
        try:
            result[name] = (_check_value(model, name, value), stamp)
        except ValueError as exc:
            raise _Rejected(RejectCode.INVALID_VALUE) from exc
    return result


def _bump(stamp: str) -> str:
    ts = hlcs_.decode(stamp)
    return hlcs_.encode(ts.wall_ms, min(ts.counter + 1, hlcs_.MAX_COUNTER), SERVER_NODE)


def _enforce_erasure(
    model: type[SyncedRecord], data: dict[str, Any], stamps: dict[str, str], base: str
) -> bool:
    """Reset personal fields of an erased record; True if anything changed."""
    if "erased_at" not in model.model_fields or not data.get("erased_at"):
        return False
    return bool(_reset_personal(model, data, stamps, base, stamps.get("erased_at", base)))


def _reset_personal(
    model: type[SyncedRecord], data: dict[str, Any], stamps: dict[str, str], base: str, floor: str
) -> list[str]:
    """Put the personal fields back to their defaults with HLCs above what was written and above
    ``floor``; the names reset (a true value when anything changed)."""
    reset = []
    for name in model.personal_fields:
        default = to_wire(model.model_fields[name].get_default(call_default_factory=True))
        if data.get(name, default) != default:
            data[name] = default
            stamps[name] = _bump(max(stamps.get(name, base), floor))
            reset.append(name)
    return reset


def _decides_for_others(record_type: str, incoming: dict[str, tuple[Any, str]]) -> bool:
    """Writes only supervisors and admins may make: a review's decision (an animator's device only
    marks a returned entry "corrected") and a person's erasure. The app checks this too; the
    service must, since a device's own check can be bypassed."""
    if record_type == "review":
        allowed = {"state": "corrected"}
        return any(name not in allowed or value != allowed[name] for name, (value, _) in incoming.items())
    if record_type == "contact":
        return bool(incoming.get("erased_at", (None, ""))[0])
    return False


class _Batch:
    def __init__(
        self, conn: sa.Connection, device: DeviceContext, seq: int, server_ms: int, seen: int
    ) -> None:
        self.conn = conn
        self.device = device
        self.seen = seen
        self.seq = seq
        self.limit_ms = server_ms + MAX_CLOCK_AHEAD_MS
        self.created_at = datetime.now(UTC)
        #: Current state of the batch's records (read once, written once at the end).
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.new: set[tuple[str, str]] = set()
        self.dirty: set[tuple[str, str]] = set()
        self.conflicts: list[dict[str, Any]] = []
        #: False once the stored state differs from what the device sent (lost fields, erasure).
        self.exact = True

    def run(self, changes: list[Change]) -> list[ChangeResult]:
        wanted: dict[str, set[str]] = {}
        for change in changes:
            wanted.setdefault(change.record_type, set()).add(change.id)
        for record_type, ids in wanted.items():
            if record_type not in RECORD_TYPES:
                continue
            found = self.conn.execute(
                sa.select(t.record)
                .where((t.record.c.record_type == record_type) & t.record.c.id.in_(sorted(ids)))
                .with_for_update()
            ).mappings()
            self.rows.update({(row["record_type"], row["id"]): dict(row) for row in found})
        results = [self.apply(change) for change in changes]
        linked = self._forget_erased_people()
        if self.new:
            self.conn.execute(sa.insert(t.record), [self.rows[key] for key in self.new])
        if self.dirty:
            columns = ("data", "hlcs", "field_seqs", "deleted", "updated_hlc", "seq")
            self.conn.execute(
                sa.update(t.record).where(
                    (t.record.c.record_type == sa.bindparam("key_type"))
                    & (t.record.c.id == sa.bindparam("key_id"))
                ),
                [
                    {"key_type": key[0], "key_id": key[1], **{c: self.rows[key][c] for c in columns}}
                    for key in self.dirty
                ],
            )
        erased = linked | {
            key for key in self.new | self.dirty if self.rows[key]["data"].get("erased_at")
        }
        conflicts = [c for c in self.conflicts if (c["record_type"], c["record_id"]) not in erased]
        if conflicts:
            self.conn.execute(sa.insert(t.conflict), conflicts)
        for record_type, record_id in erased:
            # The conflict log must not keep what erasure removed (RODO art. 17).
            self.conn.execute(
                sa.delete(t.conflict).where(
                    (t.conflict.c.record_type == record_type) & (t.conflict.c.record_id == record_id)
                )
            )
        return results

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def apply(self, change: Change) -> ChangeResult:
        model = RECORD_TYPES.get(change.record_type)
        if model is None:
            return self._rejected(change, RejectCode.UNKNOWN_RECORD_TYPE)
        try:
            incoming = _incoming(change, model, self.limit_ms)
        except _Rejected as exc:
            return self._rejected(change, exc.code)
        if not self.device.program_wide and _decides_for_others(change.record_type, incoming):
            return self._rejected(change, RejectCode.FORBIDDEN)
        row = self.rows.get((change.record_type, change.id))
        if row is None:
            return self._insert(change, model, incoming)
        if row["program_id"] != self.device.program_id or (
            not self.device.program_wide and row["team_id"] != self.device.team_id
        ):
            return self._rejected(change, RejectCode.OUT_OF_SCOPE)
        return self._merge(change, model, incoming, row)

    def _rejected(self, change: Change, code: RejectCode) -> ChangeResult:
        return ChangeResult(record_type=change.record_type, id=change.id, status="rejected", code=code)

    def _insert(
        self, change: Change, model: type[SyncedRecord], incoming: dict[str, tuple[Any, str]]
    ) -> ChangeResult:
        if not change.full:
            return self._rejected(change, RejectCode.MISSING_FIELDS)
        stamps = {name: stamp for name, (_, stamp) in incoming.items()}
        base = change.base_hlc if hlcs_.is_valid(change.base_hlc) else min(stamps.values(), default="")
        if not base:
            return self._rejected(change, RejectCode.MISSING_FIELDS)
        assert base is not None
        data = {name: value for name, (value, _) in incoming.items() if name != "deleted"}
        deleted = bool(incoming.get("deleted", (False, ""))[0])
        if _enforce_erasure(model, data, stamps, base):
            self.exact = False
        team_id = self.device.team_id
        if team_id is None:
            team_id = self._team_of_references(data)
        seq = self.next_seq()
        key = (change.record_type, change.id)
        self.new.add(key)
        self.rows[key] = dict(
            record_type=change.record_type,
            id=change.id,
            program_id=self.device.program_id,
            team_id=team_id,
            seq=seq,
            data=data,
            hlcs=stamps,
            field_seqs=dict.fromkeys(stamps, seq),
            base_hlc=base,
            updated_hlc=max([base, *stamps.values()]),
            deleted=deleted,
            created_at=change.created_at,
            author_id=change.author_id,
            device_id=change.device_id or self.device.client_device_id,
        )
        return ChangeResult(record_type=change.record_type, id=change.id, status="applied")

    def _team_of_references(self, data: dict[str, Any]) -> str | None:
        """The team a program-wide user's new record belongs to: that of a record or user it names
        (a supervisor's review of a visit reaches the visit's team); None keeps it program-wide."""
        refs = {k: v for k, v in data.items() if k.endswith("_id") and isinstance(v, str) and v}
        record_ids = [v for k, v in refs.items() if k not in USER_REFERENCES]
        if record_ids:
            team = self.conn.execute(
                sa.select(t.record.c.team_id)
                .where(t.record.c.id.in_(record_ids))
                .where(t.record.c.program_id == self.device.program_id)
                .where(t.record.c.team_id.is_not(None))
                .limit(1)
            ).scalar()
            if team:
                return team
        user_ids = [v for k, v in refs.items() if k in USER_REFERENCES]
        if user_ids:
            return self.conn.execute(
                sa.select(t.account.c.team_id)
                .where(t.account.c.id.in_(user_ids))
                .where(t.account.c.program_id == self.device.program_id)
                .where(t.account.c.team_id.is_not(None))
                .limit(1)
            ).scalar()
        return None

    def _forget_erased_people(self) -> set[tuple[str, str]]:
        """Records of this batch that name an erased person lose their personal fields too (a
        visit's note written offline before the erasure was known); returns their keys.

        The erased contact's own fields are reset by ``_enforce_erasure``; this covers the records
        that point at it, so no device and no conflict-log row keeps what the erasure removed.
        """
        touched = self.new | self.dirty
        named = {
            key: contact_id
            for key in touched
            if key[0] != "contact" and isinstance(contact_id := self.rows[key]["data"].get("contact_id"), str)
        }
        if not named:
            return set()
        wanted = set(named.values())
        erased = {
            key[1] for key in touched if key[0] == "contact" and self.rows[key]["data"].get("erased_at")
        }
        stored = self.conn.execute(
            sa.select(t.record.c.id, t.record.c.data).where(
                (t.record.c.record_type == "contact") & t.record.c.id.in_(sorted(wanted - erased))
            )
        )
        erased |= {row.id for row in stored if (row.data or {}).get("erased_at")}
        hits = {key for key, contact_id in named.items() if contact_id in erased}
        for key in hits:
            row = self.rows[key]
            model = RECORD_TYPES[key[0]]
            stamps = dict(row["hlcs"])
            reset = _reset_personal(model, row["data"], stamps, row["base_hlc"], row["updated_hlc"])
            if reset:
                row["hlcs"] = stamps
                row["updated_hlc"] = max([row["updated_hlc"], *stamps.values()])
                row["field_seqs"] = {**row["field_seqs"], **dict.fromkeys(reset, row["seq"])}
                self.exact = False
        return hits

    def _merge(
        self,
        change: Change,
        model: type[SyncedRecord],
        incoming: dict[str, tuple[Any, str]],
        row: dict[str, Any],
    ) -> ChangeResult:
        data: dict[str, Any] = dict(row["data"])
        stamps: dict[str, str] = dict(row["hlcs"])
        base: str = row["base_hlc"]
        deleted: bool = row["deleted"]
        field_seqs: dict[str, int] = dict(row["field_seqs"])
        upcoming = self.seq + 1  # this record's seq if the change writes anything
        conflicts: list[dict[str, Any]] = []
        lost: list[str] = []
        changed = False
        for name, (value, stamp) in incoming.items():
            stored_stamp = stamps.get(name, base)
            stored = deleted if name == "deleted" else data.get(name)
            if name == "deleted":
                if value and not deleted:  # a tombstone wins whatever its HLC
                    deleted, changed = True, True
                    stamps[name] = max(stamp, stored_stamp)
                    field_seqs[name] = upcoming
                elif not value and deleted and stamp > stored_stamp:
                    lost.append(name)
                continue
            if stamp > stored_stamp:
                # Logged only if the device could not have seen the value it replaces.
                if (
                    field_seqs.get(name, row["seq"]) > self.seen
                    and stored != value
                    and hlcs_.decode(stored_stamp).node != hlcs_.decode(stamp).node
                ):
                    conflicts.append(
                        self._conflict(row, name, value, stamp, stored, stored_stamp, row["device_id"])
                    )
                data[name], stamps[name], field_seqs[name] = value, stamp, upcoming
                changed = True
            elif stamp < stored_stamp and stored != value:
                lost.append(name)
                conflicts.append(
                    self._conflict(
                        row, name, stored, stored_stamp, value, stamp, self.device.client_device_id
                    )
                )
        before = dict(stamps)
        if _enforce_erasure(model, data, stamps, base):
            changed = True
            self.exact = False
        if lost:
            # The record gets a new seq even when nothing in it changed: the device whose edit lost
            # pulls it again and takes the winning value (its pull cursor is already past the old seq).
            self.exact = False
            field_seqs.update({name: upcoming for name in stamps if stamps[name] != before.get(name)})
            changed = True
        if model.append_only:
            conflicts = []
        if changed:
            key = (row["record_type"], row["id"])
            row.update(
                data=data,
                hlcs=stamps,
                field_seqs=field_seqs,
                deleted=deleted,
                updated_hlc=max([row["updated_hlc"], *stamps.values()]),
                seq=self.next_seq(),
            )
            if key not in self.new:
                self.dirty.add(key)
        for item in conflicts:
            item["seq"] = self.seq
        self.conflicts.extend(conflicts)
        return ChangeResult(
            record_type=change.record_type,
            id=change.id,
            status="merged" if lost else "applied",
            lost_fields=lost,
        )

    def _conflict(
        self,
        row: dict[str, Any],
        name: str,
        winner: Any,
        winner_hlc: str,
        loser: Any,
        loser_hlc: str,
        loser_device: str | None,
    ) -> dict[str, Any]:
        return {
            "program_id": row["program_id"],
            "team_id": row["team_id"],
            "record_type": row["record_type"],
            "record_id": row["id"],
            "field": name,
            "winner_value": winner,
            "winner_hlc": winner_hlc,
            "loser_value": loser,
            "loser_hlc": loser_hlc,
            "loser_device": loser_device,
            "created_at": self.created_at,
        }


def apply_batch(db: Database, device: DeviceContext, request: PushRequest) -> PushResponse:
    """Apply a batch in one transaction, or repeat the stored answer of its first application."""
    with db.write(serial=True) as conn:
        # The counter row lock serialises pushes: sequence values commit in increasing order.
        seq = conn.execute(
            sa.select(t.counter.c.value).where(t.counter.c.name == "change").with_for_update()
        ).scalar_one()
        prior = conn.execute(
            sa.select(t.batch.c.result).where(
                (t.batch.c.device_id == device.id) & (t.batch.c.batch_id == request.batch_id)
            )
        ).scalar()
        server_ms = now_ms()
        if prior is not None:
            return PushResponse.model_validate({**prior, "replayed": True, "server_time_ms": server_ms})
        seen = device.last_pull_seq if request.cursor is None else request.cursor
        batch = _Batch(conn, device, seq, server_ms, seen)
        results = batch.run(request.changes)
        audit.from_batch(conn, device, request.changes)
        if batch.seq != seq:
            conn.execute(sa.update(t.counter).where(t.counter.c.name == "change").values(value=batch.seq))
        response = PushResponse(
            batch_id=request.batch_id,
            results=results,
            server_time_ms=server_ms,
            seq_before=seq,
            seq_after=batch.seq,
            exact=batch.exact,
        )
        conn.execute(
            sa.insert(t.batch).values(
                device_id=device.id,
                batch_id=request.batch_id,
                result=response.model_dump(mode="json", exclude={"server_time_ms", "replayed"}),
                created_at=batch.created_at,
            )
        )
        conn.execute(
            sa.delete(t.batch).where(
                (t.batch.c.device_id == device.id) & (t.batch.c.created_at < batch.created_at - BATCH_MEMORY)
            )
        )
    return response


def _scope(device: DeviceContext, table: sa.Table) -> sa.ColumnElement[bool]:
    if device.program_wide:
        return table.c.program_id == device.program_id
    return (table.c.program_id == device.program_id) & (table.c.team_id == device.team_id)


def pull(db: Database, device: DeviceContext, after: int, limit: int) -> PullResponse:
    """Records in the device's scope changed after ``after``, in sequence order."""
    with db.read() as conn:
        top = conn.execute(sa.select(t.counter.c.value).where(t.counter.c.name == "change")).scalar_one()
        rows = conn.execute(
            sa.select(t.record)
            .where((t.record.c.seq > after) & _scope(device, t.record))
            .order_by(t.record.c.seq)
            .limit(limit + 1)
        ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    # Without more rows the cursor may jump to ``top``: every change up to it had committed when it
    # was read, so nothing below it can appear later.
    cursor = rows[-1].seq if has_more else max(after, top, rows[-1].seq if rows else 0)
    if after > device.last_pull_seq:
        with db.write() as conn:
            conn.execute(
                sa.update(t.device)
                .where((t.device.c.id == device.id) & (t.device.c.last_pull_seq < after))
                .values(last_pull_seq=after, last_seen_at=datetime.now(UTC))
            )
    records = [
        RemoteRecord(
            record_type=row.record_type,
            id=row.id,
            seq=row.seq,
            fields=row.data,
            hlcs=row.hlcs,
            base_hlc=row.base_hlc,
            updated_hlc=row.updated_hlc,
            deleted=row.deleted,
            created_at=row.created_at,
            author_id=row.author_id,
            device_id=row.device_id,
        )
        for row in rows
    ]
    return PullResponse(records=records, cursor=cursor, has_more=has_more, server_time_ms=now_ms())


def conflicts(db: Database, device: DeviceContext, after: int, limit: int) -> ConflictsResponse:
    with db.read() as conn:
        rows = conn.execute(
            sa.select(t.conflict)
            .where((t.conflict.c.id > after) & _scope(device, t.conflict))
            .order_by(t.conflict.c.id)
            .limit(limit + 1)
        ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = [
        Conflict(
            id=row.id,
            seq=row.seq,
            record_type=row.record_type,
            record_id=row.record_id,
            field=row.field,
            winner_value=row.winner_value,
            winner_hlc=row.winner_hlc,
            loser_value=row.loser_value,
            loser_hlc=row.loser_hlc,
            loser_device=row.loser_device,
            team_id=row.team_id,
            created_at=row.created_at.isoformat(),
        )
        for row in rows
    ]
    return ConflictsResponse(conflicts=items, cursor=rows[-1].id if rows else after, has_more=has_more)
