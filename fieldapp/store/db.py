"""The on-device store: one SQLite file, WAL, migrated at start-up, one write path.

Every local change goes through ``Store.save`` / ``Store.delete`` inside ``Store.write()``: the
record, its HLCs, its outbox entry and its search-index row commit in one SQLite transaction, so a
process killed at any instant leaves the data and the outbox in agreement.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from fieldapp.model import Contact, SyncedRecord, new_id
from fieldapp.model.registry import RECORD_TYPES
from fieldapp.store import bulk, codec, outbox, search
from fieldapp.store.migrate import migrate
from fieldapp.store.paths import default_db_path
from fieldapp.store.private_files import private_file, private_folder, tighten
from sync.hlc import MAX_DRIFT_MS, Clock, encode, node_for

R = TypeVar("R", bound=SyncedRecord)

#: Contact columns that feed the search index, in the order ``search.index_rows`` expects.
_INDEX_SOURCE = ", ".join(("rowid", *(name for name, _ in search.INDEXED)))
_INDEXED_FIELDS = frozenset(name for name, _ in search.INDEXED)

#: Meta keys of the clock: the service's time minus this device's wall clock, as last heard
#: (``Store.adopt_service_time``), and the greatest HLC seen from others (``Store.observe``).
K_CLOCK_OFFSET = "clock.offset_ms"
K_CLOCK_SEEN = "clock.seen"
#: A new offset is saved when it moved by more than this (not at every answer of a sync).
_OFFSET_SAVE_MS = 1000


def _configure(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _begin)
    dbapi_conn.execute("PRAGMA journal_mode = WAL")
    dbapi_conn.execute("PRAGMA synchronous = NORMAL")
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    dbapi_conn.execute("PRAGMA busy_timeout = 30000")
    # Deleted content is overwritten with zeros: erased personal data must not linger in free pages.
    dbapi_conn.execute("PRAGMA secure_delete = ON")


def _begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 30},
        hide_parameters=True,  # parameters hold personal data and the sync token: never in logs
    )
    event.listen(engine, "connect", _configure)
    event.listen(engine, "begin", _begin)
    return engine


def raw(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under a SQLAlchemy connection (for FTS and bulk work)."""
    return conn.connection.driver_connection  # type: ignore[return-value]


@cache
def _field_defaults(model: type[SyncedRecord]) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """A model's defaults as its constructor applies them: plain values, and factories called for
    each record (a mutable default is copied for each, as pydantic does)."""
    plain: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            factories[name] = info.default_factory  # type: ignore[assignment]
        elif not info.is_required():
            default = info.default
            if isinstance(default, list | dict | set):
                factories[name] = default.copy
            else:
                plain[name] = default
    return plain, factories


class StorageFull(OSError):
    """The device's storage is full: the whole transaction was rolled back; free space and retry."""


def _is_full(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.Error) and getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


