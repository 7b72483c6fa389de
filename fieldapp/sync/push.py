"""Push: the outbox to the service in batches, exactly once.

Before a batch is sent its id and outbox sequence numbers are saved in the store's meta
(``sync.inflight``). After a crash or a lost response the same rows are sent again under the same
``batch_id``, which the service answers from its stored result. Outbox rows are removed only once
acknowledged, and only the rows that were in the batch: an edit made while the batch was in flight
has a newer outbox row and is pushed next time.

Every answer's ``server_time_ms`` becomes the device's time (``Store.adopt_service_time``: HLCs of a
clock that ran far ahead are pulled back to it, after everything seen). Rejected changes:
``clock_ahead`` HLCs are pulled back to the service's time and sent again (``outbox.restamp``);
``missing_fields`` (the service lacks the record) queues the whole record (``outbox.refill``); other
rejections (``out_of_scope``, ``invalid_value``…) are final: the outbox row goes, the receipt lists it.

Bodies go as zstd where the device has it (Python 3.14's ``compression.zstd``, else the optional
``backports.zstd``) and the service said it reads it (``Accept-Encoding`` of its answers, RFC 7694,
remembered between syncs by the engine); gzip otherwise, which every service reads. A service that
refuses zstd all the same (415 ``bad_encoding``: an older version put back) gets the batch again in
gzip.
"""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from typing import Any

from fieldapp import jsonfast
from fieldapp.model.registry import RECORD_TYPES
from fieldapp.store import outbox
from fieldapp.store.db import Store, raw
from fieldapp.sync.errors import SyncError
from fieldapp.sync.meta import K_CURSOR, K_INFLIGHT
from fieldapp.sync.outgoing import Groups, group_outbox, read_changes
from fieldapp.sync.receipt import Problem, Progress, Rejection, SyncReceipt
from sync.protocol import MAX_CHANGES_PER_BATCH, PROTOCOL_VERSION, ErrorCode, PushResponse, RejectCode
from sync.zstd_module import zstd

#: Push bodies in gzip. zlib's levels 1-3 share its fast strategy: a batch of the benchmark's visits
#: gets 66 bytes a visit at level 3 in ~2.4 µs, 58 at level 6 in ~6 µs (tests/benchmarks/sync.py data).
GZIP_LEVEL = 3
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib writes the gzip header and trailer
#: Push bodies in zstd: level 1 packs the same batch to ~50 bytes a visit in ~0.6 µs (levels 3-9:
#: 50-55 bytes in 1-13 µs; gzip 9: 54 bytes in ~20 µs), and the service unpacks it faster too.
ZSTD_LEVEL = 1
#: Outbox rows read at a time: ten full batches of single-row records (a record whose rows span two
#: windows is sent twice, which changes nothing).
OUTBOX_WINDOW = 10 * MAX_CHANGES_PER_BATCH
#: Rejections worth retrying later (the change stays in the outbox); all others are dropped.
KEEP_ON_REJECT = frozenset({RejectCode.CLOCK_AHEAD.value})

#: Sends one packed push body in its content coding (``gzip``, ``zstd``), returns the service's
#: answer (``sync.protocol.PushResponse``).
Send = Callable[[bytes, str], Any]
#: The request codings the service said it reads (empty: it said nothing, gzip only).
Codings = Callable[[], frozenset[str]]


@dataclass(frozen=True, slots=True)
class _Batch:
    """A batch read and encoded, ready to send."""

    batch_id: str
    groups: Groups
    seqs: list[int]
    #: How many changes it holds (records gone from the device have none).
    changes: int
    #: The push body packed, all but its end (the cursor): ``packed`` is the output so far. gzip:
    #: ``packer`` is the compressor that takes the cursor and closes the body; zstd (``packer``
    #: None): ``packed`` is a whole frame and the end goes as a frame of its own (RFC 8878 allows
    #: several; ~26 bytes a batch).
    coding: str
    packer: Any
    packed: bytes


