"""Sample data syncs like data a user made: pushed through the real service, pulled by a teammate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldapp.model.registry import RECORD_TYPES
from fieldapp.sample import fill
from fieldapp.store import Store

pytest.importorskip("fastapi")

from fieldapp.sync import HttpTransport, SyncEngine
from sync.server import accounts
from sync.server.local import LocalServer, start_local_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    running = start_local_server(tmp_path_factory.mktemp("service") / "sync.db")
    yield running
    running.stop()
    running.db.dispose()


def _device(server: LocalServer, path: Path, team: str, name: str) -> tuple[Store, SyncEngine]:
    user = accounts.create_user(server.db, name, "animator", team_id=team)
    store = Store(path)
    engine = SyncEngine(store, HttpTransport(backoff=0.01, retries=2, timeout=20.0))
    engine.enroll(accounts.create_enrollment(server.db, user, server.url).uri)
    return store, engine


def _counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            name: conn.exec_driver_sql(f"SELECT count(*) FROM {model.__tablename__}").scalar_one()
            for name, model in RECORD_TYPES.items()
        }


@pytest.mark.parametrize("enrolled_first", [True, False], ids=["enrolled", "filled-before-enrolment"])
def test_sample_data_reaches_a_teammate(server: LocalServer, tmp_path: Path, enrolled_first: bool) -> None:
    program = accounts.create_program(server.db, f"sample-{enrolled_first}")
    team = accounts.create_team(server.db, "Łódź", program_id=program)
    path = tmp_path / "a.db"
    if not enrolled_first:
        early = Store(path)
        fill(early, contacts=120, visits=300, seed=4)
        early.close()
    a_store, a = _device(server, path, team, f"ola-{enrolled_first}")
    b_store, b = _device(server, tmp_path / "b.db", team, f"kuba-{enrolled_first}")
    try:
        if enrolled_first:
            fill(a_store, contacts=120, visits=300, seed=4)
        written = _counts(a_store)
        receipt = a.sync()
        assert receipt.rejected == [] and receipt.still_pending == 0 and a_store.pending_changes() == 0
        assert receipt.applied + receipt.merged == receipt.pushed >= sum(written.values())
        b.sync()
        assert _counts(b_store) == written
        if enrolled_first:  # records made before enrolment carry no author (the service keeps None)
            with b_store.engine.connect() as conn:
                authors = conn.exec_driver_sql("SELECT DISTINCT author_id FROM contact").all()
            assert authors == [(a_store.user_id,)]
        with a_store.engine.connect() as conn:
            name = conn.exec_driver_sql(
                "SELECT name FROM contact WHERE kind = 'ngo' AND name != '' ORDER BY rowid LIMIT 1"
            ).scalar_one()
        assert name in [c.name for c in b_store.search_contacts(name, limit=200)]
    finally:
        a_store.close()
        b_store.close()
