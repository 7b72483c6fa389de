"""Applying a pushed batch, and reading pull pages and conflicts.

Rules (the device's ``fieldapp.sync.client`` applies the same ones to what it pulls):

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
  (``fieldapp.sync.client.restamp_future``). Ten minutes covers ordinary drift of phones without NTP; a
  change still refused stays in the outbox (nothing is lost).
- Unknown fields are ignored; unknown record types and invalid values are rejected per change.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

import orjson
import sqlalchemy as sa

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import RECORD_TYPES, to_wire
from sync import hlc as hlcs_
from sync.multirow import insert_many
from sync.protocol import (
    MAX_CLOCK_AHEAD_MS,
    PROTOCOL_VERSION,
    Conflict,
    ConflictsResponse,
    ErrorCode,
    RejectCode,
)
from sync.server import audit
from sync.server import tables as t
from sync.server.accounts import DeviceContext
from sync.server.checks import Problem, checked_values, record_checks, record_refusals
from sync.server.db import Database
from sync.server.errors import ApiError
from sync.server.push_body import IncomingChange, PushBatch

SERVER_NODE = "zzserver"  # sorts after every hex node id
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


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def _result(
    change: IncomingChange,
    status: str,
    code: str | None = None,
    lost: list[str] | None = None,
    errors: list[Problem] | None = None,
) -> Result:
    """One ``ChangeResult`` as a dict (``errors`` only where rules were broken)."""
    result = {
        "record_type": change.record_type,
        "id": change.id,
        "status": status,
        "code": code,
        "lost_fields": lost or [],
    }
    if errors:
        result["errors"] = errors
    return result


class _Rejected(Exception):
    def __init__(self, code: RejectCode, errors: list[Problem] | None = None) -> None:
        self.code, self.errors = code, errors


@dataclass(slots=True)
class _Incoming:
    """A change's known fields, checked: wire values, and the HLC of each (``stamps`` names those
    written at another HLC than ``base``, the HLC of a new record's creation)."""

    #: A dict of its own (a new record's row takes it over).
    values: dict[str, Any]
    stamps: dict[str, str]
    base: str | None
    #: ``base`` was checked to be a valid HLC.
    base_valid: bool

    def stamp(self, name: str) -> str:
        return self.stamps.get(name) or self.base or ""


#: The common form of an HLC (lowercase hex): ``hlc.is_valid`` takes every string this matches.
_PLAIN_HLC = re.compile(r"[0-9a-f]{16}-.{1,64}", re.DOTALL).fullmatch


def _limit_hlc(limit_ms: int) -> str:
    """The least HLC of the plain form past ``limit_ms``: a plain HLC sorts at or after it exactly
    when its wall time is later than ``limit_ms`` (same width of lowercase hex), so it is compared
    as a string without decoding it."""
    return f"{limit_ms + 1:0{hlcs_.WALL_HEX}x}"


def _incoming(
    change: IncomingChange, model: type[SyncedRecord], limit_ms: int, limit_hlc: str | None = None
) -> _Incoming:
    """The change's known fields, checked (HLC problems are reported before value problems).
    ``limit_hlc``: ``_limit_hlc(limit_ms)``, when the caller keeps it."""
    fields = change.fields
    if change.op == "delete":
        fields = {**fields, "deleted": True}
    given = change.hlcs
    base = change.base_hlc if change.full else None
    values, refused = checked_values(model, fields)
    stamps: dict[str, str] = {}
    uses_base = False
    if given:
        checks = record_checks(model)
        for name in fields:
            if name not in checks:
                continue
            stamp = given.get(name)
            if stamp and stamp != base:
                stamps[name] = stamp
            else:
                uses_base = True
    else:
        uses_base = bool(values)  # every field written at the base HLC (a new record, usually)
    if stamps:
        distinct: Iterable[str | None] = {*stamps.values(), base} if uses_base else set(stamps.values())
    else:
        distinct = (base,) if uses_base else ()  # a new record: its base alone, no set built
    if limit_hlc is None:
        limit_hlc = _limit_hlc(limit_ms)
    for stamp in distinct:
        if type(stamp) is str and _PLAIN_HLC(stamp):  # one regex instead of decoding it (~0.6 us)
            if stamp >= limit_hlc:
                raise _Rejected(RejectCode.CLOCK_AHEAD)
            continue
        if not hlcs_.is_valid(stamp):
            raise _Rejected(RejectCode.INVALID_HLC)
        if hlcs_.wall_ms(stamp) > limit_ms:  # type: ignore[arg-type]
            raise _Rejected(RejectCode.CLOCK_AHEAD)
    if refused:
        raise _Rejected(RejectCode.INVALID_VALUE, refused)
    return _Incoming(values, stamps, base, uses_base)


