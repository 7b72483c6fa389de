"""Checks shared by the fault tests: what the service holds for a program, per record."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from fieldapp.i18n import LANGUAGES, catalogs
from sync.server import tables as t
from sync.server.db import Database


def service_records(db: Database, program_id: str, record_type: str) -> dict[str, dict[str, Any]]:
    query = sa.select(t.record.c.id, t.record.c.data).where(
        (t.record.c.program_id == program_id) & (t.record.c.record_type == record_type)
    )
    with db.read() as conn:
        return {row.id: row.data for row in conn.execute(query)}


def explained(code: str) -> bool:
    """The sync screen has plain words for this error code in every language."""
    key = f"sync.error.{code}"
    return all(key in catalogs()[lang] for lang in LANGUAGES)
