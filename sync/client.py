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

Rejected changes: ``clock_ahead`` HLCs are pulled back to the service's time and sent again
(``restamp_future``); ``missing_fields`` (the service lacks the record) queues the whole record;
other rejections (``out_of_scope``, ``invalid_value``…) are final: the outbox row goes, the receipt
lists it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
from sqlalchemy import select

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import RECORD_TYPES, to_wire
from fieldapp.rodo.erasure import settle_erasures
from fieldapp.store import codec
from fieldapp.store.db import StorageFull, Store, raw
from sync import hlc
from sync.protocol import (
    DEFAULT_PULL_PAGE,
    MAX_CHANGES_PER_BATCH,
    PROTOCOL_VERSION,
    Change,
    ConflictsResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    RejectCode,
    RemoteRecord,
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

#: Rejections worth retrying later (the change stays in the outbox); all others are dropped.
_KEEP_ON_REJECT = frozenset({RejectCode.CLOCK_AHEAD.value})


class SyncError(Exception):
    """A sync failure with a stable ``code`` (the app shows ``sync.error.<code>``)."""

    def __init__(
        self, code: str, message: str = "", status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.status = status
        self.retry_after = retry_after


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
        with self.lock:
            if not self.store.meta(K_TOKEN):
                raise SyncError("not_enrolled", "this device is not enrolled")
            receipt = SyncReceipt()
            try:
                self._push(receipt, report)
                __import__("sync.audit_upload").audit_upload.upload_audit(self)
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
        skipped: set[int] = set()  # rows kept for later in this run (e.g. clock_ahead)
        restamped: set[tuple[str, str]] = set()
        refill: set[tuple[str, str]] = set()  # the service lacks these records: send them whole
        total = self.store.pending_changes()
        limit = self.batch_size
        while True:
            batch_id, groups = self._next_batch(skipped, limit)
            if not groups:
                return
            changes = self._changes(groups)
            request = PushRequest(
                batch_id=batch_id,
                cursor=int(self.store.meta(K_CURSOR) or 0),
                changes=[c for c in changes if c is not None],
            )
            answer = None
            if request.changes:
                payload = gzip.compress(request.model_dump_json(exclude_defaults=False).encode(), 6)
                try:
                    answer = PushResponse.model_validate(
                        self._call("POST", self._server(), "/v1/push", data=payload, gzipped=True)
                    )
                except SyncError as exc:
                    if exc.status != 413 or len(groups) == 1:
                        raise
                    # Refused before anything was applied: send the same changes in smaller batches.
                    self.store.set_meta(K_INFLIGHT, None)
                    limit = max(1, len(groups) // 2)
                    continue
                results, server_ms = answer.results, answer.server_time_ms
            else:
                results, server_ms = [], 0
            keep: set[tuple[str, str]] = set()
            retry: set[tuple[str, str]] = set()
            new_refill: list[tuple[str, str]] = []
            for result in results:
                key = (result.record_type, result.id)
                if result.code == RejectCode.CLOCK_AHEAD and key not in restamped:
                    retry.add(key)  # pulled back to the service's time below and sent again
                elif result.code == RejectCode.MISSING_FIELDS and key not in refill:
                    refill.add(key)  # e.g. the service was restored from an older backup
                    new_refill.append(key)
                elif result.status == "rejected":
                    receipt.rejected.append(Rejection(result.record_type, result.id, result.code or ""))
                    if result.code in _KEEP_ON_REJECT:
                        keep.add((result.record_type, result.id))
                elif result.status == "merged":
                    receipt.merged += 1
                else:
                    receipt.applied += 1
            receipt.pushed += len(request.changes) - len(retry) - len(new_refill)
            receipt.batches += 1
            done_seqs = [s for key, g in groups.items() if key not in keep | retry for s in g["seqs"]]
            skipped.update(s for key in keep for s in groups[key]["seqs"])
            with self.store.write() as conn:
                db = raw(conn)
                db.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in done_seqs])
                self.store.set_meta(K_INFLIGHT, None, conn)
                if answer is not None and answer.exact and answer.seq_before == request.cursor:
                    # Nothing new but our own changes, stored as sent: no need to pull them back.
                    self.store.set_meta(K_CURSOR, str(answer.seq_after), conn)
                if retry:
                    restamp_future(db, sorted(retry), server_ms, self.store.clock.node)
                    restamped.update(retry)
                if new_refill:
                    stamp = (self.store.clock.last(), codec.to_sqlite_datetime(datetime.now(UTC)))
                    db.executemany(
                        "INSERT INTO outbox (record_type, record_id, fields, hlc, created_at) "
                        "VALUES (?, ?, '[\"*\"]', ?, ?)",
                        [(kind, record_id, *stamp) for kind, record_id in new_refill],
                    )
            report(receipt.pushed, max(total, receipt.pushed))

    def _next_batch(
        self, skipped: set[int], limit: int
    ) -> tuple[str, dict[tuple[str, str], dict[str, Any]]]:
        """The in-flight batch if one was left unacknowledged, else a new one (saved before sending)."""
        inflight = self.store.meta(K_INFLIGHT)
        with self.store.engine.connect() as conn:
            rows = raw(conn).execute(
                "SELECT seq, record_type, record_id, fields FROM outbox ORDER BY seq"
            ).fetchall()
        if inflight:
            saved = json.loads(inflight)
            wanted = set(saved["seqs"])
            chosen = [row for row in rows if row[0] in wanted]
            if chosen:
                return saved["batch_id"], _group(chosen, None)
            self.store.set_meta(K_INFLIGHT, None)
        groups = _group([row for row in rows if row[0] not in skipped], limit)
        if not groups:
            return "", {}
        batch_id = uuid.uuid4().hex
        seqs = [s for g in groups.values() for s in g["seqs"]]
        self.store.set_meta(K_INFLIGHT, json.dumps({"batch_id": batch_id, "seqs": seqs}))
        return batch_id, groups

    def _changes(self, groups: dict[tuple[str, str], dict[str, Any]]) -> list[Change | None]:
        by_type: dict[str, list[str]] = {}
        for record_type, record_id in groups:
            by_type.setdefault(record_type, []).append(record_id)
        records: dict[tuple[str, str], SyncedRecord] = {}
        with self.store.read() as session:
            for record_type, ids in by_type.items():
                model = RECORD_TYPES.get(record_type)
                if model is None:
                    continue
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    for rec in session.exec(select(model).where(model.id.in_(chunk))).scalars():  # type: ignore[attr-defined]
                        records[(record_type, rec.id)] = rec
        return [_change(records.get(key), key, group) for key, group in groups.items()]

    # pull ------------------------------------------------------------------------------------

    def _pull(self, receipt: SyncReceipt, report: Progress) -> None:
        signature = model_signature()
        if self.store.meta(K_MODEL) != signature:
            # This app knows other record types or fields than when the cursor advanced: what it
            # skipped then may matter now, so pull everything again (merging is idempotent).
            with self.store.write() as conn:
                self.store.set_meta(K_CURSOR, None, conn)
                self.store.set_meta(K_MODEL, signature, conn)
        cursor = int(self.store.meta(K_CURSOR) or 0)
        while True:
            page = PullResponse.model_validate(
                self._call(
                    "GET", self._server(), "/v1/pull", params={"after": cursor, "limit": self.page_size}
                )
            )
            with self.store.write() as conn:
                contacts = [r.id for r in page.records if self._apply(conn, r) and r.record_type == "contact"]
                if contacts:
                    self.store.reindex_contacts(conn, contacts)
                self.store.set_meta(K_CURSOR, str(page.cursor), conn)
            newest = max((r.updated_hlc for r in page.records if hlc.is_valid(r.updated_hlc)), default=None)
            if newest:
                self.store.clock.observe(newest)
            receipt.pulled += len(page.records)
            cursor = page.cursor
            done = receipt.pushed + receipt.pulled
            report(done, done + (1 if page.has_more else 0))
            if not page.has_more:
                return

    def _apply(self, conn: Any, remote: RemoteRecord) -> bool:
        """Merge one remote record into the store (no outbox row). True if anything changed."""
        model = RECORD_TYPES.get(remote.record_type)
        if model is None:
            return False  # a type this app version does not know
        return merge_remote(raw(conn), model, remote)

    # -- revocation -------------------------------------------------------------------------

    def wipe(self) -> None:
        """Delete every record, the outbox, the search index and the sync settings from the device."""
        wipe_store(self.store)

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
    ) -> Any:
        """One request with retries (network errors, 5xx, 429: exponential backoff with jitter)."""
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
                    method, url, json=json_body, data=data, params=params, headers=headers,
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
                    return response.json()
                except ValueError:
                    last = SyncError("bad_response", "the server's answer is not JSON")
                    continue
            code, message = _error_of(response)
            if response.status_code == 429 or response.status_code >= 500:
                fallback = "rate_limited" if response.status_code == 429 else "server_error"
                last = SyncError(code or fallback, message, response.status_code, _retry_after(response))
                continue
            if code == "device_revoked":
                log.warning("this device was revoked: wiping its data")
                wipe_store(self.store)
                self.store.set_meta(K_LAST_ERROR, code)  # so the sync screen can say why
            raise SyncError(code or f"http_{response.status_code}", message, response.status_code)
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