def _bump(stamp: str) -> str:
    ts = hlcs_.decode(stamp)
    return hlcs_.encode(ts.wall_ms, min(ts.counter + 1, hlcs_.MAX_COUNTER), SERVER_NODE)


def _enforce_erasure(
    model: type[SyncedRecord], data: dict[str, Any], stamps: dict[str, str], base: str
) -> bool:
    """Reset personal fields of an erased record; True if anything changed."""
    if not data.get("erased_at") or "erased_at" not in model.model_fields:
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


def _decides_for_others(record_type: str, values: dict[str, Any]) -> bool:
    """Writes only supervisors and admins may make: a review's decision (an animator's device only
    marks a returned entry "corrected") and a person's erasure. The app checks this too; the
    service must, since a device's own check can be bypassed."""
    if record_type == "review":
        allowed = {"state": "corrected"}
        return any(name not in allowed or value != allowed[name] for name, value in values.items())
    if record_type == "contact":
        return bool(values.get("erased_at"))
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
        self.limit_hlc = _limit_hlc(self.limit_ms)
        self.program_wide = device.program_wide
        self.created_at = datetime.now(UTC)
        #: Current state of the batch's records (read once, written once at the end).
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        #: Records this batch creates, in the order of their seq (a dict as an ordered set): SQLite
        #: inserts them into ``record`` and its indexes ~15% faster in that order than shuffled.
        self.new: dict[tuple[str, str], None] = {}
        self.dirty: set[tuple[str, str]] = set()
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
            self.rows.update(_stored_records(self.conn, known))
            self.was_erased = {
                key[1]
                for key, row in self.rows.items()
                if key[0] == "contact" and row["data"].get("erased_at")
            }
        results = [self.apply(change) for change in changes]
        if self.forbidden:
            raise ApiError(
                403,
                ErrorCode.FORBIDDEN,
                "your role may not make these changes (decide a review, erase a person)",
                {"changes": self.forbidden},
            )
        erased = self._forget_erased_people()
        if self.new:
            _insert_records(self.conn, [self.rows[key] for key in self.new])
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
            incoming = _incoming(change, model, self.limit_ms, self.limit_hlc)
        except _Rejected as exc:
            return self._rejected(change, exc.code, exc.errors)
        if not self.program_wide and _decides_for_others(change.record_type, incoming.values):
            self.forbidden.append({"record_type": change.record_type, "id": change.id})
            return self._rejected(change, RejectCode.FORBIDDEN)
        row = self.rows.get((change.record_type, change.id))
        if row is None:
            return self._insert(change, model, incoming)
        if row["program_id"] != self.device.program_id or (
            not self.program_wide and row["team_id"] != self.device.team_id
        ):
            return self._rejected(change, RejectCode.OUT_OF_SCOPE)
        return self._merge(change, model, incoming, row)

    def _rejected(
        self, change: IncomingChange, code: RejectCode, errors: list[Problem] | None = None
    ) -> Result:
        return _result(change, "rejected", code.value, errors=errors)

    def _insert(
        self, change: IncomingChange, model: type[SyncedRecord], incoming: _Incoming
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
        if _enforce_erasure(model, data, stamps, base):
            self.exact = False
        team_id = self.device.team_id
        if team_id is None:
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
            "author_id": self._author(change.author_id),
            "device_id": change.device_id or self.device.client_device_id,
        }
        return None

    def _author(self, claimed: str | None) -> str | None:
        """The author the service records: the pushing device's user. A device may only name its
        own user (or none: records made before it was enrolled); any other name is replaced, so a
        tampered app cannot put its records under a colleague's name. (A record sent whole again by
        another device, after the service lost it, is credited to that device's user.)"""
        return claimed if claimed in (None, self.device.user_id) else self.device.user_id

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

    def _forget_erased_people(self) -> set[tuple[str, str]]:
        """Records of this batch that name an erased person lose their personal fields too (a
        visit's note written offline before the erasure was known). Returns the keys of the
        batch's records that are erased or name an erased person: the conflict log keeps nothing
        of theirs.

        The erased contact's own fields are reset by ``_enforce_erasure``; this covers the records
        that point at it, so no device and no conflict-log row keeps what the erasure removed.
        """
        named: dict[tuple[str, str], str] = {}
        erased_records: set[tuple[str, str]] = set()
        cleared: list[str] = []  # contacts no longer erased (a later write of ``erased_at`` won)
        was_erased = self.was_erased
        for key in chain(self.new, self.dirty):  # disjoint; one pass over the batch's records
            data = self.rows[key]["data"]
            if data.get("erased_at"):
                erased_records.add(key)
            elif key[0] == "contact":
                if key[1] in was_erased:
                    cleared.append(key[1])
            elif isinstance(contact_id := data.get("contact_id"), str):
                named[key] = contact_id
        _note_erased_contacts(
            self.conn,
            sorted(key[1] for key in erased_records if key[0] == "contact" and key[1] not in was_erased),
            sorted(cleared),
        )
        if not named:
            return erased_records
        # Contacts read with the batch are known (stored state, or as this batch leaves them): only
        # the others are looked up (a visit usually names a contact pushed in the same batch).
        known = {key[1]: row for key, row in self.rows.items() if key[0] == "contact"}
        erased = {contact_id for contact_id, row in known.items() if row["data"].get("erased_at")}
        erased |= _erased_contacts(self.conn, set(named.values()) - known.keys())
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
        return hits | erased_records

    def _merge(
        self,
        change: IncomingChange,
        model: type[SyncedRecord],
        incoming: _Incoming,
        row: dict[str, Any],
    ) -> Result | None:
        data: dict[str, Any] = dict(row["data"])
        stamps: dict[str, str] = dict(row["hlcs"])
        base: str = row["base_hlc"]
        deleted: bool = row["deleted"]
        field_seqs: dict[str, int] = dict(row["field_seqs"])
        base_seq = field_seqs.get(BASE_SEQ, row["seq"])
        upcoming = self.seq + 1  # this record's seq if the change writes anything
        conflicts: list[dict[str, Any]] = []
        lost: list[str] = []
        changed = False
        for name, value in incoming.values.items():
            stamp = incoming.stamp(name)
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
                    field_seqs.get(name, base_seq) > self.seen
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
        if refused := record_refusals(row["record_type"], row["data"], data):
            return self._rejected(change, RejectCode.INVALID_VALUE, refused)  # nothing of it kept
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
        return _result(change, "merged", lost=lost) if lost else None

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


