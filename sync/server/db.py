"""Database access: one engine for SQLite (default) or PostgreSQL, write transactions, migrations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Table, create_engine, event, text
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
#: Key of the PostgreSQL advisory lock held while migrating (two processes may start at once).
_MIGRATION_LOCK = 7_340_021
_BUSY_TIMEOUT_MS = 30_000
#: Page size of a new SQLite file (an existing file keeps its own). A push writes each record to
#: ``record`` and four indexes: with 16 KiB pages instead of 4 KiB, it writes and checkpoints far
#: fewer pages (in-process replay of 100,000 pushed records: ~25 -> ~19.5 us a record applied).
SQLITE_PAGE_SIZE = 16_384
#: How long a checkpoint after an erasure waits for readers before giving up (and being retried).
_CHECKPOINT_WAIT_MS = 500
#: How long ``repage_sqlite`` waits for another connection's lock before reporting the file busy.
_REPAGE_WAIT_MS = 1_000


class SQLiteBusyError(RuntimeError):
    """Another connection (a running service) holds the SQLite file; nothing was changed."""


@contextmanager
def _busy_as(message: str) -> Iterator[None]:
    """SQLite's "busy" or "locked" inside the block becomes ``SQLiteBusyError(message)``."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise
        raise SQLiteBusyError(message) from exc


