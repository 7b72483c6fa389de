"""PostgreSQL restarted while devices push and pull through two service processes: the services stay
up and answer ``unavailable`` meanwhile, every device's user is told in plain words, and afterwards
the devices converge on exactly what they sent (nothing lost, nothing applied twice).

The PostgreSQL server restarted is a real one of the test's own (``throwaway_cluster``: initdb and
pg_ctl on a free port), so other tests' connections to the machine's cluster are not dropped and the
test runs beside them; it is skipped only where PostgreSQL's server programs are not installed.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from fieldapp.model import Contact
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine, SyncError
from sync.server import accounts
from sync.server import tables as t
from sync.server.db import Database
from tests.faults.helpers import Cluster, explained, service_records, throwaway_cluster
from tests.sync import processes
from tests.sync.conftest import PgDatabase
from tests.sync.helpers import contact_names, outbox_count

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DEVICES = 4
LOAD_SECONDS = 2.0  # of pushes and pulls before the restart, and again after it


def _started_at(cluster: Cluster) -> object:
    with psycopg.connect(cluster.admin_url, connect_timeout=5) as conn:
        return conn.execute("SELECT pg_postmaster_start_time()").fetchone()


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with throwaway_cluster() as running:
        yield running


@pytest.fixture
def pg(cluster: Cluster) -> PgDatabase:
    return cluster.create_database()  # goes with the cluster


class Field:
    """One device that keeps adding a contact and syncing until told to stop; records what its user
    was told."""

    def __init__(self, engine: SyncEngine, number: int) -> None:
        self.engine, self.number = engine, number
        self.created: dict[str, str] = {}
        self.codes: list[str] = []
        self.crashes: list[BaseException] = []

    def run(self, stop: threading.Event) -> None:
        rng = random.Random(self.number)
        store = self.engine.store
        try:
            while not stop.is_set():
                name = f"d{self.number}-{len(self.created)}"
                with store.write() as conn:
                    contact = store.save(conn, Contact(kind="resident", name=name))
                self.created[contact.id] = contact.name
                try:
                    self.engine.sync()
                except SyncError as exc:
                    self.codes.append(exc.code)
                    assert self.engine.status().last_error_code == exc.code
                time.sleep(rng.uniform(0.01, 0.08))
        except BaseException as exc:  # pragma: no cover - reported by the test
            self.crashes.append(exc)


def test_postgres_restarted_during_load(cluster: Cluster, pg: PgDatabase, tmp_path: Path) -> None:
    ports = [processes.free_port(), processes.free_port()]
    services = [processes.serve(pg.url, port) for port in ports]
    db = Database(pg.url)
    fields: list[Field] = []
    try:
        team = accounts.create_team(db, "A")
        for number in range(DEVICES):
            transport = HttpTransport(retries=0, timeout=10)
            engine = SyncEngine(Store(tmp_path / f"device-{number}.db"), transport, page_size=50)
            user = accounts.create_user(db, f"animator {number}", "animator", team_id=team)
            engine.enroll(accounts.create_enrollment(db, user, f"http://127.0.0.1:{ports[number % 2]}").uri)
            fields.append(Field(engine, number))
        program = accounts.program_of_user(db, user)
        before = _started_at(cluster)
        stop = threading.Event()
        threads = [threading.Thread(target=f.run, args=(stop,)) for f in fields]
        for thread in threads:
            thread.start()
        try:
            time.sleep(LOAD_SECONDS)
            cluster.restart()
            time.sleep(LOAD_SECONDS)
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
        assert _started_at(cluster) != before  # it really restarted
        assert all(service.poll() is None for service in services)  # the services rode it out

        for field in fields:
            assert not field.crashes, field.crashes
        told = {code for field in fields for code in field.codes}
        assert told, "no device noticed the restart"
        assert all(explained(code) for code in told), told
        assert told <= {"unavailable", "offline", "timeout"}, told  # never a server error

        for _ in range(2):  # everyone pushes what is left, then everyone pulls what the others sent
            for field in fields:
                field.engine.transport.retries = 4
                field.engine.sync()
        sent = {i: name for field in fields for i, name in field.created.items()}
        held = service_records(db, program, "contact")
        assert {i: data["name"] for i, data in held.items()} == sent  # nothing lost, nothing extra
        with db.read() as conn:
            seqs = conn.execute(sa.select(t.counter.c.value)).scalar_one()
        assert seqs == len(sent)  # one change each: no batch was applied twice
        for field in fields:
            assert outbox_count(field.engine.store) == 0
            assert contact_names(field.engine.store) == sent
            assert field.engine.status().last_error_code is None
    finally:
        for service in services:
            processes.stop(service)
        for field in fields:
            field.engine.store.close()
        db.dispose()