_NEW_RECORD_COLUMNS = tuple(column.name for column in t.record.columns)
_JSON_LOADS = orjson.loads
assert _NEW_RECORD_COLUMNS[:5] == ("record_type", "id", "program_id", "team_id", "seq")  # _insert_records


def _mark(conn: sa.Connection) -> str:
    """The driver's placeholder: ``?`` (sqlite3) or ``%s`` (psycopg)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _among(conn: sa.Connection, column: str, values: list[str]) -> tuple[str, list[Any]]:
    """``column`` among ``values`` as driver SQL: SQLAlchemy's expanding IN cost ~8 µs a value to
    render."""
    if _mark(conn) == "?":
        return f"{column} IN ({','.join('?' * len(values))})", list(values)
    return f"{column} = ANY(%s)", [list(values)]


def _stored_records(
    conn: sa.Connection, wanted: dict[str, set[str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The stored rows of these records (record type → ids), locked for this push (PostgreSQL;
    SQLite locks the file). One statement for every type: on PostgreSQL each statement of a push is
    a round trip made while every other push waits for the counter lock."""
    of_type, type_params = _among(conn, "record_type", sorted(wanted))
    where, params = _among(conn, "id", sorted(set().union(*wanted.values())))
    lock = "" if conn.dialect.name == "sqlite" else " FOR UPDATE"
    names = ", ".join(_NEW_RECORD_COLUMNS)
    found = conn.exec_driver_sql(
        f"SELECT {names} FROM record WHERE {of_type} AND {where}{lock}", (*type_params, *params)
    )
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for values in found:
        row = dict(zip(_NEW_RECORD_COLUMNS, values, strict=True))
        if row["id"] not in wanted[row["record_type"]]:
            continue  # an id asked for under another type
        for name in _JSON_COLUMNS:  # text on SQLite, already parsed by psycopg
            if isinstance(row[name], str | bytes):
                row[name] = _JSON_LOADS(row[name])
        row["deleted"] = bool(row["deleted"])
        rows[(row["record_type"], row["id"])] = row
    return rows


