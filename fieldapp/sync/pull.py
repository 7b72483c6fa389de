"""Pull: the service's changes after the stored cursor, a page at a time, into the store.

Pages are merged with field-level last-writer-wins (``sync.lww``, the rule the service applies too;
``fieldapp.sync.apply``) and the cursor is saved in the same transaction as the page. Remote changes
write no outbox rows. Only HLCs decide, never the phone's wall clock. A device that had seen
everything skips pulling back its own changes when the service stored them as sent (the push moves
the cursor). A device's first pull loads the tables it finds empty in bulk: their secondary
indexes, search and map rows are built once after the last page (``fieldapp.store.bulk``), and it
asks for the records of those tables in columns (``sync.protocol.ColumnPage``): rows in the store's
stored form, built by the service with the device's own code (``sync.stored_rows``), inserted with
no Python per record, each record's hash sent along for the checksum. A page whose rows hit a
record the table holds already (written here meanwhile, or changed on the service during the pull)
is fetched again as records and merged by LWW. A service that does not know columns sends records,
which merge as ever.

A service restored from an older backup (a new ``epoch``, or a cursor that went back) lost what was
pushed after the backup, and reuses its sequence numbers: the device starts again from cursor 0
and queues again what it wrote (``outbox.requeue_written_by``; the next push sends it), in the
transaction that forgets the cursor. Unsent edits stay in the outbox throughout.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any

from fieldapp.model.registry import RECORD_TYPES
from fieldapp.store import bulk, outbox, search
from fieldapp.store.codec import columns as stored_columns
from fieldapp.store.db import Store, raw
from fieldapp.sync.apply import insert_columns, merge_page
from fieldapp.sync.errors import SyncError
from fieldapp.sync.meta import K_CURSOR, K_EPOCH, K_MODEL, model_signature
from fieldapp.sync.receipt import Progress, SyncReceipt
from sync import hlc
from sync.checksum import record_hash

log = logging.getLogger(__name__)

#: Pages fetched and decoded ahead of the one being merged (besides the one being fetched).
PAGES_AHEAD = 1

#: Fetches the page after a cursor (``sync.protocol.PullResponse`` as decoded JSON); with a second
#: argument, the record types wanted in columns (``sync.protocol.PULL_COLUMNS_PARAM``).
Fetch = Callable[..., Any]


class Pull:
    """One pull: every page after the stored cursor."""

    def __init__(
        self, store: Store, fetch: Fetch, receipt: SyncReceipt, report: Progress, bulk_min_records: int
    ) -> None:
        self.store = store
        self.fetch = fetch
        self.receipt = receipt
        self.report = report
        self.bulk_min_records = bulk_min_records
        #: The last page's checksum (``fieldapp.sync.verify`` compares it), once the pull is done.
        self.checksum: Any = None
        #: On a first pull, per record type whose table was empty: each pulled record's hash (the
        #: rows were written from these pages, so their sums need no second pass over the tables).
        self.pulled_hashes: dict[str, dict[str, int]] = {}
        #: Record types asked for in columns: those whose tables a first pull found empty.
        self.columns: list[str] = []

    def run(self) -> None:
        """Pull pages after the stored cursor; the next pages are fetched while this one is merged."""
        signature = model_signature()
        if self.store.meta(K_MODEL) != signature:
            # This app knows other record types or fields than when the cursor advanced: what it
            # skipped then may matter now, so pull everything again (merging is idempotent).
            with self.store.write() as conn:
                self.store.set_meta(K_CURSOR, None, conn)
                self.store.set_meta(K_MODEL, signature, conn)
        cursor = int(self.store.meta(K_CURSOR) or 0)
        bulk_min = self.bulk_min_records if cursor == 0 else None  # only the first pull
        if cursor == 0:
            with self.store.engine.connect() as conn:
                tables = {kind: str(model.__tablename__) for kind, model in RECORD_TYPES.items()}
                empty = [kind for kind, table in tables.items() if bulk.is_empty(raw(conn), table)]
            self.pulled_hashes = {kind: {} for kind in empty}
            self.columns = sorted(empty)
        receipt = self.receipt
        page = self._page(cursor)
        if self._restored(page, cursor):
            self.pulled_hashes = {}
            self.columns = []
            cursor = 0
            page = self._page(0)
        with _Ahead(self._page, page) as ahead:
            while True:
                self._merge_page(page, bulk_min, cursor)
                receipt.pulled += len(page.records) + sum(len(rows) for rows, _hashes in page.tables.values())
                done = receipt.pushed + receipt.pulled
                self.report(done, done + (1 if page.has_more else 0))
                if not page.has_more:
                    self.store.finish_bulk()
                    self.checksum = page.checksum
                    return
                cursor, page = page.cursor, ahead.next()

    def _restored(self, page: Page, after: int) -> bool:
        """Whether the service was restored from a backup since the last pull (then start again:
        cursor 0, what this device wrote queued again); the first epoch heard is kept."""
        known = self.store.meta(K_EPOCH)
        heard = page.epoch is not None
        restored = page.cursor < after or (heard and known is not None and page.epoch != int(known))
        if restored or (heard and known is None):
            with self.store.write() as conn:
                if restored:
                    queued = outbox.requeue_written_by(raw(conn), self.store.clock.node)
                    log.warning(
                        "the service was restored from a backup: pulling everything again, "
                        "%d record(s) of this device queued again",
                        queued,
                    )
                    self.store.set_meta(K_CURSOR, None, conn)
                self.store.set_meta(K_EPOCH, None if page.epoch is None else str(page.epoch), conn)
        return restored

    def _page(self, after: int) -> Page:
        return Page.of(self.fetch(after, self.columns) if self.columns else self.fetch(after))

    def _merge_page(self, page: Page, bulk_min: int | None = None, after: int | None = None) -> None:
        """Merge a page (fetched after the cursor ``after``) and move the cursor past it, in one
        transaction. The service's time comes first: what the page brings is bounded by it, not by
        the phone's clock."""
        if page.server_ms is not None:
            self.store.adopt_service_time(page.server_ms)
        try:
            self._write_page(page, bulk_min)
        except _HeldAlready:
            # A record of the rows in columns is held already (written here meanwhile, or changed
            # on the service during this pull): the same page as records, merged by LWW. It holds
            # every record the first one did up to its cursor (records only move to later seqs).
            assert after is not None
            again = Page.of(self.fetch(after))
            self._write_page(replace(page, records=again.records, tables={}), bulk_min)

    def _write_page(self, page: Page, bulk_min: int | None) -> None:
        newest = _newest_hlc(page.records, page.tables)
        with self.store.write() as conn:
            db = raw(conn)
            contacts = merge_page(db, page.records, bulk_min=bulk_min)
            for kind, (rows, _hashes) in page.tables.items():
                written = insert_columns(db, kind, rows, bulk_min=bulk_min)
                if written is None:
                    raise _HeldAlready
                if kind == "contact":
                    contacts.extend(written)
            if contacts and not search.is_deferred(db):
                self.store.reindex_contacts(conn, contacts)
            self.store.set_meta(K_CURSOR, str(page.cursor), conn)
            if newest:
                self.store.observe(conn, newest)
        if self.pulled_hashes:  # once written: a page merged as records again notes its own
            note_hashes(self.pulled_hashes, page.records)
            for kind, (rows, hashes) in page.tables.items():
                of_kind = self.pulled_hashes.get(kind)
                if of_kind is not None:
                    of_kind.update(zip(map(itemgetter(0), rows), hashes, strict=True))