def _error_of(response: requests.Response) -> tuple[str | None, str]:
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:200]
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return body["code"], str(body.get("message") or "")
    return None, ""


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


def _group(rows: Iterable[tuple[Any, ...]], limit: int | None) -> dict[tuple[str, str], dict[str, Any]]:
    """Outbox rows grouped per record (at most ``limit`` records), with their fields and seqs."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for seq, record_type, record_id, names in rows:
        key = (record_type, record_id)
        group = groups.get(key)
        if group is None:
            if limit is not None and len(groups) >= limit:
                continue
            group = groups[key] = {"seqs": [], "names": set()}
        group["seqs"].append(seq)
        group["names"].update(json.loads(names))
    return groups


def _change(record: SyncedRecord | None, key: tuple[str, str], group: dict[str, Any]) -> Change | None:
    """The wire change of one record's outbox rows, values read from the record now."""
    if record is None:
        return None  # gone from the device (wiped); nothing to send
    model = type(record)
    full = "*" in group["names"]
    writable = (*model.data_fields(), "deleted")
    names = writable if full else [n for n in writable if n in group["names"]]
    return Change(
        record_type=key[0],
        id=key[1],
        op="delete" if record.deleted and "deleted" in names else "upsert",
        fields={name: to_wire(getattr(record, name)) for name in names},
        hlcs={name: record.field_hlc(name) for name in names},
        full=full,
        base_hlc=record.base_hlc,
        created_at=to_wire(record.created_at),
        author_id=record.author_id,
        device_id=record.device_id,
    )