_JSON_COLUMNS = ("data", "hlcs", "field_seqs")


#: Up to this many erased contacts are read whole (one short statement, no parameters); with more,
#: only the ids a batch names are looked up.
ERASED_READ_WHOLE = 1000


def _erased_contacts(conn: sa.Connection, ids: set[str]) -> set[str]:
    """Which of these contacts are erased, as ``erased_contact`` lists them: written in the
    transaction of every erasure, and read here under the push's counter lock, so an erasure another
    process committed is always seen (nothing is cached between pushes)."""
    if not ids:
        return set()
    listed = conn.exec_driver_sql(f"SELECT id FROM erased_contact LIMIT {ERASED_READ_WHOLE + 1}").all()
    if len(listed) <= ERASED_READ_WHOLE:
        return ids.intersection(row[0] for row in listed)
    where, params = _among(conn, "id", sorted(ids))
    found = conn.exec_driver_sql(f"SELECT id FROM erased_contact WHERE {where}", tuple(params))
    return {row[0] for row in found}


def _note_erased_contacts(conn: sa.Connection, erased: list[str], cleared: list[str]) -> None:
    """Keep ``erased_contact`` in step with the batch: contacts it erased are added, contacts whose
    ``erased_at`` it cleared are taken out."""
    mark = _mark(conn)
    if erased:
        conn.exec_driver_sql(
            f"INSERT INTO erased_contact (id) VALUES ({mark}) ON CONFLICT DO NOTHING", [(i,) for i in erased]
        )
    if cleared:
        conn.exec_driver_sql(f"DELETE FROM erased_contact WHERE id = {mark}", [(i,) for i in cleared])


#: Rows per statement of ``_insert_records`` on SQLite: 400 x 14 parameters, well under its limit
#: of 32,766 (by default).
INSERT_ROWS_PER_STATEMENT = 400


