"""Schema version 10: every stored datetime in one spelling, UTC ``YYYY-MM-DD HH:MM:SS.ffffff``.

That is the form SQLAlchemy binds for the ``DATETIME`` columns and ``codec.to_sqlite_datetime``
writes, so text comparison is time comparison. Before, the write path stored Python's
``2026-11-20 09:30:00+00:00`` and pulled records kept the wire's ``2026-11-20T09:30:00+00:00``:
on the same day a colleague's visit sorted after every one of this device's, counted as "later"
than them (a follow-up vanished) and never fell within "today". Columns are found by their declared
type, so the migration does not depend on today's models.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def utc_text(value: object) -> object:
    """The canonical spelling of a stored datetime; anything that does not parse stays as it is."""
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC)
        except OverflowError:
            return value
    return parsed.strftime(_FORMAT)


def _datetime_columns(conn: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
    ]
    found: dict[str, list[str]] = {}
    for table in tables:
        columns = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        names = [row[1] for row in columns if row[2].upper() == "DATETIME"]
        if names:
            found[table] = names
    return found


def upgrade(conn: sqlite3.Connection) -> None:
    conn.create_function("teren_utc_text", 1, utc_text, deterministic=True)
    for table, names in _datetime_columns(conn).items():
        for name in names:
            conn.execute(
                f'UPDATE "{table}" SET "{name}" = teren_utc_text("{name}") '
                f'WHERE "{name}" IS NOT NULL AND "{name}" IS NOT teren_utc_text("{name}")'
            )
