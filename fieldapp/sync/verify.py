"""After a pull, the device proves it holds exactly the service's records of its scope, and repairs
itself where it does not (``sync.checksum``; PowerSync's checksums per bucket).

The last pull page carries the scope's ``[count, sum of hashes]`` per record type at its cursor.
The device sums the same over its own records. Records it holds unsent edits of (outbox rows)
differ from the service's by design: they are left out of its sums, and their service hashes (asked
with ``POST /v1/hashes``) out of the service's. A type that still differs is pulled again from the
start, that type alone, and merged as any page (the tie rule takes the service's value where a row
was altered under the same HLC; unsent edits are newer and stay, with their outbox rows); its
records the service did not send and this device has no unsent edits of are evicted
(``fieldapp.store.evict``). That is also how records leave a phone when its scope shrinks, and
arrive when it grows (a user moved to another team, a zone given to another team): no full reset.

The outcome is kept in meta ``sync.checksum`` (JSON: ``state`` ``ok`` | ``repaired`` |
``mismatch`` | ``unverified``, ``at``, the types repaired) for the sync screen and the service's
view of the phone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from itertools import islice
from typing import Any

from fieldapp import jsonfast
from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import RECORD_TYPES
from fieldapp.store import codec, scrub, search
from fieldapp.store.db import Store, raw
from fieldapp.store.evict import evict
from fieldapp.sync.apply import merge_page
from fieldapp.sync.meta import K_CHECKSUM
from fieldapp.sync.pull import Page
from sync.checksum import MASK, digest, hashed_fields

log = logging.getLogger(__name__)

#: ``(after, kinds)`` → a pull page of those record types (decoded JSON).
FetchKinds = Callable[[int, list[str]], Any]
#: ``[{record_type, id}, ...]`` → ``{"hashes": [{record_type, id, hash (None: not held)}, ...]}``.
FetchHashes = Callable[[list[dict[str, str]]], Any]
Sums = dict[str, list[int]]
#: Records whose service hashes are asked for per request.
HASHES_PER_REQUEST = 2000


@cache
def _hash_plan(model: type[SyncedRecord]) -> tuple[str, tuple[Callable[[Any], Any] | None, ...]]:
    """The SELECT of a model's hashed values and, per value, its reader (None: as stored)."""
    readers = codec.wire_readers(model)
    json_columns = codec.json_columns(model)
    plan: list[Callable[[Any], Any] | None] = []
    for name in hashed_fields(model):
        reader = readers[name]
        if name in json_columns:  # parsed: the hash is of the value, not of its text
            plan.append(_json_value)
        else:
            plan.append(None if reader is codec.as_stored else reader)
    columns = ", ".join(f'"{name}"' for name in hashed_fields(model))
    table = model.__tablename__  # type: ignore[attr-defined]
    return f"SELECT id, deleted, {columns} FROM {table}", tuple(plan)


def _json_value(value: str | None) -> Any:
    return None if value is None else jsonfast.loads(value)


def local_sums(
    db: Any, kinds: Iterable[str], skip: set[tuple[str, str]] | None = None, ids: list[str] | None = None
) -> Sums:
    """``{record_type: [count, sum]}`` over this device's records of ``kinds``, leaving out ``skip``
    (only those of ``ids``, when given)."""
    sums: Sums = {}
    for kind in kinds:
        model = RECORD_TYPES[kind]
        select, readers = _hash_plan(model)
        if ids is not None:
            select = f"{select} WHERE id IN ({','.join('?' * len(ids))})"
        count = total = 0
        converted = [(i, read) for i, read in enumerate(readers) if read is not None]
        for row in db.execute(select, ids or ()):
            record_id = row[0]
            if skip and (kind, record_id) in skip:
                continue
            if row[1]:
                values = None
            else:
                values = list(row[2:])
                for i, read in converted:
                    values[i] = read(values[i])
            total += digest(kind, record_id, values)
            count += 1
        if count:
            sums[kind] = [count, total & MASK]
    return sums


def _unseen(
    db: Any, kind: str, seen: set[str], pending: set[tuple[str, str]], own_device: str
) -> tuple[list[str], list[str]]:
    """This device's records of ``kind`` a repair pull did not bring and that hold no unsent edit:
    (made elsewhere, made on this device)."""
    table = RECORD_TYPES[kind].__tablename__  # type: ignore[attr-defined]
    other: list[str] = []
    own: list[str] = []
    for record_id, device_id in db.execute(f"SELECT id, device_id FROM {table}"):
        if record_id not in seen and (kind, record_id) not in pending:
            (own if device_id == own_device else other).append(record_id)
    return other, own


