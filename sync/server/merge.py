"""Applying a pushed batch: one transaction, the batch's records read once and written once.

Rules (the device applies the same ones to what it pulls):

- Field-level last-writer-wins by HLC, the shared rule ``sync.lww``: an incoming field value
  replaces the stored one when its HLC is greater; a tombstone (``deleted``) is sticky. Ties (same
  HLC, another value) change nothing here. A value that loses is kept in the ``conflict`` log when
  it differs from the winner and the two writes were concurrent: the incoming one lost, or the
  stored one was written by another device (HLC node) after that device's last pull (``seen``:
  the push's ``cursor``, else the device's last pull mark).
- Erasure (a record with ``erased_at`` set) beats every edit of its personal fields (``erasure``),
  and is final: a change that would clear it or write personal data into the record is refused
  with ``erased`` whatever its HLC (only an admin's ``teren-sync restore-erased`` undoes one).
- Visits and other ``append_only`` records are events: same rules, but never logged as conflicts.
- Clock drift: a change carrying an HLC more than ``MAX_CLOCK_AHEAD_MS`` (10 minutes) ahead of the
  service's clock is rejected with ``clock_ahead``; the service does not clamp silently, because the
  device would keep HLCs that differ from the service's and beat every later edit on that device.
  The client instead rewrites the refused HLCs to the service's time (``server_time_ms`` of the
  answer, keeping their order) in its own store and sends the change again, so both ends agree
  (``fieldapp.store.outbox.restamp``). Ten minutes covers ordinary drift of phones without NTP; a
  change still refused stays in the outbox (nothing is lost).
- Unknown fields are ignored; unknown record types and invalid values are rejected per change
  (``incoming``).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

import orjson
import sqlalchemy as sa

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import RECORD_TYPES
from sync import hlc as hlcs_
from sync import lww
from sync.lww import DELETED
from sync.protocol import MAX_CLOCK_AHEAD_MS, PROTOCOL_VERSION, ErrorCode, RejectCode
from sync.server import audit
from sync.server import tables as t
from sync.server.accounts import DeviceContext
from sync.server.basis import forget_unconsented_notes, note_consents
from sync.server.checks import Problem, record_refusals
from sync.server.clock import now_ms
from sync.server.db import Database
from sync.server.erasure import (
    enforce_erasure,
    erased_before,
    forget_erased_people,
    overrule,
    undoes_erasure,
)
from sync.server.errors import ApiError
from sync.server.incoming import (
    PROGRAM_SHARED,
    Incoming,
    Rejected,
    checked_change,
    decides_for_others,
    limit_hlc,
)
from sync.server.push_body import IncomingChange, PushBatch
from sync.server.record_rows import insert_records, stored_records, update_records
from sync.server.scope_moves import may_finish_edit, moved_from

#: How long a batch's answer is kept for repeats. A batch repeated later still changes nothing
#: (its HLCs no longer win), it is only answered anew.
BATCH_MEMORY = timedelta(days=30)
#: Share of pushes that also delete their device's answers older than ``BATCH_MEMORY`` (one
#: statement fewer for the others, inside the part of a push that every other push waits for).
BATCH_PURGE_SHARE = 1 / 16
#: Fields naming a user (their team scopes a record a supervisor creates); other ``*_id`` fields name records.
USER_REFERENCES = frozenset({"animator_id", "assignee_id", "reviewer_id"})
#: Key of ``field_seqs`` holding the seq of the record's creation: fields not named otherwise were
#: last written then (as ``base_hlc`` is their HLC when ``hlcs`` does not name them).
BASE_SEQ = "*"

Result = dict[str, Any]
Key = tuple[str, str]


def _result(
    change: IncomingChange,
    status: str,
    code: str | None = None,
    lost: list[str] | None = None,
    errors: list[Problem] | None = None,
) -> Result:
    """One ``ChangeResult`` as a dict (``errors`` only where rules were broken)."""
    result: Result = {
        "record_type": change.record_type,
        "id": change.id,
        "status": status,
        "code": code,
        "lost_fields": lost or [],
    }
    if errors:
        result["errors"] = errors
    return result


class _Batch:
    def __init__(
        self, conn: sa.Connection, device: DeviceContext, seq: int, server_ms: int, seen: int
    ) -> None:
        self.conn = conn
        self.device = device
        self.seen = seen
        self.seq = seq
        self.limit_ms = server_ms + MAX_CLOCK_AHEAD_MS
        self.limit_hlc = limit_hlc(self.limit_ms)
        self.program_wide = device.program_wide
        self.created_at = datetime.now(UTC)
        #: Current state of the batch's records (read once, written once at the end).
        self.rows: dict[Key, dict[str, Any]] = {}
        #: Records this batch creates, in the order of their seq (a dict as an ordered set): SQLite
        #: inserts them into ``record`` and its indexes ~15% faster in that order than shuffled.
        self.new: dict[Key, None] = {}
        self.dirty: set[Key] = set()
        self.conflicts: list[dict[str, Any]] = []
        #: False once the stored state differs from what the device sent (lost fields, erasure).
        self.exact = True
        #: Changes the device's role may not make: the whole batch is refused (HTTP 403).
        self.forbidden: list[dict[str, str]] = []
        #: Stored contacts of the batch that were erased before it (as ``erased_contact`` lists them).
        self.was_erased: set[str] = set()

    def run(self, changes: list[IncomingChange]) -> list[Result | None]:
        """Apply the changes; per change its result, or None when it was applied as sent (most
        are: no result dict is built for them)."""
        wanted: dict[str, set[str]] = {}
        for change in changes:
            wanted.setdefault(change.record_type, set()).add(change.id)
        known = {record_type: ids for record_type, ids in wanted.items() if record_type in RECORD_TYPES}
        if known:
            self.rows.update(stored_records(self.conn, known))
            self.was_erased = erased_before(self.rows)
        results = [self.apply(change) for change in changes]
        if self.forbidden:
            raise ApiError(
                403,
                ErrorCode.FORBIDDEN,
                "your role may not make these changes (decide a review or an application, erase a person)",
                {"changes": self.forbidden},
            )
        # ``new`` and ``dirty`` are disjoint: one pass over the batch's records.
        erased, reset = forget_erased_people(
            self.conn, self.rows, chain(self.new, self.dirty), self.was_erased
        )
        # Notes follow the person's consent: the batch's consents first, then what names people.
        note_consents(self.conn, self.rows, chain(self.new, self.dirty))
        unconsented = forget_unconsented_notes(self.conn, self.rows, chain(self.new, self.dirty))
        if reset or unconsented:
            self.exact = False
        erased |= unconsented
        if self.new:
            insert_records(self.conn, [self.rows[key] for key in self.new])
        if self.dirty:
            update_records(self.conn, [self.rows[key] for key in self.dirty])
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

    def apply(self, change: IncomingChange) -> Result | None:
        model = RECORD_TYPES.get(change.record_type)
        if model is None:
            return self._rejected(change, RejectCode.UNKNOWN_RECORD_TYPE)
        try:
            incoming = checked_change(change, model, self.limit_ms, self.limit_hlc)
        except Rejected as exc:
            return self._rejected(change, exc.code, exc.errors)
        row = self.rows.get((change.record_type, change.id))
        if not self.program_wide and decides_for_others(
            change.record_type, incoming.values, None if row is None else row["data"]
        ):
            self.forbidden.append({"record_type": change.record_type, "id": change.id})
            return self._rejected(change, RejectCode.FORBIDDEN)
        if row is None:
            return self._insert(change, model, incoming)
        other_team = not self.program_wide and row["team_id"] != self.device.team_id
        if row["program_id"] != self.device.program_id or (
            other_team and not self._before_move(row, incoming)
        ):
            return self._rejected(change, RejectCode.OUT_OF_SCOPE)
        return self._merge(change, model, incoming, row)

    def _before_move(self, row: dict[str, Any], incoming: Incoming) -> bool:
        """An edit written before a move (``scope_moves``): of a record of the team the user left,
        or of a record a zone's reassignment took from the user's team."""
        device = self.device
        stamps = [incoming.stamp(name) for name in incoming.values]
        if may_finish_edit(device.previous_team_id, device.moved_at_ms, row["team_id"], stamps):
            return True
        moved = moved_from(self.conn, row["record_type"], row["id"])  # rare: only out of scope
        return moved is not None and may_finish_edit(moved[0], moved[1], device.team_id, stamps)

    def _rejected(
        self, change: IncomingChange, code: RejectCode, errors: list[Problem] | None = None
    ) -> Result:
        return _result(change, "rejected", code.value, errors=errors)

    def _insert(
        self, change: IncomingChange, model: type[SyncedRecord], incoming: Incoming
    ) -> Result | None:
        if not change.full:
            return self._rejected(change, RejectCode.MISSING_FIELDS)
        # Only HLCs other than the base are kept (a new record's fields usually share it).
        stamps = incoming.stamps
        base = change.base_hlc
        if not (incoming.base_valid or hlcs_.is_valid(base)):
            base = min(stamps.values(), default="")
            stamps = {name: stamp for name, stamp in stamps.items() if stamp != base}
        if not base:
            return self._rejected(change, RejectCode.MISSING_FIELDS)
        assert base is not None
        data = incoming.values
        deleted = bool(data.pop("deleted", False))
        if refused := record_refusals(change.record_type, None, data):
            return self._rejected(change, RejectCode.INVALID_VALUE, refused)
        if enforce_erasure(model, data, stamps, base):
            self.exact = False
        team_id = self.device.team_id
        if change.record_type in PROGRAM_SHARED:
            team_id = self.device.program_id
        elif team_id is None:
            team_id = self._team_of_references(data)
        seq = self.next_seq()
        key = (change.record_type, change.id)
        self.new[key] = None
        self.rows[key] = {
            "record_type": change.record_type,
            "id": change.id,
            "program_id": self.device.program_id,
            "team_id": team_id,
            "seq": seq,
            "data": data,
            "hlcs": stamps,
            "field_seqs": {BASE_SEQ: seq},
            "base_hlc": base,
            "updated_hlc": max([base, *stamps.values()]) if stamps else base,
            "deleted": deleted,
            "created_at": change.created_at,
            # Who made it is whom the token names, whatever the change claims: a tampered app cannot
            # file its records under a colleague's name or phone, nor under nobody's.
            "author_id": self.device.user_id,
            "device_id": self.device.client_device_id,
        }
        return None

    def _team_of_references(self, data: dict[str, Any]) -> str | None:
        """The team a program-wide user's new record belongs to: that of a record or user it names
        (a supervisor's review of a visit reaches the visit's team); None keeps it program-wide."""
        refs = {k: v for k, v in data.items() if k.endswith("_id") and isinstance(v, str) and v}
        record_ids = [v for k, v in refs.items() if k not in USER_REFERENCES]
        if record_ids:
            # Found by key, of any type, and the scope compared here: with the scope in the query,
            # SQLite walked the whole program through its (program_id, seq) index.
            named = self.conn.execute(
                sa.select(t.record.c.program_id, t.record.c.team_id)
                .where(t.record.c.record_type.in_(sorted(RECORD_TYPES)))
                .where(t.record.c.id.in_(record_ids))
            )
            team = next((team for program, team in named if program == self.device.program_id and team), None)
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

    def _merge(
        self,
        change: IncomingChange,
        model: type[SyncedRecord],
        incoming: Incoming,
        row: dict[str, Any],
    ) -> Result | None:
        """Merge a change into a stored record by ``lww.merge``; then log conflicts, enforce
        erasure and note which fields this write's seq covers (``field_seqs``)."""
        if row["data"].get("erased_at") and undoes_erasure(model, incoming.values):
            return self._overruled(change, row, incoming)
        if row["data"].get("restricted_at") and (
            set(incoming.values) - {"restricted_at", DELETED} or not self.program_wide
        ):
            # Art. 18: a restricted person's data is frozen until the restriction is lifted (a
            # change that lifts it alone passes; lifting is the program-wide roles' own).
            return self._overruled(change, row, incoming, RejectCode.RESTRICTED)
        data: dict[str, Any] = dict(row["data"])
        stamps: dict[str, str] = dict(row["hlcs"])
        base: str = row["base_hlc"]
        outcome = lww.merge(incoming.writes(), lambda name: stamps.get(name, base), data.get, row["deleted"])
        taken, lost = outcome.taken, outcome.lost
        deleted: bool = row["deleted"] or DELETED in taken
        field_seqs: dict[str, int] = dict(row["field_seqs"])
        upcoming = self.seq + 1  # this record's seq if the change writes anything
        log = not model.append_only
        conflicts: list[dict[str, Any]] = []
        if taken:
            # A replaced value is logged only if the device could not have seen it: written after
            # the device's last pull (no field's seq exceeds the record's), by another device.
            if log and row["seq"] > self.seen:
                conflicts = self._unseen_replaced(row, taken, outcome.stamps, data, stamps, field_seqs)
            stamps.update(outcome.stamps)
            for name in taken:
                field_seqs[name] = upcoming
            if deleted and DELETED in taken:
                data.update({name: value for name, value in taken.items() if name != DELETED})
            else:
                data.update(taken)
        if lost and log:
            conflicts += self._lost(row, lost, incoming, data, stamps)
            if taken and len(conflicts) > 1:  # in the order of the change's fields, as always
                order = {name: n for n, name in enumerate(incoming.values)}
                conflicts.sort(key=lambda item: order[item["field"]])
        changed = bool(taken)
        before = dict(stamps) if lost else None
        if enforce_erasure(model, data, stamps, base):
            changed = True
            self.exact = False
        if before is not None:
            # The record gets a new seq even when nothing in it changed: the device whose edit lost
            # pulls it again and takes the winning value (its pull cursor is already past the old seq).
            self.exact = False
            field_seqs.update({name: upcoming for name in stamps if stamps[name] != before.get(name)})
            changed = True
        if refused := record_refusals(row["record_type"], row["data"], data):
            return self._rejected(change, RejectCode.INVALID_VALUE, refused)  # nothing of it kept
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
        return _result(change, "merged", lost=lost) if lost else None

    def _overruled(
        self,
        change: IncomingChange,
        row: dict[str, Any],
        incoming: Incoming,
        code: RejectCode = RejectCode.ERASED,
    ) -> Result:
        """Refuse a change that would undo an erasure; the record goes back to its sender (``overrule``)."""
        overrule(row, incoming, self.next_seq())
        key = (row["record_type"], row["id"])
        if key not in self.new:
            self.dirty.add(key)
        self.exact = False
        return self._rejected(change, code)

    def _unseen_replaced(
        self,
        row: dict[str, Any],
        taken: dict[str, Any],
        taken_stamps: dict[str, str],
        data: dict[str, Any],
        stamps: dict[str, str],
        field_seqs: dict[str, int],
    ) -> list[dict[str, Any]]:
        """Conflict-log rows of stored values that taken ones replace although the pushing device
        had not pulled them (concurrent writes of two devices), before ``data`` takes them."""
        seen, base, base_seq = self.seen, row["base_hlc"], field_seqs.get(BASE_SEQ, row["seq"])
        logged = []
        for name, value in taken.items():
            if name == DELETED or field_seqs.get(name, base_seq) <= seen:
                continue
            stored, stored_stamp, stamp = data.get(name), stamps.get(name, base), taken_stamps[name]
            if stored != value and hlcs_.decode(stored_stamp).node != hlcs_.decode(stamp).node:
                logged.append(self._conflict(row, name, value, stamp, stored, stored_stamp, row["device_id"]))
        return logged

    def _lost(
        self,
        row: dict[str, Any],
        lost: list[str],
        incoming: Incoming,
        data: dict[str, Any],
        stamps: dict[str, str],
    ) -> list[dict[str, Any]]:
        """Conflict-log rows of the pushed values that lost to newer stored ones."""
        base, mine = row["base_hlc"], self.device.client_device_id
        return [
            self._conflict(
                row, name, data.get(name), stamps.get(name, base),
                incoming.values[name], incoming.stamp(name), mine,
            )
            for name in lost
            if name != DELETED  # a tombstone that stays is no value to log
        ]

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


