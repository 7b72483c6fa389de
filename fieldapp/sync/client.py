"""The device side of sync: enrollment, outbox → batches, pull pages → local store, background loop.

Exactly-once push: before a batch is sent its id and outbox sequence numbers are saved in the
store's meta (``sync.inflight``). After a crash or a lost response the same rows are sent again under
the same ``batch_id``, which the service answers from its stored result. Outbox rows are removed
only once acknowledged, and only the rows that were in the batch: an edit made while the batch was
in flight has a newer outbox row and is pushed next time.

Pull: pages after the stored cursor are merged with field-level last-writer-wins (the same rules as
the service, see ``sync.server.merge``) and the cursor is saved in the same transaction as the page.
Remote changes write no outbox rows. Only HLCs decide, never the phone's wall clock. A device that
had seen everything skips pulling back its own changes when the service stored them as sent.
A device's first pull loads the tables it finds empty in bulk: their secondary indexes, search and
map rows are built once after the last page (``fieldapp.sync.apply``, ``fieldapp.store.bulk``).

Rejected changes: ``clock_ahead`` HLCs are pulled back to the service's time and sent again
(``restamp_future``); ``missing_fields`` (the service lacks the record) queues the whole record;
other rejections (``out_of_scope``, ``invalid_value``…) are final: the outbox row goes, the receipt
lists it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from typing import Any
from urllib.parse import parse_qs, urlparse

import orjson
import requests

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import RECORD_TYPES
from fieldapp.services.rodo.erasure import settle_erasures
from fieldapp.store import bulk, codec, search
from fieldapp.store.db import StorageFull, Store, raw
from fieldapp.sync.apply import (  # noqa: F401  (the merge's parts were here first; tests use them)
    _merge_into,
    _merge_type,
    _new_row,
    _wire_defaults,
    _writable,
    merge_page,
)
from fieldapp.sync.audit import upload_audit
from fieldapp.sync.outgoing import Groups, group_outbox, read_changes
from sync import hlc
from sync.gc_tuning import fewer_collections
from sync.protocol import (
    DEFAULT_PULL_PAGE,
    MAX_CHANGES_PER_BATCH,
    PROTOCOL_VERSION,
    ConflictsResponse,
    PushResponse,
    RejectCode,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# Keys in the store's meta table.
K_SERVER = "sync.server_url"
K_TOKEN = "sync.token"
K_CURSOR = "sync.cursor"
K_INFLIGHT = "sync.inflight"
K_LAST_SUCCESS = "sync.last_success_at"
K_LAST_ERROR = "sync.last_error_code"
K_USER_NAME = "sync.user_name"
K_ROLE = "sync.role"
K_TEAM = "sync.team_id"
K_MODEL = "sync.model"

#: Push bodies. zlib's levels 1-3 share its fast strategy: a batch of the benchmark's visits gets
#: 66 bytes a visit at level 3 in ~2.4 µs, 58 at level 6 in ~6 µs (tests/benchmarks/sync.py data).
GZIP_LEVEL = 3
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib writes the gzip header and trailer
#: Outbox rows read at a time: ten full batches of single-row records (a record whose rows span two
#: windows is sent twice, which changes nothing).
OUTBOX_WINDOW = 10 * MAX_CHANGES_PER_BATCH
#: Rejections worth retrying later (the change stays in the outbox); all others are dropped.
_KEEP_ON_REJECT = frozenset({RejectCode.CLOCK_AHEAD.value})


class SyncError(Exception):
    """A sync failure with a stable ``code`` (the app shows ``sync.error.<code>``)."""

    def __init__(
        self,
        code: str,
        message: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.status = status
        self.retry_after = retry_after
        self.details = details or {}


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str | None
    user_name: str | None
    role: str | None
    last_success_at: datetime | None
    last_error_code: str | None
    pending: int


@dataclass(frozen=True)
class Rejection:
    record_type: str
    id: str
    code: str


@dataclass
class SyncReceipt:
    """What one sync did: counts, and the changes the service refused (with why)."""

    pushed: int = 0
    applied: int = 0
    merged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    pulled: int = 0
    still_pending: int = 0
    batches: int = 0


def parse_enrollment(text: str) -> tuple[str, str]:
    """``(server_url, code)`` from ``teren://enroll?server=…&code=…``; SyncError otherwise."""
    value = text.strip()
    parsed = urlparse(value)
    if parsed.scheme.lower() != "teren" or parsed.netloc.lower() != "enroll":
        raise SyncError("enrollment_invalid", "not an enrollment code")
    query = parse_qs(parsed.query)
    server = (query.get("server") or [""])[0].strip().rstrip("/")
    code = (query.get("code") or [""])[0].strip()
    if not code:
        raise SyncError("enrollment_invalid", "the enrollment code is missing")
    if not server:
        raise SyncError("server_required", "the server address is missing")
    if not server.lower().startswith(("http://", "https://")):
        server = "https://" + server
    return server, code


