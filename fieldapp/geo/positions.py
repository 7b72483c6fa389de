"""Positions of contacts: the geocoding queue, and the user's pick or pin.

A contact saved with an address and no position is marked ``position_status = "pending"`` and gets
a row in ``geocode_queue`` in the same transaction. ``GeocodeQueue.process`` asks the geocoder for
the due rows: one clear answer sets the position (``"ok"``) and the zone; several candidates, a
street without the house number, or nothing found mark it ``"failed"`` and keep the candidates for
the user to pick (``choose_place``) or to pin by hand (``set_position`` → ``"manual"``). Offline,
rate-limited or failing services leave the row pending with a growing back-off;
``QueueResolver`` keeps trying in the background and resolves the queue once the service answers.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from fieldapp.errors import NotFound
from fieldapp.geo.address import AddressQuery
from fieldapp.geo.distance import check_point
from fieldapp.geo.geocoding import (
    AMBIGUOUS,
    NOT_FOUND,
    OK,
    RATE_LIMITED,
    UNAVAILABLE,
    GeocodeResult,
    Geocoding,
    Place,
    blocked_for,
)
from fieldapp.geo.zones import assign_zone
from fieldapp.model import Contact, SyncedRecord, utcnow
from fieldapp.retry import delay
from fieldapp.store import Store
from fieldapp.store.codec import to_sqlite_datetime

log = logging.getLogger(__name__)

# Contact.position_status values.
POSITION_PENDING, POSITION_OK, POSITION_FAILED, POSITION_MANUAL = "pending", "ok", "failed", "manual"
# geocode_queue.state values.
QUEUE_PENDING = "pending"  # waiting for the geocoder
QUEUE_NEEDS_CHOICE = "needs_choice"  # several candidates / approximate: the user picks
QUEUE_NOT_FOUND = "not_found"  # nothing found: the user corrects the address or pins it
QUEUE_ERROR = "error"  # the service refused the query (bad query, forbidden): the user acts
ATTENTION_STATES = (QUEUE_NEEDS_CHOICE, QUEUE_NOT_FOUND, QUEUE_ERROR)

_ANSWER_STATE = {AMBIGUOUS: QUEUE_NEEDS_CHOICE, NOT_FOUND: QUEUE_NOT_FOUND}
#: Record types whose position the queue can resolve.
_MODELS: dict[str, type[SyncedRecord]] = {"contact": Contact}


@dataclass(frozen=True)
class QueueItem:
    id: int
    record_type: str
    record_id: str
    query: str
    state: str
    attempts: int
    last_error: str
    candidates: tuple[Place, ...]
    next_attempt_at: datetime


@dataclass
class QueueReport:
    """What one pass over the queue did."""

    resolved: list[str] = field(default_factory=list)
    needs_choice: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Rows still waiting for the geocoder after this pass.
    waiting: int = 0
    #: Why the pass stopped early: "" | offline | timeout | rate_limited | server_error
    stopped: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.resolved or self.needs_choice or self.not_found or self.errors)


# -- in the caller's transaction (services' save path) -------------------------------------------


def queue_position(conn: Connection, contact: Contact) -> list[str]:
    """Mark the contact's position as waiting for the geocoder; returns the fields changed.

    Called by the contacts service when an address is saved without coordinates. A contact with
    no address leaves the queue instead. A position from an earlier address is cleared: it would
    put the person at the wrong door.
    """
    query = AddressQuery.of_record(contact)
    if query is None:
        _forget(conn, "contact", contact.id)
        return []
    now = to_sqlite_datetime(utcnow())
    conn.exec_driver_sql(
        "INSERT INTO geocode_queue (record_type, record_id, query, state, attempts, last_error, candidates, "
        "next_attempt_at, created_at, updated_at) VALUES ('contact', ?, ?, ?, 0, '', '[]', ?, ?, ?) "
        "ON CONFLICT(record_type, record_id) DO UPDATE SET query = excluded.query, state = excluded.state, "
        "attempts = 0, last_error = '', candidates = '[]', next_attempt_at = excluded.next_attempt_at, "
        "updated_at = excluded.updated_at",
        (contact.id, query.text(), QUEUE_PENDING, now, now, now),
    )
    changed = []
    if contact.position_status != POSITION_PENDING:
        contact.position_status = POSITION_PENDING
        changed.append("position_status")
    if contact.lat is not None or contact.lon is not None:
        contact.lat = contact.lon = None
        changed += ["lat", "lon"]
    return changed


def place_fields(conn: Connection, record: Any, changed: list[str] | None = None) -> list[str]:
    """Bring a contact's or visit's place fields in line before it is saved; returns extra fields.

    The one call for services (``changed=None`` for a new record, else the fields being written):
    - a contact given coordinates by hand becomes ``"manual"`` (unless the caller set a status);
    - a contact whose address is new or changed, without coordinates, is queued for geocoding
      (``"pending"``) unless it was pinned by hand;
    - the zone is derived from the position (contacts and visits).
    """
    extra: list[str] = []
    is_new = changed is None
    names = set(changed or ())
    if isinstance(record, Contact):
        extra += _contact_position(conn, record, is_new, names)
    extra += assign_zone(conn, record)
    return [name for name in dict.fromkeys(extra) if is_new or name not in names]


def _contact_position(conn: Connection, contact: Contact, is_new: bool, names: set[str]) -> list[str]:
    coords_written = is_new or bool({"lat", "lon"} & names)
    has_coords = contact.lat is not None and contact.lon is not None
    address_touched = is_new or bool({"address", "street", "house_number", "city"} & names)
    if coords_written and has_coords:
        check_point(contact.lat, contact.lon)
        _forget(conn, "contact", contact.id)
        status_given = (is_new or "position_status" in names) and contact.position_status in (
            POSITION_OK, POSITION_MANUAL)
        if status_given:
            return []
        contact.position_status = POSITION_MANUAL
        return ["position_status"]
    if not (address_touched or coords_written):
        return []
    if contact.position_status == POSITION_MANUAL and has_coords:
        return []  # a pin placed by hand outlives edits of the address line
    if AddressQuery.of_record(contact) is not None:
        return queue_position(conn, contact)
    _forget(conn, "contact", contact.id)
    changed = []
    if contact.position_status:
        contact.position_status = ""
        changed.append("position_status")
    if contact.lat is not None or contact.lon is not None:
        contact.lat = contact.lon = None
        changed += ["lat", "lon"]
    return changed


# -- the user's answers -------------------------------------------------------------------------


def choose_place(store: Store, record_type: str, record_id: str, place: Place) -> SyncedRecord:
    """The user picked one of the geocoder's candidates: the position is ``"ok"``."""
    return _set(store, record_type, record_id, place.lat, place.lon, POSITION_OK)


