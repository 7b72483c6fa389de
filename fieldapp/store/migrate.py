"""Versioned schema migrations of the device's SQLite file.

The schema version lives in ``PRAGMA user_version``. Migration ``NNNN_name.sql`` or
``NNNN_name.py`` (with ``upgrade(conn)``) brings the file from version NNNN-1 to NNNN; each runs in
its own transaction together with the version bump, so a crash mid-migration leaves the previous
version intact and the next start simply runs it again. Migrations only ever add or transform: they
keep every row.
"""

from __future__ import annotations

import importlib
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: A migration's file: ``.pyc`` too, as the phone gets them (``flet build`` compiles the app with
#: ``compileall -b`` and deletes its ``.py`` files).
_NAME = re.compile(r"^(\d{4})_\w+\.(sql|py|pyc)$")


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path

    def apply(self, conn: sqlite3.Connection) -> None:
        if self.path.suffix == ".sql":
            for statement in _statements(self.path.read_text(encoding="utf-8")):
                conn.execute(statement)
        else:
            module = importlib.import_module(f"fieldapp.store.migrations.{self.path.stem}")
            module.upgrade(conn)


def _statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def available() -> list[Migration]:
    found = []
    for path in MIGRATIONS_DIR.iterdir():
        match = _NAME.match(path.name)
        if match and not (path.suffix == ".pyc" and path.with_suffix(".py").exists()):
            found.append(Migration(int(match.group(1)), path))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {[m.path.name for m in found]}")
    return found


LATEST_VERSION = max(m.version for m in available())


def current_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Bring the database to ``target`` (default: latest). Returns the version reached.

    ``conn`` must be in autocommit mode (``isolation_level=None``): each step opens its own
    ``BEGIN IMMEDIATE`` so that two processes starting at once cannot both migrate.
    """
    target = LATEST_VERSION if target is None else target
    version = current_version(conn)
    if version > LATEST_VERSION:
        raise RuntimeError(
            f"the database has schema version {version}, newer than this app ({LATEST_VERSION}); "
            "update the app"
        )
    for migration in available():
        if migration.version <= version or migration.version > target:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if current_version(conn) >= migration.version:  # another process got there first
                conn.execute("ROLLBACK")
                continue
            migration.apply(conn)
            conn.execute(f"PRAGMA user_version = {migration.version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = migration.version
    return current_version(conn)