@dataclass(frozen=True, slots=True)
class _Answered:
    """A batch the service answered (``response`` None: it held no change to send), and the
    cursor it was sent with."""

    batch: _Batch
    response: PushResponse | None
    cursor: int

    @property
    def cursor_after(self) -> int:
        """The pull cursor after this answer: past our own changes when the service stored them
        as sent and nothing else came in between (no need to pull them back)."""
        response = self.response
        if response is not None and response.exact and response.seq_before == self.cursor:
            return response.seq_after
        return self.cursor


class Push:
    """One push: the outbox sent until nothing is left but what must wait (``clock_ahead``)."""

    def __init__(
        self,
        store: Store,
        send: Send,
        batch_size: int,
        receipt: SyncReceipt,
        report: Progress,
        codings: Codings = frozenset,
    ) -> None:
        self.store = store
        self.send = send
        self.codings = codings
        #: zstd was refused once (415): gzip for the rest of this push.
        self.gzip_only = zstd is None
        self.receipt = receipt
        self.report = report
        self.limit = batch_size
        self.total = store.pending_changes()
        #: Outbox rows kept for a later sync (e.g. ``clock_ahead`` after a restamp).
        self.kept: set[int] = set()
        self.restamped: set[tuple[str, str]] = set()
        #: Records the service lacked, queued whole once.
        self.refilled: set[tuple[str, str]] = set()

    def run(self) -> None:
        """Each pass reads the outbox a window at a time, not once per batch; a pass ends early when
        the batch size must shrink (413) or forbidden changes were dropped (403), and the next pass
        picks up what one left: records sent again after restamping, records the service lacked.
        While one batch travels and the service applies it, the next one is read and encoded, the
        next window read included, so the service never waits for the device between batches
        (one batch in flight at a time: exactly-once needs nothing more).
        """
        with ThreadPoolExecutor(1, thread_name_prefix="teren-push") as poster:
            while True:  # passes over the outbox until one finds nothing to send
                batches = self._cut()
                first = next(batches, None)
                if first is None:
                    return
                self._round(chain([first], batches), poster)

    # cutting ---------------------------------------------------------------------------------

    def _cut(self) -> Iterator[tuple[str, Groups]]:
        """One pass over the outbox as batches, read a window at a time as they are needed: the next
        window is read and grouped while the batch before it travels (a phone may hold a big one)."""
        position, resume = 0, True
        while True:
            rows, last = self._window(position)
            if last is None:
                return
            yield from self._batches(rows, resume=resume)
            position, resume = last, False

    def _window(self, after: int) -> tuple[list[outbox.Row], int | None]:
        """The next window of outbox rows after seq ``after`` (kept rows left out), and the last
        seq it read (None: nothing after ``after``)."""
        with self.store.engine.connect() as conn:
            rows = outbox.window(raw(conn), after, OUTBOX_WINDOW)
        if not rows:
            return [], None
        return [row for row in rows if row[0] not in self.kept], rows[-1][0]

    def _batches(self, rows: list[outbox.Row], *, resume: bool = True) -> Iterator[tuple[str, Groups]]:
        """New batches of ``self.limit`` records; with ``resume`` (the first window of a pass), the
        batches left unacknowledged before instead, if any (same ids, same rows). Later windows
        must not look: ``sync.inflight`` then names this pass's own batches, still travelling."""
        inflight = self.store.meta(K_INFLIGHT) if resume else None
        if inflight:
            saved = json.loads(inflight)
            found = False
            for batch in saved if isinstance(saved, list) else [saved]:  # one dict: older apps
                wanted = set(batch["seqs"])
                chosen = group_outbox([row for row in rows if row[0] in wanted])
                if chosen:
                    found = True
                    yield batch["batch_id"], chosen
            if found:
                return  # what follows is cut from a fresh read of the outbox
            self.store.set_meta(K_INFLIGHT, None)
        groups = group_outbox(rows)
        keys = list(groups)
        limit = self.limit
        for start in range(0, len(keys), limit):
            yield uuid.uuid4().hex, {key: groups[key] for key in keys[start : start + limit]}

    # sending ---------------------------------------------------------------------------------

    def _round(self, batches: Iterator[tuple[str, Groups]], poster: ThreadPoolExecutor) -> bool:
        """Push ``batches``; False when the rest must be cut anew (a smaller size, rows dropped).

        An answered batch is settled (its outbox rows removed) after the next one is on its way, so
        the service is not idle meanwhile; both stay named in ``sync.inflight`` until then.
        """
        receipt, report = self.receipt, self.report
        batch = self._prepare(next(batches, None))
        cursor = int(self.store.meta(K_CURSOR) or 0)
        answered: _Answered | None = None
        while batch is not None:
            sending = None
            if batch.changes:
                self._mark_inflight([*([answered.batch] if answered else []), batch])
                sending = poster.submit(self._post, batch, cursor)
            if answered is not None:
                self._settle(answered)
                report(receipt.pushed, max(self.total, receipt.pushed))
            following = self._prepare(next(batches, None))  # while this one travels
            try:
                answer = sending.result() if sending is not None else None
            except SyncError as exc:
                if not self._recover(exc, batch.groups):
                    raise
                return False
            answered = _Answered(batch, PushResponse.model_validate(answer) if answer else None, cursor)
            cursor = answered.cursor_after
            batch = following
        if answered is not None:
            self._settle(answered)
            report(receipt.pushed, max(self.total, receipt.pushed))
        return True

    def _mark_inflight(self, batches: list[_Batch]) -> None:
        """Name the batches sent and not yet settled: after a crash they go again, same ids first."""
        saved = [{"batch_id": batch.batch_id, "seqs": batch.seqs} for batch in batches]
        self.store.set_meta(K_INFLIGHT, json.dumps(saved))

    def _prepare(self, batch: tuple[str, Groups] | None) -> _Batch | None:
        """A batch's changes read from the records now, encoded and packed as far as they can be
        before it is sent: all but the cursor, which the previous batch's answer may move."""
        if batch is None:
            return None
        batch_id, groups = batch
        changes = self._wire_changes(groups)
        seqs = [s for g in groups.values() for s in g["seqs"]]
        envelope = jsonfast.dumps({"protocol": PROTOCOL_VERSION, "batch_id": batch_id, "compact": True})
        head = b"%s,\"changes\":%s" % (envelope[:-1], jsonfast.dumps(changes))
        if zstd is not None and not self.gzip_only and "zstd" in self.codings():
            return _Batch(batch_id, groups, seqs, len(changes), "zstd", None, zstd.compress(head, ZSTD_LEVEL))
        packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
        return _Batch(batch_id, groups, seqs, len(changes), "gzip", packer, packer.compress(head))

    def _wire_changes(self, groups: Groups) -> list[dict[str, Any]]:
        """The changes of a batch as wire dicts, values read from the records now (raw SQL: the
        ORM cost ~40 µs a record); records gone from the device are left out."""
        by_type: dict[str, list[str]] = {}
        for record_type, record_id in groups:
            by_type.setdefault(record_type, []).append(record_id)
        found: Groups = {}
        with self.store.engine.connect() as conn:
            db = raw(conn)
            for record_type, ids in by_type.items():
                model = RECORD_TYPES.get(record_type)
                if model is not None:
                    for change in read_changes(db, model, ids, groups):
                        found[(record_type, change["id"])] = change
        return [found[key] for key in groups if key in found]

    def _post(self, batch: _Batch, cursor: int) -> Any:
        """Send one batch (in the pushing thread: the wait leaves the syncing thread free)."""
        end = b',"cursor":%d}' % cursor
        if batch.packer is None:
            return self.send(batch.packed + zstd.compress(end, ZSTD_LEVEL), batch.coding)
        packer = batch.packer.copy()  # the batch stays sendable again
        return self.send(batch.packed + packer.compress(end) + packer.flush(), batch.coding)

    # answers ---------------------------------------------------------------------------------

    def _recover(self, exc: SyncError, groups: Groups) -> bool:
        """After a refused batch: True if the rest can be sent again after cutting it anew."""
        if exc.status == 415 and exc.code == ErrorCode.BAD_ENCODING and not self.gzip_only:
            # The service said it reads zstd, or did once, but refused it: the same batch in gzip.
            self.gzip_only = True
            return True
        if exc.status == 413 and len(groups) > 1:
            # Refused before anything was applied: send the same changes in smaller batches.
            self.store.set_meta(K_INFLIGHT, None)
            self.limit = max(1, len(groups) // 2)
            return True
        if exc.status == 403 and exc.code == "forbidden" and exc.details.get("changes"):
            self._drop_forbidden(groups, exc.details["changes"])
            return True
        return False

    def _drop_forbidden(self, groups: Groups, refused: list[Any]) -> None:
        """The service refused the batch for changes this user's role may not make (nothing was
        applied): those leave the outbox (the receipt lists them), the rest is sent again."""
        keys = {
            (str(item.get("record_type")), str(item.get("id"))) for item in refused if isinstance(item, dict)
        }
        seqs = [s for key in keys & groups.keys() for s in groups[key]["seqs"]]
        self.receipt.rejected.extend(
            Rejection(kind, record_id, RejectCode.FORBIDDEN.value) for kind, record_id in keys
        )
        with self.store.write() as conn:
            outbox.remove(raw(conn), seqs)
            self.store.set_meta(K_INFLIGHT, None, conn)

    def _settle(self, answered: _Answered) -> None:
        """Remove what the service took from the outbox; keep, restamp or refill the rest."""
        receipt = self.receipt
        groups, response = answered.batch.groups, answered.response
        results = response.results if response else []
        keep: set[tuple[str, str]] = set()
        retry: set[tuple[str, str]] = set()
        new_refill: list[tuple[str, str]] = []
        if response is not None and response.applied is not None:
            receipt.applied += response.applied
        for result in results:
            key = (result.record_type, result.id)
            if result.code == RejectCode.CLOCK_AHEAD and key not in self.restamped:
                retry.add(key)  # pulled back to the service's time below and sent again
            elif result.code == RejectCode.MISSING_FIELDS and key not in self.refilled:
                self.refilled.add(key)  # e.g. the service was restored from an older backup
                new_refill.append(key)
            elif result.status == "rejected":
                problems = tuple(Problem(e.field, e.code, e.params) for e in result.errors)
                receipt.rejected.append(Rejection(result.record_type, result.id, result.code or "", problems))
                if result.code in KEEP_ON_REJECT:
                    keep.add(key)
            elif result.status == "merged":
                receipt.merged += 1
            else:
                receipt.applied += 1
        receipt.pushed += answered.batch.changes - len(retry) - len(new_refill)
        receipt.batches += 1
        done_seqs = [s for key, g in groups.items() if key not in keep | retry for s in g["seqs"]]
        self.kept.update(s for key in keep for s in groups[key]["seqs"])
        if response is not None:  # stamps from the service's time on (and back from the future)
            self.store.adopt_service_time(response.server_time_ms)
        with self.store.write() as conn:
            db = raw(conn)
            outbox.remove(db, done_seqs)
            self._unmark_inflight(answered.batch.batch_id, conn)
            if answered.cursor_after != answered.cursor:
                self.store.set_meta(K_CURSOR, str(answered.cursor_after), conn)
            if retry:
                server_ms = response.server_time_ms if response else 0
                clock = self.store.clock
                outbox.restamp(db, sorted(retry), server_ms, clock.node, clock.seen())
                self.restamped.update(retry)
            if new_refill:
                outbox.refill(db, new_refill, self.store.clock.last())

    def _unmark_inflight(self, batch_id: str, conn: Any) -> None:
        found = raw(conn).execute("SELECT value FROM meta WHERE key = ?", (K_INFLIGHT,)).fetchone()
        saved = json.loads(found[0]) if found else []
        left = [batch for batch in saved if batch["batch_id"] != batch_id] if isinstance(saved, list) else []
        self.store.set_meta(K_INFLIGHT, json.dumps(left) if left else None, conn)