def set_position(store: Store, record_type: str, record_id: str, lat: float, lon: float) -> SyncedRecord:
    """The user pinned the place on the map (or typed coordinates): the position is ``"manual"``."""
    check_point(lat, lon)
    return _set(store, record_type, record_id, lat, lon, POSITION_MANUAL)


def _set(store: Store, record_type: str, record_id: str, lat: float, lon: float, status: str) -> SyncedRecord:
    model = _MODELS.get(record_type)
    if model is None:
        raise ValueError(f"positions of {record_type!r} are not handled here")
    with store.write() as conn:
        record = _load(conn, model, record_id)
        record.lat, record.lon = lat, lon
        changed = ["lat", "lon", *assign_zone(conn, record)]
        if getattr(record, "position_status", None) is not None:
            record.position_status = status
            changed.append("position_status")
        store.save(conn, record, changed)
        _forget(conn, record_type, record_id)
    return record


# -- the queue ----------------------------------------------------------------------------------


def queue_items(store: Store, states: tuple[str, ...] | None = None) -> list[QueueItem]:
    """Rows of the geocoding queue (all, or in ``states``), oldest first."""
    sql = "SELECT * FROM geocode_queue"
    params: tuple = ()
    if states:
        sql += f" WHERE state IN ({','.join('?' * len(states))})"
        params = states
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(sql + " ORDER BY id", params).mappings().all()
    return [_item(row) for row in rows]