def merge_remote(db: Any, model: type[SyncedRecord], remote: RemoteRecord) -> bool:
    """Field-level LWW of a remote record into the local table (sqlite3 connection ``db``).

    A value with the same HLC as the local one but a different content is taken too: one HLC is one
    write, so the local copy lacks it (a column this app version added after it pulled the record).
    """
    table = model.__tablename__  # type: ignore[attr-defined]
    names = [name for name in model.data_fields() if name in remote.fields]
    selected = ", ".join(("base_hlc", "updated_hlc", "field_hlcs", "deleted", *(f'"{n}"' for n in names)))
    local = db.execute(f"SELECT {selected} FROM {table} WHERE id = ?", (remote.id,)).fetchone()
    writable = (*model.data_fields(), "deleted")
    if local is None:
        values: dict[str, Any] = {}
        for name in model.data_fields():
            if name in remote.fields:
                values[name] = remote.fields[name]
            else:
                info = model.model_fields[name]
                if info.is_required():
                    log.warning("remote %s %s lacks required field %s", remote.record_type, remote.id, name)
                    return False
                values[name] = to_wire(info.get_default(call_default_factory=True))
        base = remote.base_hlc
        values.update(
            id=remote.id,
            created_at=remote.created_at or datetime.now(UTC).isoformat(),
            base_hlc=base,
            updated_hlc=remote.updated_hlc,
            field_hlcs={k: v for k, v in remote.hlcs.items() if v != base and k in writable},
            author_id=remote.author_id,
            device_id=remote.device_id,
            deleted=remote.deleted,
        )
        db.execute(codec.insert_sql(model), codec.row(model, values))
        return True
    base, updated, stamps_json, deleted = local[:4]
    stamps: dict[str, str] = json.loads(stamps_json) if stamps_json else {}
    changed: dict[str, Any] = {}
    convert = codec.converters(model)
    for name, mine in zip(names, local[4:], strict=True):
        theirs, ours = remote.hlcs.get(name, remote.base_hlc), stamps.get(name, base)
        if theirs > ours:
            changed[name] = remote.fields[name]
            stamps[name] = theirs
        elif theirs == ours and convert[name](remote.fields[name]) != mine:
            changed[name] = remote.fields[name]
    if remote.deleted and not deleted:  # tombstones are sticky
        changed["deleted"] = True
        stamps["deleted"] = max(remote.hlcs.get("deleted", remote.updated_hlc), stamps.get("deleted", base))
    if not changed:
        return False
    source = {**changed, "field_hlcs": stamps, "updated_hlc": max(updated, remote.updated_hlc)}
    columns = (*changed.keys(), "field_hlcs", "updated_hlc")
    db.execute(codec.update_sql(model, columns), [*codec.values(model, columns, source), remote.id])
    return True


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
            else:
                db.execute(f'DELETE FROM "{name}"')
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
