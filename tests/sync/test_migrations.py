"""The Alembic migrations build exactly the schema ``sync.server.tables`` declares, on both backends,
and running them again (another process starting) changes nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from sync.server import accounts
from sync.server import tables as t
from sync.server.cli import main
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


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migration_0020_notes_each_persons_newest_consent(kind: str, tmp_path: Path) -> None:
    """``consent_basis`` starts with each person's newest stored consent and whether it stores data."""
    pg = create_pg_database() if kind == "postgres" else None
    db = Database(pg.url if pg else tmp_path / "sync.db")
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0009")
        with db.engine.begin() as conn:
            rows = [
                ("a1", {"contact_id": "ala", "status": "given", "scope_store": True, "given_at": "2026-01"}),
                ("a2", {"contact_id": "ala", "status": "withdrawn", "given_at": "2026-02"}),
                ("o1", {"contact_id": "ola", "status": "given", "scope_store": True, "given_at": "2026-03"}),
            ]
            for seq, (record_id, data) in enumerate(rows, 1):
                conn.execute(
                    t.record.insert().values(
                        record_type="consent", id=record_id, program_id="p", team_id=None, seq=seq,
                        data=data, hlcs={}, field_seqs={}, base_hlc="x", updated_hlc="x", deleted=False,
                    )
                )
        db.migrate()
        with db.engine.connect() as conn:
            basis = sa.select(t.consent_basis.c.contact_id, t.consent_basis.c.stores)
            found = dict(conn.execute(basis).all())
        assert found == {"ala": False, "ola": True}
    finally:
        db.dispose()
        if pg:
            pg.drop()


def _old_sqlite_file(path: Path, teams: int = 1) -> Path:
    """A service file made before ``SQLITE_PAGE_SIZE``: SQLite's default 4 KiB pages, WAL, migrated."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE early (x)")
    old = Database(path)
    old.migrate()
    for number in range(teams):  # writes through the service's own connections
        team = accounts.create_team(old, f"Zespół {number}", program="Łódź")
        accounts.create_user(old, f"Ala {number}", "animator", team_id=team)
    old.dispose()
    return path


def _file_state(path: Path) -> tuple[int, str, list[tuple], list[tuple]]:
    with closing(sqlite3.connect(path)) as conn:  # closed: an open connection would block repage
        return (
            conn.execute("PRAGMA page_size").fetchone()[0],
            conn.execute("PRAGMA journal_mode").fetchone()[0],
            conn.execute("SELECT * FROM team ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM account ORDER BY id").fetchall(),
        )


def test_a_new_sqlite_file_gets_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """New service files use ``SQLITE_PAGE_SIZE`` (fewer pages written per push); a file made with
    SQLite's default 4 KiB pages is opened, migrated and written as it is."""
    fresh = Database(tmp_path / "new.db")
    fresh.migrate()
    fresh.dispose()
    old_path = _old_sqlite_file(tmp_path / "old.db")
    sizes = {}
    for path in (tmp_path / "new.db", old_path):
        with sqlite3.connect(path) as conn:
            sizes[path.name] = conn.execute("PRAGMA page_size").fetchone()[0]
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sizes == {"new.db": SQLITE_PAGE_SIZE, "old.db": 4096}
    assert SQLITE_PAGE_SIZE > 4096


def test_repage_converts_an_old_sqlite_file_and_then_has_nothing_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _old_sqlite_file(tmp_path / "old.db", teams=200)
    page_size, mode, teams, users = _file_state(path)
    assert (page_size, mode, len(teams), len(users)) == (4096, "wal", 200, 200)

    assert main(["--db", str(path), "repage"]) == 0
    out = capsys.readouterr().out
    assert f"page size: 4096 -> {SQLITE_PAGE_SIZE} bytes" in out
    assert "file size: " in out
    assert _file_state(path) == (SQLITE_PAGE_SIZE, "wal", teams, users)
    db = Database(path)
    try:
        team = accounts.create_team(db, "Po zmianie", program="Łódź")
        with db.read() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(t.team)).scalar_one() == 201
            name = conn.execute(sa.select(t.team.c.name).where(t.team.c.id == team)).scalar_one()
        assert name == "Po zmianie"
    finally:
        db.dispose()

    assert main(["--db", str(path), "repage"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert _file_state(path)[:2] == (SQLITE_PAGE_SIZE, "wal")


def test_repage_refuses_a_file_another_process_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _old_sqlite_file(tmp_path / "old.db", teams=20)
    before = _file_state(path)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        assert main(["--db", str(path), "repage"]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "stop the teren-sync service(s)" in err[0]
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert _file_state(path) == before  # still 4 KiB pages, still WAL, same rows


def test_repage_is_for_sqlite_files_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", "postgresql://nobody@127.0.0.1:1/none", "repage"]) == 2
    assert "only to SQLite" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "missing.db"), "repage"]) == 2
    assert "no SQLite file" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()