def needs_attention(store: Store) -> list[QueueItem]:
    """Positions the user must settle: several candidates, nothing found, or a refused query."""
    return queue_items(store, ATTENTION_STATES)


class GeocodeQueue:
    """Resolves queued positions with a ``Geocoding`` (call from a worker thread: it blocks)."""

    def __init__(self, store: Store, geocoding: Geocoding, *, retry_base_s: float = 30.0,
                 retry_max_s: float = 600.0) -> None:
        self.store = store
        self.geocoding = geocoding
        self.retry_base_s = retry_base_s
        self.retry_max_s = retry_max_s

    # -- reading -----------------------------------------------------------------------------

    def items(self, states: tuple[str, ...] | None = None) -> list[QueueItem]:
        return queue_items(self.store, states)

    def attention(self) -> list[QueueItem]:
        """Rows the user must act on: pick a candidate, correct the address or pin it."""
        return queue_items(self.store, ATTENTION_STATES)

    def item_for(self, record_type: str, record_id: str) -> QueueItem | None:
        with self.store.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT * FROM geocode_queue WHERE record_type = ? AND record_id = ?",
                (record_type, record_id),
            ).mappings().first()
        return _item(row) if row else None

    def seconds_until_due(self) -> float | None:
        """Seconds until the next pending row is due (0 = now); None when nothing is pending."""
        with self.store.engine.connect() as conn:
            first = conn.exec_driver_sql(
                "SELECT min(next_attempt_at) FROM geocode_queue WHERE state = ?", (QUEUE_PENDING,)
            ).scalar()
        if first is None:
            return None
        due = datetime.fromisoformat(first).replace(tzinfo=utcnow().tzinfo)
        return max(0.0, (due - utcnow()).total_seconds(), blocked_for(self.geocoding.settings))

    # -- resolving ---------------------------------------------------------------------------

    def process(self, *, force: bool = False, limit: int = 100) -> QueueReport:
        """Ask the geocoder about the due rows (all pending rows with ``force``), oldest first.

        Stops at the first sign that the service cannot answer now (offline, rate limit): the
        rest would fail the same way and only add load.
        """
        report = QueueReport()
        now = to_sqlite_datetime(utcnow())
        with self.store.engine.connect() as conn:
            sql = "SELECT * FROM geocode_queue WHERE state = ?"
            params: tuple = (QUEUE_PENDING,)
            if not force:
                sql += " AND next_attempt_at <= ?"
                params += (now,)
            rows = conn.exec_driver_sql(sql + " ORDER BY next_attempt_at, id LIMIT ?", (*params, limit))
            due = [_item(row) for row in rows.mappings().all()]
        for item in due:
            result = self.resolve(item)
            if result is None:
                continue
            if result.status == OK:
                report.resolved.append(item.record_id)
            elif result.status == AMBIGUOUS:
                report.needs_choice.append(item.record_id)
            elif result.status == NOT_FOUND:
                report.not_found.append(item.record_id)
            elif not result.transient:
                report.errors.append(item.record_id)
            elif result.status in (UNAVAILABLE, RATE_LIMITED):
                report.stopped = result.error
                break
        report.waiting = len(self.items((QUEUE_PENDING,)))
        return report

    def resolve(self, item: QueueItem) -> GeocodeResult | None:
        """Geocode one row and write the outcome; None when the row went stale meanwhile."""
        query = AddressQuery.parse(item.query, self.geocoding.settings.default_city)
        if query is None:
            with self.store.write() as conn:
                _forget(conn, item.record_type, item.record_id)
            return None
        result = self.geocoding.forward(query)
        return result if self._apply(item, result) else None

    def resolve_record(self, record_type: str, record_id: str) -> GeocodeResult | None:
        """Try one record now (e.g. right after the user saved it online)."""
        item = self.item_for(record_type, record_id)
        return self.resolve(item) if item else None

    def _apply(self, item: QueueItem, result: GeocodeResult) -> bool:
        model = _MODELS[item.record_type]
        with self.store.write() as conn:
            current = conn.exec_driver_sql(
                "SELECT query, state FROM geocode_queue WHERE id = ?", (item.id,)
            ).fetchone()
            if current is None or current[0] != item.query or current[1] != QUEUE_PENDING:
                return False  # re-queued with another address, picked or pinned meanwhile
            record = _load(conn, model, item.record_id)
            now = utcnow()
            if result.status == OK:
                record.lat, record.lon = result.candidates[0].point
                record.position_status = POSITION_OK
                self.store.save(conn, record, ["lat", "lon", "position_status", *assign_zone(conn, record)])
                _forget(conn, item.record_type, item.record_id)
            elif result.transient:
                attempts = item.attempts + 1
                backoff = delay(attempts, self.retry_base_s, self.retry_max_s, jitter=False)
                wait = result.retry_after_s or backoff  # the geocoder's Retry-After wins
                retry_at = now + timedelta(seconds=wait)
                _update_row(conn, item.id, QUEUE_PENDING, attempts, result.error, (), retry_at)
            else:
                state = _ANSWER_STATE.get(result.status, QUEUE_ERROR)
                error = result.reason if result.status == AMBIGUOUS else result.error
                _update_row(conn, item.id, state, item.attempts + 1, error, result.candidates, now)
                if record.position_status != POSITION_FAILED:
                    record.position_status = POSITION_FAILED
                    self.store.save(conn, record, ["position_status"])
        return True