class SyncClient:
    """Talks to the sync service for one device store. Thread-safe: one sync at a time."""

    #: On the first pull, a page bringing at least this many records of a type whose table is empty
    #: starts a bulk load of that table (``fieldapp.store.bulk``; smaller loads gain nothing).
    bulk_min_records = 500

    def __init__(
        self,
        store: Store,
        *,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        batch_size: int = MAX_CHANGES_PER_BATCH,
        page_size: int = DEFAULT_PULL_PAGE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.http = session or requests.Session()
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.batch_size = min(batch_size, MAX_CHANGES_PER_BATCH)
        self.page_size = page_size
        self.sleep = sleep
        self.lock = threading.Lock()

    # -- status and enrollment --------------------------------------------------------------

    def status(self) -> SyncStatus:
        last = self.store.meta(K_LAST_SUCCESS)
        return SyncStatus(
            enrolled=bool(self.store.meta(K_TOKEN)),
            server_url=self.store.meta(K_SERVER),
            user_name=self.store.meta(K_USER_NAME),
            role=self.store.meta(K_ROLE),
            last_success_at=datetime.fromisoformat(last) if last else None,
            last_error_code=self.store.meta(K_LAST_ERROR),
            pending=self.store.pending_changes(),
        )

    def enroll(self, text: str) -> SyncStatus:
        """Exchange the QR content (or ``sync_screen.enrollment_text``) for a device token."""
        server, code = parse_enrollment(text)
        body = {
            "protocol": PROTOCOL_VERSION,
            "code": code,
            "device_id": self.store.device_id,
            "device_name": "Teren",
        }
        with self.lock:
            answer = self._call("POST", server, "/v1/enroll", json_body=body, auth=False)
            with self.store.write() as conn:
                self.store.set_meta(K_SERVER, server, conn)
                self.store.set_meta(K_TOKEN, answer["token"], conn)
                self.store.set_meta(K_USER_NAME, answer.get("user_name") or "", conn)
                self.store.set_meta(K_ROLE, answer.get("role") or "", conn)
                self.store.set_meta(K_TEAM, answer.get("team_id"), conn)
                self.store.set_meta(K_LAST_ERROR, None, conn)
                # A new enrollment is a new device on the service: pull everything again, and do not
                # replay a batch id the service keeps under the old device.
                self.store.set_meta(K_CURSOR, None, conn)
                self.store.set_meta(K_INFLIGHT, None, conn)
                self.store.set_meta(K_MODEL, model_signature(), conn)
                self.store.set_user(answer["user_id"], conn)
        return self.status()

    def whoami(self) -> dict[str, Any]:
        """The service's view of this device (user, role, team); SyncError if it is not known."""
        with self.lock:
            return self._call("GET", self._server(), "/v1/me")

    def conflicts(self, after: int = 0, limit: int = 200) -> ConflictsResponse:
        """The program's conflict log (supervisors and admins; others get SyncError ``forbidden``)."""
        with self.lock:
            return ConflictsResponse.model_validate(
                self._call("GET", self._server(), "/v1/conflicts", params={"after": after, "limit": limit})
            )

    def move_to(self, server_url: str) -> None:
        """Talk to the same service at another address (e.g. the embedded one on a new port)."""
        self.store.set_meta(K_SERVER, server_url.rstrip("/"))

    # -- sync -------------------------------------------------------------------------------

    def sync(self, progress: Progress | None = None) -> SyncReceipt:
        """Push everything waiting, then pull everything new. Raises SyncError (its code is saved)."""
        report = progress or (lambda _done, _total: None)
        with self.lock, fewer_collections():
            if not self.store.meta(K_TOKEN):
                raise SyncError("not_enrolled", "this device is not enrolled")
            receipt = SyncReceipt()
            try:
                self._push(receipt, report)
                upload_audit(self)
                self._pull(receipt, report)
                self._settle_erasures()
                receipt.still_pending = self.store.pending_changes()
                with self.store.write() as conn:
                    self.store.set_meta(K_LAST_SUCCESS, datetime.now(UTC).isoformat(), conn)
                    clock_problem = any(r.code in _KEEP_ON_REJECT for r in receipt.rejected)
                    self.store.set_meta(K_LAST_ERROR, "clock_ahead" if clock_problem else None, conn)
            except StorageFull as exc:  # a pulled page or an outbox update did not fit: none of it kept
                self._note_error("storage_full")
                raise SyncError("storage_full", str(exc)) from exc
            except SyncError as exc:
                self._note_error(exc.code)
                raise
            return receipt

    def _settle_erasures(self) -> None:
        """Erasures that arrived, or notes about erased people written before they were heard of,
        are cleared (again) and purged from the file (RODO art. 17); never fails the sync."""
        try:
            settle_erasures(self.store)
        except StorageFull:
            raise
        except Exception:
            log.exception("settling erasures after a sync failed; the next sync tries again")

    def _note_error(self, code: str) -> None:
        """Keep the last error code for the sync screen (not possible when the disk is full)."""
        try:
            self.store.set_meta(K_LAST_ERROR, code)
        except StorageFull:
            log.warning("storage full: the sync error code could not be saved")

    # push ------------------------------------------------------------------------------------

    def _push(self, receipt: SyncReceipt, report: Progress) -> None:
        """Send the outbox in batches until nothing is left but what must wait (``clock_ahead``).

        Each pass reads the outbox a window at a time, not once per batch; a pass ends early when
        the batch size must shrink (413) or forbidden changes were dropped (403), and the next pass
        picks up what one left: records sent again after restamping, records the service lacked.
        While one batch travels and the service applies it, the next one is read and encoded, the
        next window read included, so the service never waits for the device between batches
        (one batch in flight at a time: exactly-once needs nothing more).
        """
        state = _PushState(total=self.store.pending_changes(), limit=self.batch_size)
        with ThreadPoolExecutor(1, thread_name_prefix="teren-push") as poster:
            while True:  # passes over the outbox until one finds nothing to send
                batches = self._cut(state)
                first = next(batches, None)
                if first is None:
                    return
                self._push_round(chain([first], batches), state, receipt, report, poster)

    def _cut(self, state: _PushState) -> Iterator[tuple[str, Groups]]:
        """One pass over the outbox as batches, read a window at a time as they are needed: the next
        window is read and grouped while the batch before it travels (a phone may hold a big one)."""
        position, resume = 0, True
        while True:
            rows, last = self._outbox_rows(state.kept, position)
            if last is None:
                return
            yield from self._batches(rows, state.limit, resume=resume)
            position, resume = last, False

    def _push_round(
        self,
        batches: Iterator[tuple[str, Groups]],
        state: _PushState,
        receipt: SyncReceipt,
        report: Progress,
        poster: ThreadPoolExecutor,
    ) -> bool:
        """Push ``batches``; False when the rest must be cut anew (a smaller size, rows dropped).

        An answered batch is settled (its outbox rows removed) after the next one is on its way, so
        the service is not idle meanwhile; both stay named in ``sync.inflight`` until then.
        """
        batch = self._prepare(next(batches, None))
        cursor = int(self.store.meta(K_CURSOR) or 0)
        answered: _Answered | None = None
        while batch is not None:
            sending = None
            if batch.changes:
                self._mark_inflight([*([answered.batch] if answered else []), batch])
                sending = poster.submit(self._post, batch, cursor)
            if answered is not None:
                self._settle(answered, state, receipt)
                report(receipt.pushed, max(state.total, receipt.pushed))
            following = self._prepare(next(batches, None))  # while this one travels
            try:
                answer = sending.result() if sending is not None else None
            except SyncError as exc:
                if exc.code == "device_revoked":
                    self._revoked()
                if not self._recover(exc, batch.groups, state, receipt):
                    raise
                return False
            answered = _Answered(batch, PushResponse.model_validate(answer) if answer else None, cursor)
            cursor = answered.cursor_after
            batch = following
        if answered is not None:
            self._settle(answered, state, receipt)
            report(receipt.pushed, max(state.total, receipt.pushed))
        return True

    def _mark_inflight(self, batches: list[_Batch]) -> None:
        """Name the batches sent and not yet settled: after a crash they go again, same ids first."""
        saved = [{"batch_id": batch.batch_id, "seqs": batch.seqs} for batch in batches]
        self.store.set_meta(K_INFLIGHT, json.dumps(saved))

    def _prepare(self, batch: tuple[str, Groups] | None) -> _Batch | None:
        """A batch's changes read from the records now, encoded and gzipped as far as they can be
        before it is sent: all but the cursor, which the previous batch's answer may move."""
        if batch is None:
            return None
        batch_id, groups = batch
        changes = self._wire_changes(groups)
        seqs = [s for g in groups.values() for s in g["seqs"]]
        envelope = orjson.dumps({"protocol": PROTOCOL_VERSION, "batch_id": batch_id, "compact": True})
        packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
        packed = packer.compress(b"%s,\"changes\":%s" % (envelope[:-1], orjson.dumps(changes)))
        return _Batch(batch_id, groups, seqs, len(changes), packer, packed)

    def _post(self, batch: _Batch, cursor: int) -> dict[str, Any]:
        """Send one batch (in the pushing thread: the wait leaves the syncing thread free)."""
        packer = batch.packer.copy()  # the batch stays sendable again
        payload = batch.packed + packer.compress(b',"cursor":%d}' % cursor) + packer.flush()
        return self._call(  # type: ignore[no-any-return]
            "POST", self._server(), "/v1/push", data=payload, gzipped=True, wipe_if_revoked=False
        )

    def _recover(
        self,
        exc: SyncError,
        groups: Groups,
        state: _PushState,
        receipt: SyncReceipt,
    ) -> bool:
        """After a refused batch: True if the rest can be sent again after cutting it anew."""
        if exc.status == 413 and len(groups) > 1:
            # Refused before anything was applied: send the same changes in smaller batches.
            self.store.set_meta(K_INFLIGHT, None)
            state.limit = max(1, len(groups) // 2)
            return True
        if exc.status == 403 and exc.code == "forbidden" and exc.details.get("changes"):
            self._drop_forbidden(groups, exc.details["changes"], receipt)
            return True
        return False

    def _outbox_rows(self, kept: set[int], after: int) -> tuple[list[tuple[int, str, str, str]], int | None]:
        """The next window of outbox rows after seq ``after`` (kept rows left out), and the last
        seq it read (None: nothing after ``after``)."""
        with self.store.engine.connect() as conn:
            rows = raw(conn).execute(
                "SELECT seq, record_type, record_id, fields FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                (after, OUTBOX_WINDOW),
            ).fetchall()
        if not rows:
            return [], None
        return [row for row in rows if row[0] not in kept], rows[-1][0]

    def _batches(
        self, rows: list[tuple[int, str, str, str]], limit: int, *, resume: bool = True
    ) -> Iterator[tuple[str, Groups]]:
        """New batches of ``limit`` records; with ``resume`` (the first window of a pass), the
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
        for start in range(0, len(keys), limit):
            yield uuid.uuid4().hex, {key: groups[key] for key in keys[start : start + limit]}

    def _drop_forbidden(
        self, groups: Groups, refused: list[Any], receipt: SyncReceipt
    ) -> None:
        """The service refused the batch for changes this user's role may not make (nothing was
        applied): those leave the outbox (the receipt lists them), the rest is sent again."""
        keys = {
            (str(item.get("record_type")), str(item.get("id"))) for item in refused if isinstance(item, dict)
        }
        seqs = [s for key in keys & groups.keys() for s in groups[key]["seqs"]]
        receipt.rejected.extend(
            Rejection(kind, record_id, RejectCode.FORBIDDEN.value) for kind, record_id in keys
        )
        with self.store.write() as conn:
            _remove_from_outbox(raw(conn), seqs)
            self.store.set_meta(K_INFLIGHT, None, conn)

    def _settle(self, answered: _Answered, state: _PushState, receipt: SyncReceipt) -> None:
        """Remove what the service took from the outbox; keep, restamp or refill the rest."""
        groups, response = answered.batch.groups, answered.response
        results = response.results if response else []
        keep: set[tuple[str, str]] = set()
        retry: set[tuple[str, str]] = set()
        new_refill: list[tuple[str, str]] = []
        if response is not None and response.applied is not None:
            receipt.applied += response.applied
        for result in results:
            key = (result.record_type, result.id)
            if result.code == RejectCode.CLOCK_AHEAD and key not in state.restamped:
                retry.add(key)  # pulled back to the service's time below and sent again
            elif result.code == RejectCode.MISSING_FIELDS and key not in state.refill:
                state.refill.add(key)  # e.g. the service was restored from an older backup
                new_refill.append(key)
            elif result.status == "rejected":
                receipt.rejected.append(Rejection(result.record_type, result.id, result.code or ""))
                if result.code in _KEEP_ON_REJECT:
                    keep.add(key)
            elif result.status == "merged":
                receipt.merged += 1
            else:
                receipt.applied += 1
        receipt.pushed += answered.batch.changes - len(retry) - len(new_refill)
        receipt.batches += 1
        done_seqs = [s for key, g in groups.items() if key not in keep | retry for s in g["seqs"]]
        state.kept.update(s for key in keep for s in groups[key]["seqs"])
        with self.store.write() as conn:
            db = raw(conn)
            _remove_from_outbox(db, done_seqs)
            self._unmark_inflight(answered.batch.batch_id, conn)
            if answered.cursor_after != answered.cursor:
                self.store.set_meta(K_CURSOR, str(answered.cursor_after), conn)
            if retry:
                restamp_future(
                    db, sorted(retry), response.server_time_ms if response else 0, self.store.clock.node
                )
                state.restamped.update(retry)
            if new_refill:
                stamp = (self.store.clock.last(), codec.to_sqlite_datetime(datetime.now(UTC)))
                db.executemany(
                    "INSERT INTO outbox (record_type, record_id, fields, hlc, created_at) "
                    "VALUES (?, ?, '[\"*\"]', ?, ?)",
                    [(kind, record_id, *stamp) for kind, record_id in new_refill],
                )

    def _unmark_inflight(self, batch_id: str, conn: Any) -> None:
        found = raw(conn).execute("SELECT value FROM meta WHERE key = ?", (K_INFLIGHT,)).fetchone()
        saved = json.loads(found[0]) if found else []
        left = [batch for batch in saved if batch["batch_id"] != batch_id] if isinstance(saved, list) else []
        self.store.set_meta(K_INFLIGHT, json.dumps(left) if left else None, conn)

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

    # pull ------------------------------------------------------------------------------------

    def _pull(self, receipt: SyncReceipt, report: Progress) -> None:
        """Pull pages after the stored cursor; the next page is fetched while this one is merged."""
        signature = model_signature()
        if self.store.meta(K_MODEL) != signature:
            # This app knows other record types or fields than when the cursor advanced: what it
            # skipped then may matter now, so pull everything again (merging is idempotent).
            with self.store.write() as conn:
                self.store.set_meta(K_CURSOR, None, conn)
                self.store.set_meta(K_MODEL, signature, conn)
        cursor = int(self.store.meta(K_CURSOR) or 0)
        bulk_min = self.bulk_min_records if cursor == 0 else None  # only the first pull
        server = self._server()
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="teren-pull") as fetcher:
                page = self._page(server, cursor)
                while True:
                    upcoming = fetcher.submit(self._page, server, page.cursor) if page.has_more else None
                    try:
                        self._merge_page(page, bulk_min)
                    except BaseException:
                        if upcoming is not None:
                            upcoming.cancel()  # or wait for it (leaving the pool): never merged
                        raise
                    receipt.pulled += len(page.records)
                    done = receipt.pushed + receipt.pulled
                    report(done, done + (1 if page.has_more else 0))
                    if upcoming is None:
                        self.store.finish_bulk()
                        return
                    page = upcoming.result()
        except SyncError as exc:
            if exc.code == "device_revoked":
                self._revoked()  # here, not in the fetching thread: no page is being merged now
            raise

    def _page(self, server: str, after: int) -> _Page:
        answer = self._call(
            "GET", server, "/v1/pull", params={"after": after, "limit": self.page_size}, wipe_if_revoked=False
        )
        return _Page.of(answer)

    def _merge_page(self, page: _Page, bulk_min: int | None = None) -> None:
        """Merge a page and move the cursor past it, in one transaction."""
        with self.store.write() as conn:
            contacts = merge_page(raw(conn), page.records, bulk_min=bulk_min)
            if contacts and not search.is_deferred(raw(conn)):
                self.store.reindex_contacts(conn, contacts)
            self.store.set_meta(K_CURSOR, str(page.cursor), conn)
        newest = _newest_hlc(page.records)
        if newest:
            self.store.clock.observe(newest)

    # -- revocation -------------------------------------------------------------------------

    def wipe(self) -> None:
        """Delete every record, the outbox, the search index and the sync settings from the device."""
        wipe_store(self.store)

    def _revoked(self) -> None:
        log.warning("this device was revoked: wiping its data")
        wipe_store(self.store)
        self.store.set_meta(K_LAST_ERROR, "device_revoked")  # so the sync screen can say why

    # -- HTTP -------------------------------------------------------------------------------

    def _server(self) -> str:
        server = self.store.meta(K_SERVER)
        if not server:
            raise SyncError("not_enrolled", "this device is not enrolled")
        return server

    def _call(
        self,
        method: str,
        server: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        gzipped: bool = False,
        params: dict[str, Any] | None = None,
        auth: bool = True,
        wipe_if_revoked: bool = True,
    ) -> Any:
        """One request with retries (network errors, 5xx, 429: exponential backoff with jitter).

        ``wipe_if_revoked``: a revoked device's data is wiped here (callers in another thread pass
        False and leave that to the syncing thread)."""
        headers = {"Accept": "application/json", "User-Agent": f"teren-app/{PROTOCOL_VERSION}"}
        if auth:
            headers["Authorization"] = f"Bearer {self.store.meta(K_TOKEN) or ''}"
        if data is not None:
            headers["Content-Type"] = "application/json"
            if gzipped:
                headers["Content-Encoding"] = "gzip"
        url = server.rstrip("/") + path
        last: SyncError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self._delay(attempt, last))
            try:
                response = self.http.request(
                    method,
                    url,
                    json=json_body,
                    data=data,
                    params=params,
                    headers=headers,
                    timeout=self.timeout,
                )
            except requests.Timeout as exc:
                last = SyncError("timeout", str(exc))
                continue
            except requests.RequestException as exc:
                last = SyncError("offline", str(exc))
                continue
            if response.status_code < 400:
                try:
                    return orjson.loads(response.content)
                except ValueError:
                    last = SyncError("bad_response", "the server's answer is not JSON")
                    continue
            code, message, details = _error_of(response)
            if response.status_code == 429 or response.status_code >= 500:
                fallback = "rate_limited" if response.status_code == 429 else "server_error"
                last = SyncError(code or fallback, message, response.status_code, _retry_after(response))
                continue
            if code == "device_revoked" and wipe_if_revoked:
                self._revoked()
            raise SyncError(
                code or f"http_{response.status_code}", message, response.status_code, details=details
            )
        assert last is not None
        raise last

    def _delay(self, attempt: int, last: SyncError | None) -> float:
        cap = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        if last is not None and last.retry_after:
            return min(self.max_backoff, last.retry_after)
        return cap * (0.5 + random.random() / 2)


def model_signature() -> str:
    """A fingerprint of the record types and fields this app version knows."""
    known = {name: sorted(model.data_fields()) for name, model in sorted(RECORD_TYPES.items())}
    return hashlib.sha256(json.dumps(known).encode()).hexdigest()[:16]


def _error_of(response: requests.Response) -> tuple[str | None, str, dict[str, Any]]:
    """An error answer's code, message and other keys (e.g. the changes a 403 push refused)."""
    try:
        body = orjson.loads(response.content)
    except ValueError:
        return None, response.text[:200], {}
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        details = {k: v for k, v in body.items() if k not in ("code", "message")}
        return body["code"], str(body.get("message") or ""), details
    return None, "", {}


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


