"""Backups of the service's database and restoring one: SQLite through its online backup API,
PostgreSQL through ``pg_dump`` / ``pg_restore`` (custom format).

A backup is taken while the service runs. Restoring needs every ``teren-sync serve`` on the
database stopped (checked: ``DatabaseInUse`` otherwise), replaces everything, is all or nothing,
then migrates the restored schema and gives the database a new epoch (``sync.server.epoch``):
devices that synced after the backup notice, pull everything again and send again what they wrote
(``fieldapp.sync.pull``).

Backups hold residents' personal data and hashes of tokens: they are written 0600, never shown in
logs, and should be kept encrypted and for a limited time (README, "Backups").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from sync.server import epoch
from sync.server import tables as t
from sync.server.db import Database

#: The first bytes of each kind of backup file.
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
#: How long a SQLite file may stay locked by another connection before a restore gives up.
_IN_USE_WAIT_MS = 1_000


class BackupError(RuntimeError):
    """A backup or restore that could not be done; nothing was changed."""


class DatabaseInUse(BackupError):
    """Another process (a running service) uses the database a restore would replace."""


@dataclass(frozen=True)
class Summary:
    """What a backup holds or a restore left: for the command's JSON output and the tests."""

    database: str
    file: str
    bytes: int
    change_seq: int
    epoch: int | None
    revision: str | None

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def default_name(db: Database, at: datetime | None = None) -> str:
    """``teren-sync-<UTC time>.db`` (SQLite) or ``.dump`` (PostgreSQL)."""
    stamp = (at or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"teren-sync-{stamp}.{'db' if db.is_sqlite else 'dump'}"


def backup(db: Database, target: Path) -> Summary:
    """Write a consistent copy of ``db`` to ``target`` (a file; a folder gets ``default_name``).
    The file appears only once complete (written beside it, then renamed)."""
    target = Path(target)
    if target.is_dir():
        target = target / default_name(db)
    if target.exists():
        raise BackupError(f"{target} exists: name a new file")
    with _private_tmp(target) as tmp:
        if db.is_sqlite:
            _sqlite_backup(_sqlite_path(db), tmp)
        else:
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}"], db)
        os.replace(tmp, target)
    return summarise(db, target)


def restore(db: Database, source: Path) -> Summary:
    """Replace the whole database with the backup ``source``, migrate it and renew its epoch."""
    source = Path(source)
    _check_kind(db, source)
    if db.is_sqlite:
        db.dispose()  # this process's own connections would count as another user of the file
        _sqlite_restore(source, _sqlite_path(db))
    else:
        _pg_restore(db, source)
    db.dispose()  # pooled connections may still see the replaced file or tables
    db.migrate()
    with db.write() as conn:
        if db.is_sqlite:
            epoch.renew(conn)  # PostgreSQL: in the restore's own transaction
    return summarise(db, source)


def summarise(db: Database, file: Path) -> Summary:
    with db.read() as conn:
        has_epoch = sa.inspect(conn).has_table(t.service_epoch.name)  # a backup older than 0009 has none
        current = epoch.CURRENT if has_epoch else sa.null()
        seq, current_epoch = conn.execute(
            sa.select(t.counter.c.value, current).where(t.counter.c.name == "change")
        ).one()
    return Summary(
        database=db.kind,
        file=str(file),
        bytes=file.stat().st_size,
        change_seq=seq,
        epoch=current_epoch,
        revision=db.revision(),
    )


# -- SQLite ---------------------------------------------------------------------------------


def _sqlite_path(db: Database) -> Path:
    if not db.url.startswith("sqlite:///") or db.url.endswith(":memory:"):
        raise BackupError("an in-memory database has nothing to back up or restore")
    return Path(db.url.removeprefix("sqlite:///"))


def _sqlite_backup(source: Path, target: Path) -> None:
    """One step of the online backup API: a consistent snapshot, writers go on meanwhile (WAL).
    The copy is a single file (rollback journal), checked before it is kept."""
    if not source.is_file():
        raise BackupError(f"no SQLite file at {source}")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.execute(f"PRAGMA busy_timeout = {_IN_USE_WAIT_MS * 30}")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
        _check_sqlite(dst, target)