def pending_keys(db: Any) -> set[tuple[str, str]]:
    """The records this device holds unsent edits of."""
    return {
        (kind, record_id)
        for kind, record_id in db.execute("SELECT DISTINCT record_type, record_id FROM outbox")
    }


@dataclass
class Outcome:
    state: str
    at: int | None = None
    repaired: list[str] = field(default_factory=list)
    evicted: int = 0
    mismatched: list[str] = field(default_factory=list)
    #: Per kind still differing: [the service's sums, this device's] (a repair is not repeated
    #: while both stay the same: it would change nothing).
    sums: dict[str, list[list[int]]] = field(default_factory=dict)


class Verify:
    """Compare after a pull, repair what differs (see the module's docstring)."""

    def __init__(self, store: Store, fetch_kinds: FetchKinds, fetch_hashes: FetchHashes) -> None:
        self.store = store
        self.fetch_kinds = fetch_kinds
        self.fetch_hashes = fetch_hashes
        #: Per kind found differing by the last ``differing``: [the service's sums, this device's].
        self.sums: dict[str, list[list[int]]] = {}

    def run(
        self, checksum: dict[str, Any] | None, pulled: dict[str, dict[str, int]] | None = None
    ) -> Outcome:
        """Compare with ``checksum`` and repair. ``pulled``: per record type whose table a first pull
        filled, its records' hashes as pulled (those types are summed from them, not read again)."""
        if not _valid(checksum):
            outcome = Outcome("unverified")
        else:
            assert checksum is not None
            differing = self.differing(checksum, pulled=pulled or {})
            before = checksum_state(self.store) or {}
            if not differing:
                outcome = Outcome("ok", checksum["at"])
            elif before.get("state") == "mismatch" and before.get("sums") == self.sums:
                # The same difference a repair already failed to mend (e.g. an edit the service
                # refused that this device keeps): reported again, not pulled again.
                outcome = Outcome("mismatch", checksum["at"], mismatched=differing, sums=self.sums)
            else:
                outcome = self.repair(differing)
        self.save(outcome)
        return outcome

    def differing(
        self,
        checksum: dict[str, Any],
        kinds: Iterable[str] | None = None,
        pulled: dict[str, dict[str, int]] | None = None,
    ) -> list[str]:
        """The record types whose sums differ from ``checksum``'s (``pulled``: see ``run``)."""
        theirs: Sums = {
            kind: list(value) for kind, value in checksum["kinds"].items() if kind in RECORD_TYPES
        }
        wanted = sorted(set(RECORD_TYPES) if kinds is None else set(kinds))
        pulled = pulled or {}
        with self.store.engine.connect() as conn, conn.begin():  # one snapshot of records and outbox
            db = raw(conn)
            pending = {key for key in pending_keys(db) if key[0] in RECORD_TYPES}
            mine = local_sums(db, [kind for kind in wanted if kind not in pulled], pending)
            for kind in wanted:
                if kind in pulled:
                    mine[kind] = _pulled_sums(db, kind, pulled[kind], pending)
        for kind, _record_id, value, _known in self._service_hashes(sorted(pending)):
            if value is not None and kind in theirs:
                theirs[kind][0] -= 1
                theirs[kind][1] = (theirs[kind][1] - value) & MASK
        differ = [kind for kind in wanted if mine.get(kind, [0, 0]) != theirs.get(kind, [0, 0])]
        self.sums = {kind: [theirs.get(kind, [0, 0]), mine.get(kind, [0, 0])] for kind in differ}
        return differ

    def _service_hashes(self, keys: list[tuple[str, str]]) -> list[tuple[str, str, int | None, bool]]:
        """The service's hash (None: not in this device's scope) of each record, and whether it
        holds the record at all."""
        found: list[tuple[str, str, int | None, bool]] = []
        for start in range(0, len(keys), HASHES_PER_REQUEST):
            part = keys[start : start + HASHES_PER_REQUEST]
            chunk = [{"record_type": kind, "id": rid} for kind, rid in part]
            answer = self.fetch_hashes(chunk)
            found.extend(
                (item["record_type"], item["id"], item.get("hash"), bool(item.get("known", True)))
                for item in answer["hashes"]
            )
        return found

    def repair(self, kinds: list[str]) -> Outcome:
        """Pull ``kinds`` again from the start, evict what the service did not send, compare again."""
        log.warning("checksum mismatch in %s: pulling them again", ", ".join(kinds))
        seen: dict[str, set[str]] = {kind: set() for kind in kinds}
        after = 0
        while True:
            page = Page.of(self.fetch_kinds(after, kinds))
            with self.store.write() as conn:
                db = raw(conn)
                contacts = merge_page(db, page.records)
                if contacts and not search.is_deferred(db):
                    self.store.reindex_contacts(conn, contacts)
            for record in page.records:
                if record["record_type"] in seen:
                    seen[record["record_type"]].add(record["id"])
            if not page.has_more:
                break
            after = page.cursor
        evicted = 0
        with self.store.engine.connect() as conn:
            db = raw(conn)
            pending = pending_keys(db)
            unsent = {kind: _unseen(db, kind, seen[kind], pending, self.store.device_id) for kind in kinds}
        # Records this device made that the service never took (a refused creation) stay: they are
        # the user's, and the refusal was shown. Any other record the service did not send leaves.
        never_taken = {
            (kind, rid)
            for kind, rid, _hash, known in self._service_hashes(
                sorted((kind, rid) for kind, (_other, own) in unsent.items() for rid in own)
            )
            if not known
        }
        with self.store.write() as conn:
            db = raw(conn)
            for kind, (other, own) in unsent.items():
                gone = [*other, *(rid for rid in own if (kind, rid) not in never_taken)]
                evicted += evict(db, RECORD_TYPES[kind], gone)
        if evicted:  # what left (residents of another team's area) leaves the WAL too
            scrub.checkpoint(self.store.engine)
        checksum = page.checksum
        if not _valid(checksum):
            return Outcome("unverified", repaired=kinds, evicted=evicted)
        assert checksum is not None
        still = self.differing(checksum, kinds)
        if still:
            log.warning("checksum still differs after a repair in %s", ", ".join(still))
            return Outcome("mismatch", checksum["at"], kinds, evicted, still, self.sums)
        return Outcome("repaired", checksum["at"], kinds, evicted)

    def save(self, outcome: Outcome) -> None:
        value = {
            "state": outcome.state,
            "at": outcome.at,
            "checked_at": datetime.now(UTC).isoformat(),
            "repaired": outcome.repaired,
            "evicted": outcome.evicted,
            "mismatched": outcome.mismatched,
            "sums": outcome.sums,
        }
        self.store.set_meta(K_CHECKSUM, json.dumps(value))