def _insert_records(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Insert new records with driver SQL (SQLAlchemy's per-row processing cost as much as SQLite's
    own insert). SQLite: one multi-row ``INSERT`` per ``INSERT_ROWS_PER_STATEMENT`` (a statement a
    row, ``executemany``, cost ~30% more); PostgreSQL: ``executemany``, which psycopg pipelines
    (multi-row statements took ~3.5x as long there). JSON columns go as text (PostgreSQL casts it
    to ``json``)."""
    dumps = orjson.dumps
    params = [
        (
            row["record_type"],
            row["id"],
            row["program_id"],
            row["team_id"],
            row["seq"],
            dumps(row["data"]).decode(),
            dumps(row["hlcs"]).decode() if row["hlcs"] else "{}",  # a new record's fields share its base HLC
            dumps(row["field_seqs"]).decode(),
            row["base_hlc"],
            row["updated_hlc"],
            row["deleted"],
            row["created_at"],
            row["author_id"],
            row["device_id"],
        )
        for row in rows
    ]
    mark = _mark(conn)
    marks = ", ".join(mark for _ in _NEW_RECORD_COLUMNS)
    sql = f"INSERT INTO record ({', '.join(_NEW_RECORD_COLUMNS)}) VALUES ({marks})"
    if mark != "?":  # PostgreSQL: psycopg's executemany (pipelined) took ~1/3 of the multi-row time
        conn.exec_driver_sql(sql, params)
        return
    insert_many(conn.exec_driver_sql, sql, params, INSERT_ROWS_PER_STATEMENT)


def _pull_scope(device: DeviceContext) -> sa.ColumnElement[bool]:
    """The records a device pulls. A team's are found by team alone: a team belongs to one program
    and a record's team is only ever one of its program's (``_Batch``), while naming the program too
    let SQLite page through ``ix_record_program_seq``, i.e. every team's changes of the program."""
    if device.program_wide:
        return t.record.c.program_id == device.program_id
    return t.record.c.team_id == device.team_id


def _scope(device: DeviceContext, table: sa.Table) -> sa.ColumnElement[bool]:
    if device.program_wide:
        return table.c.program_id == device.program_id
    return (table.c.program_id == device.program_id) & (table.c.team_id == device.team_id)


_PULL_COLUMNS = (
    t.record.c.record_type,
    t.record.c.id,
    t.record.c.seq,
    # The stored JSON text goes out as it is: no parsing and encoding again per record.
    sa.cast(t.record.c.data, sa.Text).label("data"),
    sa.cast(t.record.c.hlcs, sa.Text).label("hlcs"),
    t.record.c.base_hlc,
    t.record.c.updated_hlc,
    t.record.c.deleted,
    t.record.c.created_at,
    t.record.c.author_id,
    t.record.c.device_id,
)


#: A device's pull progress (``last_pull_seq``, ``last_seen_at``) is written at most this often per
#: service process. Writing it on every page was a write transaction per sync besides the push: on
#: SQLite more than half of the writers queueing for the one write lock under load. The mark only
#: serves pushes without a ``cursor`` (older apps; a lag logs a conflict too many, never loses one)
#: and the devices list's "last seen".
PULL_MARK_SECONDS = 10.0
_pull_marks: dict[str, float] = {}


def _mark_due(device_id: str) -> bool:
    """True (and noted) when this device's pull progress was not written in ``PULL_MARK_SECONDS``."""
    now = time.monotonic()
    if now - _pull_marks.get(device_id, -PULL_MARK_SECONDS) < PULL_MARK_SECONDS:
        return False
    _pull_marks[device_id] = now
    return True


def pull(db: Database, device: DeviceContext, after: int, limit: int) -> bytes:
    """A ``PullResponse`` as JSON: records in the device's scope changed after ``after``, in
    sequence order."""
    with db.read() as conn:
        top = conn.execute(sa.select(t.counter.c.value).where(t.counter.c.name == "change")).scalar_one()
        rows = conn.execute(
            sa.select(*_PULL_COLUMNS)
            .where((t.record.c.seq > after) & _pull_scope(device))
            .order_by(t.record.c.seq)
            .limit(limit + 1)
        ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    # Without more rows the cursor may jump to ``top``: every change up to it had committed when it
    # was read, so nothing below it can appear later.
    cursor = rows[-1].seq if has_more else max(after, top, rows[-1].seq if rows else 0)
    if after > device.last_pull_seq and _mark_due(device.id):
        with db.write() as conn:
            conn.execute(
                sa.update(t.device)
                .where((t.device.c.id == device.id) & (t.device.c.last_pull_seq < after))
                .values(last_pull_seq=after, last_seen_at=datetime.now(UTC))
            )
    fragment = orjson.Fragment
    records = [
        {
            "record_type": row[0],
            "id": row[1],
            "seq": row[2],
            "fields": fragment(row[3]),
            "hlcs": fragment(row[4]),
            "base_hlc": row[5],
            "updated_hlc": row[6],
            "deleted": bool(row[7]),
            "created_at": row[8],
            "author_id": row[9],
            "device_id": row[10],
        }
        for row in rows
    ]
    page = {
        "protocol": PROTOCOL_VERSION,
        "records": records,
        "cursor": cursor,
        "has_more": has_more,
        "server_time_ms": now_ms(),
    }
    return orjson.dumps(page)


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