def _sqlite_restore(source: Path, target: Path) -> None:
    """The backup copied beside ``target``, checked, then renamed over it (atomic), with the old
    file's WAL and shared memory removed so nothing of them is applied to the new file."""
    with _private_tmp(target) as tmp:
        read_only = f"{source.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(read_only, uri=True)) as src, closing(sqlite3.connect(tmp)) as dst:
            try:
                src.backup(dst)
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{source} cannot be read as SQLite: {exc}") from exc
            _check_sqlite(dst, source)
        if target.exists():
            _release(target)
        os.replace(tmp, target)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _release(path: Path) -> None:
    """Check that no other connection has ``path`` open, and fold its WAL into it. Leaving WAL mode
    needs the only connection to the file (as ``sync.server.db.repage_sqlite`` relies on too)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute(f"PRAGMA busy_timeout = {_IN_USE_WAIT_MS}")
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.OperationalError as exc:
            raise DatabaseInUse(f"{path} is in use: stop the teren-sync service(s) first") from exc
        if mode != "delete":
            raise DatabaseInUse(f"{path} is in use: stop the teren-sync service(s) first")


def _check_sqlite(conn: sqlite3.Connection, name: Path) -> None:
    check = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if check != ["ok"]:
        raise BackupError(f"{name} fails SQLite's integrity check: {check[:3]}")
    if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'counter'").fetchone()[0] != 1:
        raise BackupError(f"{name} is not a Teren sync database")


# -- PostgreSQL -----------------------------------------------------------------------------


def _pg_restore(db: Database, source: Path) -> None:
    """``pg_restore``'s script run by ``psql`` in one transaction, after dropping the service's
    tables (a newer schema may have tables the backup lacks) and before a new epoch: a failure
    anywhere leaves the database as it was."""
    with db.read() as conn:
        others = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'"
            )
        ).scalar_one()
    db.dispose()
    if others:
        raise DatabaseInUse(
            f"{others} other connection(s) to the database: stop the teren-sync service(s) first"
        )
    names = [table.name for table in t.metadata.sorted_tables] + ["alembic_version"]
    drop = "".join(f'DROP TABLE IF EXISTS "{name}" CASCADE;\n' for name in names)
    # The backup's epoch, if it has one, gives way to a new one (without: migration 0009 makes one).
    renew = (
        "RESET search_path;\nDO $$ BEGIN IF to_regclass('service_epoch') IS NOT NULL THEN EXECUTE "
        f"'UPDATE service_epoch SET value = {epoch.fresh()}, started_at = now()'; END IF; END $$;\n"
    )
    uri, env = _libpq(db)
    # Their messages go to files: a pipe nobody reads while the script streams could fill and stall.
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as psql_errors:
        script = subprocess.Popen(
            [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(source)],
            stdout=subprocess.PIPE,
            stderr=script_errors,
        )
        psql = subprocess.Popen(
            [_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
             "--file=-", f"--dbname={uri}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors, env=env,
        )
        assert script.stdout is not None and psql.stdin is not None
        try:
            psql.stdin.write(drop.encode())
            shutil.copyfileobj(script.stdout, psql.stdin)
            if script.wait() != 0:
                psql.kill()  # before its input ends: the transaction never commits
            else:
                psql.stdin.write(renew.encode())
                psql.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error: reported below
        finally:
            script.stdout.close()
        if script.wait() != 0:
            psql.wait()
            raise BackupError(f"pg_restore failed, nothing was changed: {_tail(script_errors)}")
        if psql.wait() != 0:
            raise BackupError(f"restore failed, nothing was changed: {_tail(psql_errors)}")


def _libpq(db: Database) -> tuple[str, dict[str, str]]:
    """The database as a libpq URI without its password, and an environment carrying it
    (``PGPASSWORD``: a command line is visible to every user of the machine)."""
    url = make_url(db.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], db: Database) -> None:
    uri, env = _libpq(db)
    done = subprocess.run([*args, f"--dbname={uri}"], capture_output=True, env=env, check=False)
    if done.returncode:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.decode(errors='replace').strip()}")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs (postgresql-client)")
    return found


def _tail(file: IO[bytes]) -> str:
    """The end of a program's messages (the last lines say what went wrong)."""
    file.seek(0)
    return file.read().decode(errors="replace").strip()[-2000:]


# -- both -----------------------------------------------------------------------------------


def _check_kind(db: Database, source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    with source.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if db.is_sqlite and not head.startswith(SQLITE_MAGIC):
        raise BackupError(f"{source} is not a SQLite backup (the database is SQLite)")
    if not db.is_sqlite and not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump custom-format backup (the database is PostgreSQL)")


@contextmanager
def _private_tmp(target: Path) -> Iterator[Path]:
    """A new empty file beside ``target``, readable by its owner only (it will hold personal
    data), removed unless the caller renamed it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.partial")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)
