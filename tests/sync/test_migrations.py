"""The Alembic migrations build exactly the schema ``sync.server.tables`` declares, on both backends,
and running them again (another process starting) changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sync.server.db import Database
from sync.server.tables import metadata


def test_migrations_match_the_tables(backend: str) -> None:
    db = Database(backend)
    try:
        db.migrate()
        db.migrate()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
        assert differences == []
    finally:
        db.dispose()
