"""Sync test fixtures: one real service per module and backend (SQLite file, PostgreSQL database),
real device stores in SQLite files, real HTTP between them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from sync.protocol import DEFAULT_PULL_PAGE, MAX_CHANGES_PER_BATCH
from sync.server import accounts
from sync.server.db import Database
from sync.server.files.storage import DiskStorage
from sync.server.local import LocalServer, start_local_server

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class PgDatabase:
    url: str
    name: str
    admin: str = PG_ADMIN

    def drop(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def create_pg_database(admin: str = PG_ADMIN) -> PgDatabase:
    """A database with a random name on the cluster that ``admin`` connects to (the machine's)."""
    name = f"teren_sync_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PgDatabase(admin.rsplit("/", 1)[0] + f"/{name}", name, admin)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database URL of a fresh service database (one per module and backend)."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("service") / "sync.db")
        return
    pg = create_pg_database()
    yield pg.url
    pg.drop()


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    running = start_local_server(backend, files=DiskStorage(tmp_path_factory.mktemp("files")))
    yield running
    running.stop()
    running.db.dispose()


@dataclass
class Device:
    store: Store
    engine: SyncEngine
    user_id: str

    @property
    def token(self) -> str:
        return self.engine.vault.read() or ""

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}


@dataclass
class World:
    """A fresh program with two teams on the shared service; makes users and enrolled devices."""

    server: LocalServer
    tmp_path: Path
    program_id: str = ""
    team_a: str = ""
    team_b: str = ""
    devices: list[Device] = field(default_factory=list)

    @property
    def db(self) -> Database:
        return self.server.db

    @property
    def url(self) -> str:
        return self.server.url

    def user(self, role: str = "animator", team: str | None = None) -> str:
        name = f"{role}-{uuid.uuid4().hex[:6]}"
        if role in ("supervisor", "admin"):
            return accounts.create_user(self.db, name, role, program_id=self.program_id)
        return accounts.create_user(self.db, name, role, team_id=team or self.team_a)

    def device(
        self,
        role: str = "animator",
        team: str | None = None,
        *,
        batch_size: int = MAX_CHANGES_PER_BATCH,
        page_size: int = DEFAULT_PULL_PAGE,
        **transport_options: Any,
    ) -> Device:
        """An enrolled device; ``transport_options`` go to its ``HttpTransport`` (quick retries)."""
        user_id = self.user(role, team)
        store = Store(self.tmp_path / f"device-{len(self.devices)}.db")
        transport = HttpTransport(**{"backoff": 0.01, "retries": 2, "timeout": 10.0, **transport_options})
        engine = SyncEngine(store, transport, batch_size=batch_size, page_size=page_size)
        made = accounts.create_enrollment(self.db, user_id, self.url)
        engine.enroll(made.uri)
        device = Device(store, engine, user_id)
        self.devices.append(device)
        return device

    def close(self) -> None:
        for device in self.devices:
            device.store.close()


@pytest.fixture
def world(server: LocalServer, tmp_path: Path) -> Iterator[World]:
    w = World(server, tmp_path)
    w.program_id = accounts.create_program(server.db, f"program-{uuid.uuid4().hex[:8]}")
    w.team_a = accounts.create_team(server.db, "Team A", program_id=w.program_id)
    w.team_b = accounts.create_team(server.db, "Team B", program_id=w.program_id)
    yield w
    w.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own (for tests that start and kill service processes)."""
    if request.param == "sqlite":
        yield str(tmp_path / "service.db")
        return
    pg = create_pg_database()
    yield pg.url
    pg.drop()