def apply_batch(db: Database, device: DeviceContext, request: PushBatch) -> dict[str, Any]:
    """Apply a batch in one transaction, or repeat the stored answer of its first application.

    The answer is a ``PushResponse`` as a plain dict (built without pydantic: a batch holds up to
    ``MAX_CHANGES_PER_BATCH`` results). ApiError 403 when the batch holds a change the device's role
    may not make; then nothing of it is written."""
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
            return {**prior, "replayed": True, "server_time_ms": server_ms}
        seen = device.last_pull_seq if request.cursor is None else request.cursor
        batch = _Batch(conn, device, seq, server_ms, seen)
        outcomes = batch.run(request.changes)
        audit.from_batch(conn, device, request.changes)
        if request.compact:
            results = [result for result in outcomes if result is not None]
        else:
            pairs = zip(outcomes, request.changes, strict=True)
            results = [result or _result(change, "applied") for result, change in pairs]
        answer: dict[str, Any] = {
            "protocol": PROTOCOL_VERSION,
            "batch_id": request.batch_id,
            "results": results,
            "seq_before": seq,
            "seq_after": batch.seq,
            "exact": batch.exact,
        }
        if request.compact:
            answer["applied"] = len(outcomes) - len(results)
        moved = batch.seq if batch.seq != seq else None
        _store_answer(conn, device.id, request.batch_id, answer, batch.created_at, moved)
        if random.random() < BATCH_PURGE_SHARE:
            conn.execute(
                sa.delete(t.batch).where(
                    (t.batch.c.device_id == device.id)
                    & (t.batch.c.created_at < batch.created_at - BATCH_MEMORY)
                )
            )
    return {**answer, "replayed": False, "server_time_ms": server_ms}


def _store_answer(
    conn: sa.Connection,
    device_id: str,
    batch_id: str,
    answer: dict[str, Any],
    created_at: datetime,
    new_seq: int | None,
) -> None:
    """Keep a batch's answer and move the change counter to ``new_seq`` (if given). PostgreSQL: in
    one statement, a round trip fewer while every other push waits for the counter row lock."""
    if new_seq is not None and conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "WITH moved AS (UPDATE counter SET value = %s WHERE name = 'change') "
            "INSERT INTO batch (device_id, batch_id, result, created_at) VALUES (%s, %s, %s, %s)",
            (new_seq, device_id, batch_id, orjson.dumps(answer).decode(), created_at),
        )
        return
    if new_seq is not None:
        conn.execute(sa.update(t.counter).where(t.counter.c.name == "change").values(value=new_seq))
    row = {"device_id": device_id, "batch_id": batch_id, "result": answer, "created_at": created_at}
    conn.execute(sa.insert(t.batch).values(**row))