class QueueResolver:
    """Keeps resolving the queue in a background thread until stopped.

    It sleeps until the next row is due (growing back-off while the service is unreachable), or
    ``idle_s`` when nothing waits; ``wake()`` — on connectivity returning or a new queued address —
    makes it try every pending row at once.
    """

    def __init__(self, queue: GeocodeQueue, *, idle_s: float = 60.0,
                 on_change: Callable[[QueueReport], None] | None = None) -> None:
        self.queue = queue
        self.idle_s = idle_s
        self.on_change = on_change
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: QueueReport | None = None

    def start(self) -> QueueResolver:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="geocode-queue", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        force = True
        while not self._stop.is_set():
            try:
                report = self.queue.process(force=force)
                self.last_report = report
                if report.changed and self.on_change is not None:
                    self.on_change(report)
            except Exception:  # keep the thread alive: a bad row must not stop the queue
                log.exception("geocoding queue pass failed")
            due = self.queue.seconds_until_due()
            delay = self.idle_s if due is None else min(max(due, 0.05), self.idle_s)
            force = self._wake.wait(delay)
            self._wake.clear()


# -- helpers ------------------------------------------------------------------------------------


def _load(conn: Connection, model: type[SyncedRecord], record_id: str) -> Any:
    with Session(bind=conn) as session:
        record = session.get(model, record_id)
        if record is None or record.deleted:
            raise NotFound(model.record_type, record_id)
        session.expunge(record)
    return record


def _forget(conn: Connection, record_type: str, record_id: str) -> None:
    conn.exec_driver_sql(
        "DELETE FROM geocode_queue WHERE record_type = ? AND record_id = ?", (record_type, record_id)
    )


def _update_row(conn: Connection, row_id: int, state: str, attempts: int, error: str,
                candidates: tuple[Place, ...], next_attempt: datetime) -> None:
    conn.exec_driver_sql(
        "UPDATE geocode_queue SET state = ?, attempts = ?, last_error = ?, candidates = ?, "
        "next_attempt_at = ?, updated_at = ? WHERE id = ?",
        (state, attempts, error, json.dumps([c.to_json() for c in candidates], ensure_ascii=False),
         to_sqlite_datetime(next_attempt), to_sqlite_datetime(utcnow()), row_id),
    )


def _item(row: Any) -> QueueItem:
    return QueueItem(
        id=row["id"], record_type=row["record_type"], record_id=row["record_id"], query=row["query"],
        state=row["state"], attempts=row["attempts"], last_error=row["last_error"],
        candidates=tuple(Place.from_json(c) for c in json.loads(row["candidates"] or "[]")),
        next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]).replace(tzinfo=utcnow().tzinfo),
    )