def repage_sqlite(path: str | Path, *, wait_ms: int = _REPAGE_WAIT_MS) -> tuple[int, int]:
    """Rewrite an existing SQLite service file with ``SQLITE_PAGE_SIZE`` pages; (before, after).

    Page size can change only outside WAL mode, so: rollback journal, ``VACUUM`` (a new copy of
    the live content only, so no erased value survives in free pages, as ``secure_delete`` wants;
    a crash mid-way rolls back to the old file), WAL again, then check the result. Leaving WAL mode
    needs the only connection to the file: if any other process has it open, raises
    ``SQLiteBusyError`` with the file unchanged and still in WAL mode. Does nothing (before ==
    after) when the page size is already right. ``FileNotFoundError`` for a missing file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no SQLite file at {path}")
    conn = sqlite3.connect(path, isolation_level=None)  # autocommit: VACUUM runs outside a transaction
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        conn.execute("PRAGMA secure_delete = ON")
        before = conn.execute("PRAGMA page_size").fetchone()[0]
        if before == SQLITE_PAGE_SIZE:
            return before, before
        switched = False
        try:
            with _busy_as(f"{path} is in use by another connection"):
                mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            switched = True
            if mode != "delete":
                raise SQLiteBusyError(f"{path} stayed in journal mode {mode!r}")
            conn.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
            with _busy_as(f"{path} was opened by another connection"):
                conn.execute("VACUUM")
        finally:
            if switched:  # WAL again, also when the VACUUM failed (it rolled back)
                conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode != "wal":
                    raise RuntimeError(f"{path} is left in journal mode {mode!r}, not WAL")
        after = conn.execute("PRAGMA page_size").fetchone()[0]
        check = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if after != SQLITE_PAGE_SIZE or check != ["ok"]:
            raise RuntimeError(f"{path} after VACUUM: page size {after}, integrity check {check[:5]}")
        return before, after
    finally:
        conn.close()


def database_url(value: str | Path) -> str:
    """A SQLAlchemy URL from a URL or a plain file path (``postgresql://`` uses psycopg 3)."""
    text_value = str(value)
    if text_value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text_value.split("://", 1)[1]
    if "://" in text_value:
        return text_value
    return f"sqlite:///{Path(text_value).expanduser().resolve()}"


def _json_text(value: Any) -> str:
    """JSON columns are written with orjson: several times faster than ``json.dumps`` on the push
    path, and it refuses what no database should hold (NaN is written as null, never as ``NaN``)."""
    return orjson.dumps(value).decode()


_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def _sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # BEGIN is issued by _sqlite_begin
    # Before WAL mode: switching an empty file to WAL writes its header with the page size then.
    dbapi_conn.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
    dbapi_conn.execute("PRAGMA journal_mode = WAL")
    dbapi_conn.execute("PRAGMA synchronous = NORMAL")
    dbapi_conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    # Deleted and overwritten content is zeroed, not left in free space (RODO erasure, art. 17).
    dbapi_conn.execute("PRAGMA secure_delete = ON")


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the lock up front (IMMEDIATE): no deadlock-prone lock upgrades mid-transaction.
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The service's database. Processes share nothing but it, so several can serve at once.

    SQL parameters are hidden from errors and logs (``hide_parameters``): they hold residents'
    personal data and hashes of secrets.
    """

    def __init__(self, url: str | Path) -> None:
        self.url = database_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            path = self.url.removeprefix("sqlite:///") if self.url.startswith("sqlite:///") else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                self.url,
                connect_args={"check_same_thread": False, "timeout": 30},
                hide_parameters=True,
                **_JSON,
            )
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = create_engine(
                self.url, pool_size=10, max_overflow=10, pool_pre_ping=True, hide_parameters=True, **_JSON
            )
        #: Writers of this process queue here, in order, before taking a connection. SQLite: every
        #: write, instead of polling the file lock in its busy handler (sleeps up to 100 ms between
        #: tries; under load some writers gave up with "database is locked"). PostgreSQL: only
        #: ``serial`` writes (pushes, which serialise on the counter row anyway); without this,
        #: waiting pushes held every pooled connection and starved pulls.
        self._write_lock = threading.RLock()

    @property
    def kind(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    @contextmanager
    def write(self, *, serial: bool = False) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any exception. ``serial``:
        a transaction that takes the change counter's lock (a push)."""
        queue = self._write_lock if serial or self.is_sqlite else nullcontext()
        with queue, self.engine.connect() as conn:
            if self.is_sqlite:
                conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def migrate(self, revision: str = "head", *, downgrade: bool = False) -> None:
        """Bring the schema to the latest Alembic revision (safe to call from several processes),
        or to ``revision``; ``downgrade`` goes back to it (``teren-sync migrate``)."""
        config = self._alembic_config()
        with self.engine.connect() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
                conn.commit()
            try:
                if self.is_sqlite:
                    conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    config.attributes["connection"] = conn
                    (command.downgrade if downgrade else command.upgrade)(config, revision)
            finally:
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})
                    conn.commit()

    def revision(self) -> str | None:
        """The schema's Alembic revision (None before the first migration)."""
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        """The newest revision this version of the service knows."""
        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return config

    def purge_deleted(self) -> bool:
        """Make overwritten and deleted values leave the database's files, after an erasure.

        SQLite: checkpoint the WAL into the main file and truncate it (``secure_delete`` already
        zeroed freed content there); False when a reader kept the WAL busy (try again later).
        PostgreSQL: ``VACUUM`` the tables that held personal data, so no dead tuple keeps an erased
        value (it runs beside other transactions, but not inside one: autocommit).
        """
        if self.is_sqlite:
            with self._write_lock, self.engine.connect() as conn:
                db = conn.connection.driver_connection
                db.execute(f"PRAGMA busy_timeout = {_CHECKPOINT_WAIT_MS}")
                try:
                    busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                finally:
                    db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            return not busy
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM record, conflict")
        return True

    def dispose(self) -> None:
        self.engine.dispose()


def param_mark(conn: Connection) -> str:
    """The driver's placeholder for driver SQL: ``?`` (sqlite3) or ``%s`` (psycopg)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def among(conn: Connection, column: str, values: list[str]) -> tuple[str, list[Any]]:
    """``column`` among ``values`` as driver SQL and its parameters: SQLAlchemy's expanding IN cost
    ~8 µs a value to render."""
    if param_mark(conn) == "?":
        return f"{column} IN ({','.join('?' * len(values))})", list(values)
    return f"{column} = ANY(%s)", [list(values)]


def insert_ignoring_known(conn: Connection, table: Table) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` into ``table`` for this connection's backend: a row whose
    key is there already (written by a concurrent request) is skipped instead of failing."""
    from sqlalchemy.dialects import postgresql, sqlite

    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()