@dataclass(frozen=True, slots=True)
class _Batch:
    """A batch read and encoded, ready to send."""

    batch_id: str
    groups: Groups
    seqs: list[int]
    #: How many changes it holds (records gone from the device have none).
    changes: int
    #: The push body as gzip, all but its end: ``packed`` is the output so far, ``packer`` the
    #: compressor that takes the cursor and closes the body.
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


@dataclass
class _PushState:
    """What one push run remembers between its batches."""

    total: int
    limit: int
    #: Outbox rows kept for a later sync (e.g. ``clock_ahead`` after a restamp).
    kept: set[int] = field(default_factory=set)
    restamped: set[tuple[str, str]] = field(default_factory=set)
    #: Records the service lacked, queued whole once.
    refill: set[tuple[str, str]] = field(default_factory=set)


def _remove_from_outbox(db: Any, seqs: list[int]) -> None:
    """Delete these outbox rows (one statement: ~1.5 µs a row instead of ~2.3 with executemany)."""
    listed = orjson.dumps(seqs).decode()
    db.execute("DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))", (listed,))


@dataclass(frozen=True, slots=True)
class _Page:
    """One pull answer (``sync.protocol.PullResponse``), its records as plain dicts."""

    records: list[dict[str, Any]]
    cursor: int
    has_more: bool

    @classmethod
    def of(cls, answer: Any) -> _Page:
        """The page if it has the shape the merge relies on; SyncError ``bad_response`` otherwise
        (checked by hand: pydantic took ~11 µs a record)."""
        try:
            records, cursor, has_more = answer["records"], answer["cursor"], answer["has_more"]
            ok = type(records) is list and type(cursor) is int and type(has_more) is bool
            ok = ok and all(_is_remote_record(record) for record in records)
        except (KeyError, TypeError):
            ok = False
        if not ok:
            raise SyncError("bad_response", "the server's pull answer has an unexpected shape")
        return cls(records, cursor, has_more)


