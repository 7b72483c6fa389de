"""The device's sync engine: what the screens call (sync, enroll, status, conflicts, wipe).

A sync is its phases in order, each in its own module: push the outbox (``fieldapp.sync.push``),
upload the audit log (``fieldapp.sync.audit``), pull and merge (``fieldapp.sync.pull``,
``fieldapp.sync.apply``), then settle erasures that arrived; last the file lane moves photos and
scans (``fieldapp.sync.files``), whose failures never fail the records' sync. The network is a ``Transport``
(``fieldapp.sync.transport``; ``HttpTransport`` unless one is given), so the engine never sees
HTTP. What a failure means for the device is decided here: a revoked device wipes its data.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from fieldapp.services.rodo.erasure import settle_erasures
from fieldapp.store import outbox
from fieldapp.store.db import StorageFull, Store, raw
from fieldapp.store.wipe import K_UNFINISHED, finish_wipe, wipe
from fieldapp.sync import enrollment
from fieldapp.sync.audit import upload_audit
from fieldapp.sync.errors import SyncError
from fieldapp.sync.file_client import FileClient
from fieldapp.sync.files import FileLane
from fieldapp.sync.meta import (
    K_CURSOR,
    K_LAST_ERROR,
    K_LAST_PULL,
    K_LAST_PUSH,
    K_LAST_SUCCESS,
    K_MIN_APP,
    K_REQUEST_CODINGS,
    K_ROLE,
    K_SERVER,
    K_USER_NAME,
)
from fieldapp.sync.pull import Pull
from fieldapp.sync.push import KEEP_ON_REJECT, Push
from fieldapp.sync.receipt import FileReceipt, Progress, SyncReceipt
from fieldapp.sync.token_vault import FileTokenVault, TokenVault, move_between, move_out_of_store
from fieldapp.sync.transport import HttpTransport, Transport
from fieldapp.sync.verify import Verify, checksum_state
from sync.gc_tuning import fewer_collections
from sync.protocol import DEFAULT_PULL_PAGE, MAX_CHANGES_PER_BATCH, PULL_COLUMNS_PARAM, ConflictsResponse

log = logging.getLogger(__name__)

#: A phone clock off the service's by more than this gets a warning on screen (its stamps follow
#: the service's time anyway, but its dates, its reminders and a later sync without the service
#: would not).
CLOCK_WARNING_MS = 5 * 60 * 1000
#: A phone whose state did not change (times aside) reports it again after this long.
REPORT_EVERY_S = 600.0


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    server_url: str | None
    user_name: str | None
    role: str | None
    last_success_at: datetime | None
    last_error_code: str | None
    pending: int
    #: The service's clock minus the phone's, as last heard (None: never); see ``clock_warning``.
    clock_offset_ms: int | None = None
    #: The last checksum verification (``fieldapp.sync.verify``): ok, repaired, mismatch, unverified.
    checksum_state: str | None = None

    @property
    def clock_off_ms(self) -> int | None:
        """How far the phone's clock is off when that is worth a warning (more than
        ``CLOCK_WARNING_MS``): positive when the phone is behind, negative when ahead; else None."""
        offset = self.clock_offset_ms
        return offset if offset is not None and abs(offset) > CLOCK_WARNING_MS else None


class SyncEngine:
    """Syncs one device store with the service. Thread-safe: one sync at a time."""

    #: On the first pull, a page bringing at least this many records of a type whose table is empty
    #: starts a bulk load of that table (``fieldapp.store.bulk``; smaller loads gain nothing).
    bulk_min_records = 500

    def __init__(
        self,
        store: Store,
        transport: Transport | None = None,
        *,
        vault: TokenVault | None = None,
        batch_size: int = MAX_CHANGES_PER_BATCH,
        page_size: int = DEFAULT_PULL_PAGE,
    ) -> None:
        self.store = store
        self.transport: Transport = transport if transport is not None else HttpTransport()
        self.batch_size = min(batch_size, MAX_CHANGES_PER_BATCH)
        self.page_size = page_size
        self.lock = threading.Lock()
        #: The last state reported (``_report_state``) and when (monotonic seconds).
        self._reported: tuple[str, float] = ("", 0.0)
        #: The device token, kept outside the store (``fieldapp.sync.token_vault``).
        self.vault: TokenVault = vault if vault is not None else FileTokenVault.beside(store)
        #: Connections of the file lane (kept between syncs).
        self._file_session = requests.Session()
        move_out_of_store(store, self.vault)
        if store.meta(K_UNFINISHED):  # a wipe a reader held up: its traces leave the file now
            finish_wipe(store)

    # -- status and enrollment --------------------------------------------------------------

    def status(self) -> SyncStatus:
        last = self.store.meta(K_LAST_SUCCESS)
        return SyncStatus(
            enrolled=bool(self.vault.read()),
            server_url=self.store.meta(K_SERVER),
            user_name=self.store.meta(K_USER_NAME),
            role=self.store.meta(K_ROLE),
            last_success_at=datetime.fromisoformat(last) if last else None,
            last_error_code=self.store.meta(K_LAST_ERROR),
            pending=self.store.pending_changes(),
            clock_offset_ms=self.store.clock_offset_ms,
            checksum_state=(checksum_state(self.store) or {}).get("state"),
        )

    def enroll(self, text: str) -> SyncStatus:
        """Exchange the QR content (or ``sync_screen.enrollment_text``) for a device token."""
        with self.lock:
            enrollment.enroll(self.store, self.transport, self.vault, text)
            with self.store.write() as conn:
                self._remember_codings(conn)
        return self.status()

    def whoami(self) -> dict[str, Any]:
        """The service's view of this device (user, role, team); SyncError if it is not known."""
        with self.lock:
            answer = self.call("GET", "/v1/me")
        if isinstance(answer, dict) and type(answer.get("server_time_ms")) is int:
            self.store.adopt_service_time(answer["server_time_ms"])
        return answer  # type: ignore[no-any-return]

    def conflicts(self, after: int = 0, limit: int = 200) -> ConflictsResponse:
        """The program's conflict log (supervisors and admins; others get SyncError ``forbidden``)."""
        with self.lock:
            answer = self.call("GET", "/v1/conflicts", params={"after": after, "limit": limit})
        return ConflictsResponse.model_validate(answer)

    def program_users(self) -> list[dict[str, Any]]:
        """The program's users with a device (id, name, role, team), from the service's device list
        (supervisors and admins; others get SyncError ``forbidden``): whom a zone can be given to."""
        with self.lock:
            answer = self.call("GET", "/v1/devices")
        users: dict[str, dict[str, Any]] = {}
        for device in answer if isinstance(answer, list) else []:
            if isinstance(device, dict) and device.get("user_id") and not device.get("revoked_at"):
                users.setdefault(
                    str(device["user_id"]),
                    {
                        "id": str(device["user_id"]),
                        "name": str(device.get("user") or ""),
                        "role": str(device.get("role") or ""),
                        "team_id": device.get("team_id"),
                    },
                )
        return sorted(users.values(), key=lambda u: (u["name"].casefold(), u["id"]))

    def phones(self) -> list[dict[str, Any]]:
        """Every phone of the program as the service sees it (``sync.protocol.PhoneOut``; supervisors
        and admins, others get SyncError ``forbidden``)."""
        with self.lock:
            return self.call("GET", "/v1/phones")  # type: ignore[no-any-return]

    def move_to(self, server_url: str) -> None:
        """Talk to the same service at another address (e.g. the embedded one on a new port)."""
        self.store.set_meta(K_SERVER, server_url.rstrip("/"))

    def use_vault(self, vault: TokenVault) -> None:
        """Keep the token in ``vault`` from now on (e.g. the platform's secure storage once the app's
        page can reach it), moving it from where it was."""
        with self.lock:
            move_between(self.vault, vault)
            self.vault = vault

    def wipe(self) -> None:
        """Delete every record, the outbox, the search index, the sync settings and the token."""
        self.vault.erase()
        wipe(self.store)

    # -- sync -------------------------------------------------------------------------------

    def sync(self, progress: Progress | None = None) -> SyncReceipt:
        """Push everything waiting, then pull everything new. Raises SyncError (its code is saved)."""
        report = progress or (lambda _done, _total: None)
        with self.lock, fewer_collections():
            if not self.vault.read():
                raise SyncError("not_enrolled", "this device is not enrolled")
            receipt = SyncReceipt()
            try:
                codings = self._request_codings
                Push(self.store, self._send_batch, self.batch_size, receipt, report, codings).run()
                upload_audit(self)
                pull = Pull(self.store, self._fetch_page, receipt, report, self.bulk_min_records)
                pull.run()
                self._settle_erasures()
                verify = Verify(self.store, self._fetch_kinds, self._fetch_hashes)
                receipt.checksum = verify.run(pull.checksum, pull.pulled_hashes).state
                receipt.files = self._files()
                receipt.still_pending = self.store.pending_changes()
                with self.store.write() as conn:
                    done = datetime.now(UTC).isoformat()
                    self.store.set_meta(K_LAST_SUCCESS, done, conn)
                    self.store.set_meta(K_LAST_PULL, done, conn)
                    if receipt.pushed:
                        self.store.set_meta(K_LAST_PUSH, done, conn)
                    clock_problem = any(r.code in KEEP_ON_REJECT for r in receipt.rejected)
                    self.store.set_meta(K_LAST_ERROR, "clock_ahead" if clock_problem else None, conn)
                    self._remember_codings(conn)
            except StorageFull as exc:  # a pulled page or an outbox update did not fit: none of it kept
                self._note_error("storage_full")
                raise SyncError("storage_full", str(exc)) from exc
            except SyncError as exc:
                if exc.code == "device_revoked":
                    # Here, in the syncing thread, once the pushing or fetching thread has stopped.
                    self._revoked()
                self._note_error(exc.code)
                self._note_minimum(exc)
                raise
            self._report_state()
            return receipt

    def sync_files(self, *, now: float | None = None) -> FileReceipt:
        """Run the file lane alone (photos and scans, ``fieldapp.sync.files``); SyncError when the
        service cannot be reached at all is one file's failure, noted in its queue row."""
        with self.lock:
            return self._lane(now).run()

    def _lane(self, now: float | None = None) -> FileLane:
        server = self.store.meta(K_SERVER)
        if not server:
            raise SyncError("not_enrolled", "this device is not enrolled")
        timeout = getattr(self.transport, "timeout", 30.0)
        client = FileClient(server, self.vault.read() or "", session=self._file_session, timeout=timeout)
        return FileLane(self.store, client, now=now)

    def _files(self) -> FileReceipt | None:
        """The file lane after the records: whatever happens to a photo, the records' sync stands
        (a revoked device still stops here)."""
        try:
            return self._lane().run()
        except SyncError as exc:
            if exc.code == "device_revoked":
                raise
            log.warning("the file lane stopped: %s", exc.code)
        except StorageFull:
            raise
        except Exception:
            log.exception("the file lane failed; records are synced, files are tried again next time")
        return None

    def state_report(self) -> dict[str, Any]:
        """What this phone tells the service of itself (``sync.protocol.PhoneReport``)."""
        with self.store.engine.connect() as conn:
            db = raw(conn)
            pending = outbox.pending(db)
            oldest = outbox.oldest(db)
        checked = checksum_state(self.store) or {}
        cursor = self.store.meta(K_CURSOR)
        return {
            "last_push_at": self.store.meta(K_LAST_PUSH),
            "last_pull_at": self.store.meta(K_LAST_PULL),
            "pending": pending,
            "oldest_pending_at": f"{oldest.replace(' ', 'T')}+00:00" if oldest else None,
            "checksum_state": checked.get("state"),
            "checksum_at": checked.get("at"),
            "clock_offset_ms": self.store.clock_offset_ms,
            "cursor": int(cursor) if cursor else None,
        }

    def _report_state(self) -> None:
        """Tell the service this phone's state when it changed (times aside) or every
        ``REPORT_EVERY_S``: a request and a write on the service fewer for most syncs of a busy
        phone. Never fails the sync (the next sync tells again)."""
        report = self.state_report()
        times = ("last_push_at", "last_pull_at", "clock_offset_ms")
        changed = {k: v for k, v in report.items() if k not in times}
        offset = report["clock_offset_ms"]
        changed["clock_minutes"] = None if offset is None else round(offset / 60_000)
        key = json.dumps(changed, sort_keys=True)
        now = time.monotonic()
        if key == self._reported[0] and now - self._reported[1] < REPORT_EVERY_S:
            return
        try:
            self._request("POST", "/v1/state", json=report)
        except SyncError as exc:
            log.info("the phone's state was not reported: %s", exc.code)
            return
        self._reported = (key, now)

    def _send_batch(self, body: bytes, encoding: str) -> Any:
        return self._request("POST", "/v1/push", body=body, encoding=encoding)

    def _request_codings(self) -> frozenset[str]:
        """The request codings the service reads, as last heard (by this transport, else by an
        earlier sync: ``K_REQUEST_CODINGS``); none but gzip when it never said."""
        heard: frozenset[str] | None = getattr(self.transport, "request_codings", None)
        if heard is None:
            heard = frozenset((self.store.meta(K_REQUEST_CODINGS) or "").split())
        return heard

    def _remember_codings(self, conn: Any) -> None:
        """Keep what the transport heard of the request codings for the next sync's first batch."""
        heard: frozenset[str] | None = getattr(self.transport, "request_codings", None)
        if heard is not None:
            self.store.set_meta(K_REQUEST_CODINGS, " ".join(sorted(heard)), conn)

    def _fetch_page(self, after: int, columns: list[str] | None = None) -> Any:
        params: dict[str, Any] = {"after": after, "limit": self.page_size}
        if columns:  # a first pull's empty tables (``fieldapp.sync.pull``)
            params[PULL_COLUMNS_PARAM] = ",".join(columns)
        return self._request("GET", "/v1/pull", params=params)

    def _fetch_kinds(self, after: int, kinds: list[str]) -> Any:
        params = {"after": after, "limit": self.page_size, "kinds": ",".join(kinds)}
        return self._request("GET", "/v1/pull", params=params)

    def _fetch_hashes(self, keys: list[dict[str, str]]) -> Any:
        return self._request("POST", "/v1/hashes", json={"records": keys})

    def _settle_erasures(self) -> None:
        """Erasures that arrived, or notes about erased people written before they were heard of,
        are cleared (again) and purged from the file (RODO art. 17); never fails the sync."""
        try:
            settle_erasures(self.store)
        except StorageFull:
            raise
        except Exception:
            log.exception("settling erasures after a sync failed; the next sync tries again")

    def _note_minimum(self, exc: SyncError) -> None:
        """The app version the service asks for (``app_too_old``), for the sync screen to name."""
        minimum = exc.details.get("min_version")
        if exc.code == "app_too_old" and isinstance(minimum, str):
            self.store.set_meta(K_MIN_APP, minimum[:40])

    def _note_error(self, code: str) -> None:
        """Keep the last error code for the sync screen (not possible when the disk is full)."""
        try:
            self.store.set_meta(K_LAST_ERROR, code)
        except StorageFull:
            log.warning("storage full: the sync error code could not be saved")

    # -- the service ------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One exchange with the enrolled service under this device's token (``Transport.request``
        arguments). A revoked device is not wiped here: the push's and pull's threads use this, and
        ``sync`` wipes once they have stopped."""
        server = self.store.meta(K_SERVER)
        if not server:
            raise SyncError("not_enrolled", "this device is not enrolled")
        token = self.vault.read() or ""
        return self.transport.request(method, server.rstrip("/") + path, token=token, **kwargs)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One exchange with the enrolled service (``Transport.request`` arguments, e.g. ``json``,
        ``params``); the service saying this device was revoked wipes its data."""
        try:
            return self._request(method, path, **kwargs)
        except SyncError as exc:
            if exc.code == "device_revoked":
                self._revoked()
            raise

    def _revoked(self) -> None:
        log.warning("this device was revoked: wiping its data")
        server, token = self.store.meta(K_SERVER), self.vault.read()
        self.vault.erase()
        wipe(self.store)
        self.store.set_meta(K_LAST_ERROR, "device_revoked")  # so the sync screen can say why
        if server and token:  # the token's last use: the service learns the wipe is done
            try:
                self.transport.request("POST", server.rstrip("/") + "/v1/wiped", token=token, json={})
            except SyncError as exc:
                log.info("the wipe could not be confirmed to the service: %s", exc.code)
