"""The Alembic migrations build exactly the schema ``sync.server.tables`` declares, on both backends,
and running them again (another process starting) changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from sync.server import accounts
from sync.server import tables as t
from sync.server.db import MIGRATIONS_DIR, SQLITE_PAGE_SIZE, Database
from sync.server.tables import metadata
from tests.sync.conftest import create_pg_database


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


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migration_0004_lists_the_contacts_already_erased(kind: str, tmp_path: Path) -> None:
    """``erased_contact`` starts with every stored contact whose ``erased_at`` is set, and only those."""
    pg = create_pg_database() if kind == "postgres" else None
    db = Database(pg.url if pg else tmp_path / "sync.db")
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0003")
        with db.engine.begin() as conn:
            rows = [
                ("contact", "erased", {"name": "", "erased_at": "2026-11-23T06:00:00+00:00"}),
                ("contact", "kept", {"name": "Ala", "erased_at": None}),
                ("contact", "never", {"name": "Ola"}),
                ("visit", "not-a-contact", {"erased_at": "2026-11-23T06:00:00+00:00"}),
            ]
            for seq, (record_type, record_id, data) in enumerate(rows, 1):
                conn.execute(
                    t.record.insert().values(
                        record_type=record_type, id=record_id, program_id="p", team_id=None, seq=seq,
                        data=data, hlcs={}, field_seqs={}, base_hlc="x", updated_hlc="x", deleted=False,
                    )
                )
        db.migrate()
        with db.engine.connect() as conn:
            assert conn.execute(sa.select(t.erased_contact.c.id)).scalars().all() == ["erased"]
    finally:
        db.dispose()
        if pg:
            pg.drop()


def test_a_new_sqlite_file_gets_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """New service files use ``SQLITE_PAGE_SIZE`` (fewer pages written per push); a file made with
    SQLite's default 4 KiB pages is opened, migrated and written as it is."""
    fresh = Database(tmp_path / "new.db")
    fresh.migrate()
    fresh.dispose()
    old_path = tmp_path / "old.db"
    with sqlite3.connect(old_path) as conn:
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE early (x)")
    old = Database(old_path)
    old.migrate()
    accounts.create_team(old, "Zespół")  # a write through the service's own connections
    old.dispose()
    sizes = {}
    for path in (tmp_path / "new.db", old_path):
        with sqlite3.connect(path) as conn:
            sizes[path.name] = conn.execute("PRAGMA page_size").fetchone()[0]
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sizes == {"new.db": SQLITE_PAGE_SIZE, "old.db": 4096}
    assert SQLITE_PAGE_SIZE > 4096