_TEXT_OR_NONE = (str, type(None))


def _newest_hlc(records: list[dict[str, Any]]) -> str | None:
    """The greatest valid ``updated_hlc`` of the records (checked once, not once a record)."""
    newest = max((r["updated_hlc"] for r in records), default=None)
    if newest is None or hlc.is_valid(newest):
        return newest
    return max((r["updated_hlc"] for r in records if hlc.is_valid(r["updated_hlc"])), default=None)


def _is_remote_record(record: Any) -> bool:
    """Spelled out key by key: as loops over the keys this took 3x as long (~1.5 µs a record)."""
    if type(record) is not dict:
        return False
    get = record.get
    return (
        type(get("record_type")) is str
        and type(get("id")) is str
        and type(get("fields")) is dict
        and type(get("hlcs")) is dict
        and type(get("base_hlc")) is str
        and type(get("updated_hlc")) is str
        and type(get("deleted", False)) is bool
        and type(get("created_at")) in _TEXT_OR_NONE
        and type(get("author_id")) in _TEXT_OR_NONE
        and type(get("device_id")) in _TEXT_OR_NONE
    )


def restamp_future(db: Any, keys: list[tuple[str, str]], server_ms: int, node: str) -> None:
    """Pull HLCs that are ahead of the service's clock back to it (a phone whose clock runs ahead).

    The service refuses such HLCs (``clock_ahead``); left alone they would stay refused, and beat
    every honest edit, until real time caught up. They are replaced, in their original order, by
    HLCs at the service's time, so the device's own order of edits is kept.
    """
    rows: list[tuple[type[SyncedRecord], str, str, str, dict[str, str]]] = []
    future: set[str] = set()
    for record_type, record_id in keys:
        model = RECORD_TYPES.get(record_type)
        if model is None:
            continue
        found = db.execute(
            f"SELECT base_hlc, updated_hlc, field_hlcs FROM {model.__tablename__} WHERE id = ?",  # type: ignore[attr-defined]
            (record_id,),
        ).fetchone()
        if found is None:
            continue
        base, updated, stamps = found[0], found[1], json.loads(found[2] or "{}")
        rows.append((model, record_id, base, updated, stamps))
        candidates = (base, updated, *stamps.values())
        future.update(h for h in candidates if hlc.is_valid(h) and hlc.wall_ms(h) > server_ms)
    if not future:
        return
    span = hlc.MAX_COUNTER + 1
    mapping = {
        old: hlc.encode(server_ms + index // span, index % span, node)
        for index, old in enumerate(sorted(future))
    }
    for model, record_id, base, updated, stamps in rows:
        new_stamps = {name: mapping.get(value, value) for name, value in stamps.items()}
        db.execute(
            f"UPDATE {model.__tablename__} SET base_hlc = ?, updated_hlc = ?, field_hlcs = ? WHERE id = ?",  # type: ignore[attr-defined]
            (mapping.get(base, base), mapping.get(updated, updated), json.dumps(new_stamps), record_id),
        )


def wipe_store(store: Store) -> None:
    """Remove everything a revoked device holds: records, outbox, search index, sync settings, user."""
    with store.write() as conn:
        db = raw(conn)
        tables = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        virtual = [name for name, sql in tables if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
        for name, _sql in tables:
            if any(name.startswith(f"{v}_") for v in virtual):
                continue  # shadow tables of a virtual table: cleared through it
            if name == "meta":
                db.execute("DELETE FROM meta WHERE key != 'device_id'")
            elif name not in bulk.BOOKKEEPING_TABLES:
                db.execute(f'DELETE FROM "{name}"')
        bulk.finish(db)  # indexes a first pull had dropped come back (over empty tables)
        store.set_user(None, conn)
    with store.engine.connect() as conn:
        raw(conn).execute("PRAGMA wal_checkpoint(TRUNCATE)")


class AutoSync:
    """Background sync: soon after a local change (``request()``), when changes wait, and every
    ``interval`` seconds to pull. Failures back off exponentially (with jitter); nothing it does
    can crash the app. A revoked or unenrolled device stops the loop."""

    def __init__(
        self,
        client: SyncClient,
        *,
        interval: float = 300.0,
        poll: float = 30.0,
        min_delay: float = 2.0,
        max_backoff: float = 900.0,
    ) -> None:
        self.client = client
        self.interval = interval
        self.poll = poll
        self.min_delay = min_delay
        self.max_backoff = max_backoff
        self.failures = 0
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="teren-autosync", daemon=True)
            self._thread.start()

    def request(self) -> None:
        """Ask for a sync soon (after a local change)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        last_sync = 0.0
        delay = self.min_delay
        while not self._stop.is_set():
            requested = self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                due = time.monotonic() - last_sync >= self.interval
                if not (requested or due or self.client.store.pending_changes()):
                    delay = self.poll
                    continue
                self.client.sync()
                last_sync = time.monotonic()
                self.failures, self.last_error = 0, None
                delay = self.poll
            except SyncError as exc:
                self.last_error = exc.code
                if exc.code in ("device_revoked", "not_enrolled", "unauthorized"):
                    log.warning("automatic sync stops: %s", exc.code)
                    return
                delay = self._backoff()
            except Exception:
                log.exception("automatic sync failed")
                self.last_error = "unexpected"
                delay = self._backoff()

    def _backoff(self) -> float:
        self.failures += 1
        cap = min(self.max_backoff, self.min_delay * 2**self.failures)
        return cap * (0.5 + random.random() / 2)