class Store:
    """The device's database."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self._make_private()
        self.engine = make_engine(self.path)
        with self.engine.connect() as conn:
            self.schema_version = migrate(raw(conn))
            unfinished = bulk.pending(raw(conn))
        if unfinished:  # the app died during a first pull: build what it deferred before any query
            self.finish_bulk()
        self._lock = threading.Lock()
        self.device_id = self.meta("device_id") or self._init_device_id()
        self._user_id = self.meta("user_id")
        offset = self.meta(K_CLOCK_OFFSET)
        self._saved_offset = int(offset) if offset else None
        self.clock = Clock(
            node_for(self.device_id),
            last=self._last_hlc(),
            offset_ms=self._saved_offset or 0,
            seen=self.meta(K_CLOCK_SEEN),
        )

    def _make_private(self) -> None:
        """The folder 0700, the file 0600 before SQLite opens it (its -wal and -shm take the main
        file's mode when created; existing ones from an older version are tightened here)."""
        private_folder(self.path.parent)
        private_file(self.path)
        for suffix in ("-wal", "-shm", "-journal"):
            tighten(Path(f"{self.path}{suffix}"))

    # -- metadata ---------------------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": key}).scalar()
        return default if value is None else value

    def set_meta(self, key: str, value: str | None, conn: Connection | None = None) -> None:
        """Set (or with ``None`` remove) a metadata value, inside ``conn``'s transaction if given."""
        if conn is None:
            with self.write() as own:
                self.set_meta(key, value, own)
            return
        if value is None:
            conn.execute(text("DELETE FROM meta WHERE key = :k"), {"k": key})
        else:
            conn.execute(
                text(
                    "INSERT INTO meta (key, value) VALUES (:k, :v) "
                    "ON CONFLICT(key) DO UPDATE SET value = :v"
                ),
                {"k": key, "v": value},
            )

    @property
    def user_id(self) -> str | None:
        """The signed-in user (set at enrollment); records are authored by them."""
        return self._user_id

    def set_user(self, user_id: str | None, conn: Connection | None = None) -> None:
        self.set_meta("user_id", user_id, conn)
        self._user_id = user_id

    def _init_device_id(self) -> str:
        device_id = new_id()
        with self.write() as conn:
            existing = conn.execute(text("SELECT value FROM meta WHERE key = 'device_id'")).scalar()
            if existing:
                return existing
            self.set_meta("device_id", device_id, conn)
        return device_id

    def _last_hlc(self, db: sqlite3.Connection | None = None) -> str | None:
        if db is None:
            with self.engine.connect() as conn:
                return self._last_hlc(raw(conn))
        values = [
            db.execute(f"SELECT max(updated_hlc) FROM {model.__tablename__}").fetchone()[0]  # type: ignore[attr-defined]
            for model in RECORD_TYPES.values()
        ]
        values = [v for v in values if v]
        return max(values) if values else None

    # -- the service's time -------------------------------------------------------------------

    @property
    def clock_offset_ms(self) -> int | None:
        """How far the service's clock is ahead of this device's (None: never heard)."""
        return self._saved_offset

    def adopt_service_time(self, server_ms: int) -> None:
        """The service said its time is ``server_ms``: stamp by it from now on, whatever the phone's
        own clock says. A clock that ran far ahead (a phone set a year ahead, edits made before it
        heard the service) has its stamps pulled back to the service's time, after everything it
        has seen, and is set back to them."""
        offset = self.clock.adopt(server_ms)
        if self._saved_offset is None or abs(offset - self._saved_offset) > _OFFSET_SAVE_MS:
            self.set_meta(K_CLOCK_OFFSET, str(offset))
            self._saved_offset = offset
        if self.clock.beyond(server_ms + MAX_DRIFT_MS):
            self.pull_back(server_ms)

    def pull_back(self, server_ms: int) -> None:
        """This device's HLCs past what the service accepts (``server_ms`` plus the drift bound)
        restamped in their order from the service's time (``outbox.restamp``), the clock set back."""
        with self.write() as conn:
            db = raw(conn)
            keys = outbox.ahead_of(db, server_ms + MAX_DRIFT_MS)
            outbox.restamp(db, keys, server_ms, self.clock.node, self.clock.seen())
            self.clock.rewind(self._last_hlc(db) or encode(server_ms, 0, self.clock.node))

    def observe(self, conn: Connection, remote: str) -> None:
        """Fold a pulled HLC into the clock; the greatest seen is kept with the pulled page."""
        before = self.clock.seen()
        if self.clock.observe(remote) and self.clock.seen() != before:
            self.set_meta(K_CLOCK_SEEN, self.clock.seen(), conn)

    # -- transactions -----------------------------------------------------------------------

    def read(self) -> Session:
        """A session for queries (``with store.read() as s: s.exec(select(Contact)…)``)."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): all or nothing; ``StorageFull`` when the
        device has no space left (nothing of the transaction is kept)."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    yield conn
        except (sqlite3.Error, OperationalError) as exc:
            if _is_full(exc):
                raise StorageFull("the device's storage is full; nothing of this change was saved") from exc
            raise

    def finish_bulk(self) -> bool:
        """Build the indexes a first pull deferred (``fieldapp.store.bulk``); False if none were."""
        with self.write() as conn:
            return bulk.finish(raw(conn))

    # -- the write path ---------------------------------------------------------------------

    def save(self, conn: Connection, record: R, changed: Iterable[str] | None = None) -> R:
        """Insert a new record (``changed=None``) or write the ``changed`` fields of an existing one.

        Stamps the HLCs, writes the outbox entry and keeps the search index current.
        """
        model = type(record)
        db = raw(conn)
        hlc = self.clock.now()
        if changed is None:
            record.base_hlc = record.updated_hlc = hlc
            record.field_hlcs = {}
            record.device_id = self.device_id
            if record.author_id is None:
                record.author_id = self.user_id
            db.execute(codec.insert_sql(model), codec.row(model, record.__dict__))
            names: list[str] = ["*"]
        else:
            writable = {*model.data_fields(), "deleted"}
            names = sorted({name for name in changed if name in writable})
            if not names:
                return record
            record.field_hlcs = {**record.field_hlcs, **dict.fromkeys(names, hlc)}
            record.updated_hlc = hlc
            columns = (*names, "updated_hlc", "field_hlcs")
            params = codec.values(model, columns, record.__dict__)
            db.execute(codec.update_sql(model, columns), [*params, record.id])
        outbox.enqueue(db, model.record_type, record.id, names, hlc)
        if model is Contact and (changed is None or _INDEXED_FIELDS.intersection(names)):
            self.reindex_contacts(conn, [record.id])
        return record

    def insert(self, conn: Connection, model: type[SyncedRecord], rows: Sequence[dict[str, Any]]) -> None:
        """Insert new records given as field values, as ``save`` inserts one: each gets its HLCs,
        device and author, an outbox entry and (contacts) a search row.

        For generated data by the thousand (``fieldapp.sample``): no model instance is built (making
        a SQLModel table instance costs ~0.3 ms, and each attribute ``save`` stamps on it goes
        through SQLAlchemy's instrumentation) and the values are trusted, not validated. Missing
        fields take the model's defaults, as ``model(**values)`` would; each dict is completed in
        place with what was written (``id``, HLCs…). Rows and outbox entries go in multi-row
        statements.
        """
        if not rows:
            return
        db = raw(conn)
        plain, factories = _field_defaults(model)
        params, queued = [], []
        for values in rows:
            for name, factory in factories.items():
                if name not in values:
                    values[name] = factory()
            values.update({**plain, **values})  # the missing plain defaults, in two C calls
            hlc = self.clock.now()
            values.update(base_hlc=hlc, updated_hlc=hlc, field_hlcs={}, device_id=self.device_id)
            if values["author_id"] is None:
                values["author_id"] = self.user_id
            params.append(codec.row(model, values))
            queued.append((values["id"], hlc))
        codec.insert_rows(db, model, params)
        outbox.enqueue_whole(db, model.record_type, queued)
        if model is Contact:
            per = codec.ROWS_PER_INSERT
            ids = [values["id"] for values in rows]
            for start in range(0, len(ids), per):
                self.reindex_contacts(conn, ids[start : start + per])

    def delete(self, conn: Connection, record: SyncedRecord) -> None:
        """Tombstone a record: it stays (and syncs) with ``deleted`` set, and leaves search."""
        record.deleted = True
        self.save(conn, record, ["deleted"])
        if isinstance(record, Contact):
            self.reindex_contacts(conn, [record.id])

    def reindex_contacts(self, conn: Connection, ids: Iterable[str]) -> None:
        """Bring the search rows of these contacts in line with the table (deleted ones leave)."""
        db = raw(conn)
        ids = list(ids)
        marks = ",".join("?" * len(ids))
        rows = db.execute(
            f"SELECT {_INDEX_SOURCE}, deleted FROM contact WHERE id IN ({marks})", ids
        ).fetchall()
        search.unindex(db, [row[0] for row in rows if row[-1]])
        search.index_rows(db, [row[:-1] for row in rows if not row[-1]])

    # -- reads ------------------------------------------------------------------------------

    def get(self, model: type[R], record_id: str) -> R | None:
        with self.read() as session:
            return session.get(model, record_id)

    def search_contacts(self, query: str, *, limit: int = 50, offset: int = 0) -> list[Contact]:
        """Live contacts matching ``query`` (diacritics-insensitive, prefix words), best first."""
        with self.engine.connect() as conn:
            ids = search.search_contact_ids(raw(conn), query, limit=limit, offset=offset)
        if not ids:
            return []
        with self.read() as session:
            found = {c.id: c for c in session.exec(select(Contact).where(Contact.id.in_(ids))).scalars()}
        return [found[i] for i in ids if i in found]

    def pending_changes(self) -> int:
        """How many records have local changes that have not reached the service yet."""
        with self.engine.connect() as conn:
            return outbox.pending(raw(conn))

    def close(self) -> None:
        self.engine.dispose()