class _Ahead:
    """The pages after ``first``, fetched in a thread up to ``PAGES_AHEAD`` ahead of the merge: the
    service builds the next page while the device decodes one and merges another (one page ahead,
    it sat idle while the device decoded each page)."""

    def __init__(self, fetch: Callable[[int], Page], first: Page) -> None:
        self._fetch = fetch
        self._pages: queue.Queue[Page | BaseException] = queue.Queue(PAGES_AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(first,), name="teren-pull", daemon=True)
        if first.has_more:
            self._thread.start()

    def __enter__(self) -> _Ahead:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()  # a page fetched meanwhile is never merged
        if self._thread.is_alive():
            self._thread.join()

    def next(self) -> Page:
        page = self._pages.get()
        if isinstance(page, BaseException):
            raise page
        return page

    def _run(self, page: Page) -> None:
        try:
            while page.has_more and not self._stop.is_set():
                page = self._fetch(page.cursor)
                self._put(page)
        except BaseException as exc:  # handed to the merging thread, which raises it
            self._put(exc)

    def _put(self, item: Page | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._pages.put(item, timeout=0.1)
                return
            except queue.Full:
                continue


class _HeldAlready(Exception):
    """Rows sent in columns hit a record the store holds already (nothing of the page was kept)."""


def note_hashes(hashes: dict[str, dict[str, int]], records: list[dict[str, Any]]) -> None:
    """Each record's hash (``sync.checksum``) into ``hashes`` of its type, if that type is noted."""
    for record in records:
        of_kind = hashes.get(record["record_type"])
        if of_kind is not None:
            model = RECORD_TYPES[record["record_type"]]
            of_kind[record["id"]] = record_hash(
                model, record["id"], record["fields"], record.get("deleted", False)
            )


@dataclass(frozen=True, slots=True)
class Page:
    """One pull answer (``sync.protocol.PullResponse``), its records as plain dicts."""

    records: list[dict[str, Any]]
    cursor: int
    has_more: bool
    #: The service's restore epoch (None from a service too old to say).
    epoch: int | None = None
    #: The service's time when it answered (None from a service too old to say).
    server_ms: int | None = None
    #: The scope's checksum on a last page (``sync.protocol.PullResponse.checksum``), unchecked.
    checksum: Any = None
    #: Records sent in columns (``sync.protocol.ColumnPage``): per type, its rows (in
    #: ``codec.columns`` order, checked) and their hashes.
    tables: dict[str, tuple[list[list[Any]], list[int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, answer: Any) -> Page:
        """The page if it has the shape the merge relies on; SyncError ``bad_response`` otherwise
        (checked by hand: pydantic took ~11 µs a record)."""
        try:
            records, cursor, has_more = answer["records"], answer["cursor"], answer["has_more"]
            epoch = answer.get("epoch")
            ok = type(records) is list and type(cursor) is int and type(has_more) is bool
            ok = ok and type(epoch) in (int, type(None))
            ok = ok and all(_is_remote_record(record) for record in records)
            tables = _column_tables(answer.get("tables"))
        except (KeyError, TypeError):
            ok = False
        if not ok or tables is None:
            raise SyncError("bad_response", "the server's pull answer has an unexpected shape")
        server_ms = answer.get("server_time_ms")
        server_ms = server_ms if type(server_ms) is int else None
        return cls(records, cursor, has_more, epoch, server_ms, answer.get("checksum"), tables)


def _column_tables(tables: Any) -> dict[str, tuple[list[list[Any]], list[int]]] | None:
    """A page's ``tables`` (``sync.protocol.ColumnPage`` per type) if every one is of a type this
    app knows, with this store's columns, rows of that width and a hash per row; None otherwise.
    Checked a column at a time in C (``map``), not record by record."""
    if tables is None:
        return {}
    if type(tables) is not dict:
        return None
    checked = {}
    for kind, table in tables.items():
        model = RECORD_TYPES.get(kind)
        if model is None or type(table) is not dict:
            return None
        names, rows, hashes = table.get("columns"), table.get("rows"), table.get("hashes")
        if type(names) is not list or tuple(names) != stored_columns(model):
            return None
        if type(rows) is not list or type(hashes) is not list or len(rows) != len(hashes):
            return None
        if not set(map(type, rows)) <= {list} or not set(map(len, rows)) <= {len(names)}:
            return None
        if not set(map(type, hashes)) <= {int} or not set(map(type, map(itemgetter(0), rows))) <= {str}:
            return None
        checked[kind] = (rows, hashes)
    return checked


_TEXT_OR_NONE = (str, type(None))


def _newest_hlc(
    records: list[dict[str, Any]], tables: dict[str, tuple[list[list[Any]], list[int]]] | None = None
) -> str | None:
    """The greatest valid ``updated_hlc`` of the records and rows (checked once, not once a record)."""
    stamps = [r["updated_hlc"] for r in records]
    for kind, (rows, _hashes) in (tables or {}).items():
        stamps.extend(map(itemgetter(stored_columns(RECORD_TYPES[kind]).index("updated_hlc")), rows))
    newest = max(stamps, default=None)
    if newest is None or (type(newest) is str and hlc.is_valid(newest)):
        return newest
    return max((s for s in stamps if type(s) is str and hlc.is_valid(s)), default=None)


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