#: Records of a type a first pull filled whose stored rows are hashed again after it (``_pulled_sums``).
SPOT_CHECKS = 64


def _pulled_sums(db: Any, kind: str, hashes: dict[str, int], pending: set[tuple[str, str]]) -> list[int]:
    """A first pull's sums of ``kind`` from its records' hashes as pulled (the service's, for rows
    sent in columns); records written here meanwhile (pending) or without a row (a pulled record
    the merge skipped) are read instead, and so is every record when one of ``SPOT_CHECKS`` rows
    spread over the pull does not hash as pulled (rows stored otherwise than the records say)."""
    if len(hashes) != _row_count(db, kind) or not _spot_check(db, kind, hashes):
        return local_sums(db, [kind], pending).get(kind, [0, 0])
    mine = [i for k, i in pending if k == kind and i in hashes]
    total = sum(value for key, value in hashes.items()) - sum(hashes[i] for i in mine)
    return [len(hashes) - len(mine), total & MASK] if len(hashes) > len(mine) else [0, 0]


def _spot_check(db: Any, kind: str, hashes: dict[str, int]) -> bool:
    """Whether ``SPOT_CHECKS`` stored rows, spread over the pulled ones, sum as they were pulled."""
    ids = list(islice(hashes, 0, None, max(1, len(hashes) // SPOT_CHECKS)))
    pulled = [len(ids), sum(hashes[record_id] for record_id in ids) & MASK] if ids else [0, 0]
    return local_sums(db, [kind], ids=ids).get(kind, [0, 0]) == pulled


def _row_count(db: Any, kind: str) -> int:
    table = RECORD_TYPES[kind].__tablename__  # type: ignore[attr-defined]
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _valid(checksum: Any) -> bool:
    return (
        isinstance(checksum, dict)
        and type(checksum.get("at")) is int
        and isinstance(checksum.get("kinds"), dict)
        and all(
            isinstance(v, list) and len(v) == 2 and all(type(x) is int for x in v)
            for v in checksum["kinds"].values()
        )
    )


def checksum_state(store: Store) -> dict[str, Any] | None:
    """The last verification's outcome as saved (None: never verified)."""
    value = store.meta(K_CHECKSUM)
    return json.loads(value) if value else None
