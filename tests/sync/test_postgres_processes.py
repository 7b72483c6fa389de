"""Two service processes on one PostgreSQL database: concurrent pushes through both, and a reader
paging through the change sequence meanwhile sees every change exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from fieldapp.model import Visit
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from sync.server import accounts
from sync.server import tables as t
from sync.server.db import Database
from sync.server.local import start_local_server
from tests.sync import processes
from tests.sync.conftest import create_pg_database
from tests.sync.helpers import add_contact, contact_names, edit

pytestmark = pytest.mark.postgres

DEVICES = 4
RECORDS = 25


@pytest.fixture
def pg_url() -> Iterator[str]:
    pg = create_pg_database()
    yield pg.url
    pg.drop()


def test_two_processes_concurrent_pushes_and_a_pull_that_skips_nothing(pg_url: str, tmp_path: Path) -> None:
    ports = [processes.free_port(), processes.free_port()]
    # Started together on an empty database: the two processes race through start-up migration.
    services = [processes.launch(processes.serve_args(pg_url, port)) for port in ports]
    try:
        for service, port in zip(services, ports, strict=True):
            processes.wait(service, port)
    except BaseException:
        for service in services:
            processes.stop(service)
        raise
    db = Database(pg_url)
    team = accounts.create_team(db, "A")
    program = accounts.program_of_user(db, accounts.create_user(db, "x", "animator", team_id=team))
    boss = accounts.create_user(db, "Boss", "supervisor", program_id=program)
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    stores: list[Store] = []
    try:
        boss_token = accounts.redeem(db, accounts.create_enrollment(db, boss, urls[1]).code, "boss").token
        engines = []
        for number in range(DEVICES):
            store = Store(tmp_path / f"device-{number}.db")
            stores.append(store)
            engine = SyncEngine(store, HttpTransport(backoff=0.01), batch_size=7)
            user = accounts.create_user(db, f"animator {number}", "animator", team_id=team)
            engine.enroll(accounts.create_enrollment(db, user, urls[number % 2]).uri)
            engines.append(engine)
        shared = add_contact(stores[0], "shared")
        engines[0].sync()
        for number, (engine, store) in enumerate(zip(engines, stores, strict=True)):
            engine.sync()
            for index in range(RECORDS):
                add_contact(store, f"d{number}-{index}")
            on_device = store.get(type(shared), shared.id)
            edit(store, on_device, notes=f"edited on device {number}")

        seen: list[tuple[int, str]] = []
        pushing = threading.Event()
        pushing.set()
        errors: list[BaseException] = []

        def reader() -> None:
            cursor = 0
            try:
                while True:
                    still_pushing = pushing.is_set()
                    page = requests.get(
                        f"{urls[1]}/v1/pull",
                        params={"after": cursor, "limit": 5},
                        headers={"Authorization": f"Bearer {boss_token}"},
                        timeout=30,
                    ).json()
                    seen.extend((r["seq"], r["id"]) for r in page["records"])
                    cursor = page["cursor"]
                    if not page["has_more"] and not still_pushing:
                        return
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        def push(engine: SyncEngine) -> None:
            try:
                engine.sync()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        pull_thread = threading.Thread(target=reader)
        pull_thread.start()
        threads = [threading.Thread(target=push, args=(engine,)) for engine in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        pushing.clear()
        pull_thread.join(60)

        assert not errors, errors
        ids = [record_id for _, record_id in seen if record_id != shared.id]
        assert len(ids) == len(set(ids)) == DEVICES * RECORDS
        seqs = [seq for seq, _ in seen]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        # Every device converges on everything its team pushed.
        for engine in engines:
            engine.sync()
        assert all(len(contact_names(store)) == DEVICES * RECORDS + 1 for store in stores)
        # The concurrent edits of one record converge on the latest, everywhere.
        notes = {store.get(type(shared), shared.id).notes for store in stores}  # type: ignore[union-attr]
        assert notes == {f"edited on device {DEVICES - 1}"}
    finally:
        for service in services:
            processes.stop(service)
        for store in stores:
            store.close()
        db.dispose()


def test_a_reader_never_skips_a_change_committed_late(pg_url: str, tmp_path: Path) -> None:
    """A push that holds its sequence number uncommitted makes readers wait at that point, and
    pushes behind it wait too: sequence numbers become visible in order."""
    server = start_local_server(pg_url)
    db = server.db
    team = accounts.create_team(db, "A")
    animator = accounts.create_user(db, "Ala", "animator", team_id=team)
    boss = accounts.create_user(db, "Boss", "supervisor", program_id=accounts.program_of_user(db, animator))
    boss_token = accounts.redeem(db, accounts.create_enrollment(db, boss, server.url).code, "boss").token
    store = Store(tmp_path / "device.db")

    def pull(after: int) -> dict[str, Any]:
        return requests.get(
            f"{server.url}/v1/pull", params={"after": after},
            headers={"Authorization": f"Bearer {boss_token}"}, timeout=30,
        ).json()

    try:
        engine = SyncEngine(store, HttpTransport(backoff=0.01))
        engine.enroll(accounts.create_enrollment(db, animator, server.url).uri)
        add_contact(store, "first")
        engine.sync()
        first = pull(0)
        assert len(first["records"]) == 1
        cursor = first["cursor"]
        slow = db.engine.connect()
        transaction = slow.begin()
        seq = slow.execute(sa.select(t.counter.c.value).with_for_update()).scalar_one()
        slow.execute(
            sa.insert(t.record).values(
                record_type="contact", id="slow-one", program_id=accounts.program_of_user(db, animator),
                team_id=team, seq=seq + 1,
                data={"kind": "resident", "name": "slow"}, hlcs={}, field_seqs={},
                base_hlc=first["records"][0]["base_hlc"], updated_hlc=first["records"][0]["base_hlc"],
                deleted=False,
            )
        )
        slow.execute(sa.update(t.counter).values(value=seq + 1))
        add_contact(store, "behind the slow one")
        pushing = threading.Thread(target=engine.sync)
        pushing.start()
        time.sleep(0.3)
        assert pushing.is_alive()  # waits for the slow push's lock
        during = pull(cursor)
        assert during["records"] == [] and during["cursor"] == cursor  # nothing skipped over
        transaction.commit()
        slow.close()
        pushing.join(30)
        after = pull(cursor)
        assert after["records"][0]["id"] == "slow-one"
        assert [r["fields"]["name"] for r in after["records"]] == ["slow", "behind the slow one"]
    finally:
        store.close()
        server.stop()
        db.dispose()


def test_an_erasure_made_through_one_process_reaches_a_visit_pushed_through_the_other(
    pg_url: str, tmp_path: Path
) -> None:
    """A visit written offline before the erasure of its contact, pushed through another service
    process than the erasure, loses its personal fields there too: the other process knows of the
    erasure from the database (``erased_contact``), not from anything it keeps itself."""
    ports = [processes.free_port(), processes.free_port()]
    services = [processes.serve(pg_url, port) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    db = Database(pg_url)
    stores: list[Store] = []
    try:
        team = accounts.create_team(db, "A")
        animator = accounts.create_user(db, "Ala", "animator", team_id=team)
        program = accounts.program_of_user(db, animator)
        boss = accounts.create_user(db, "Boss", "supervisor", program_id=program)
        engines = []
        for number, (user, url) in enumerate(((animator, urls[0]), (boss, urls[1]))):
            store = Store(tmp_path / f"device-{number}.db")
            stores.append(store)
            engine = SyncEngine(store, HttpTransport(backoff=0.01))
            engine.enroll(accounts.create_enrollment(db, user, url).uri)
            engines.append(engine)
        field, office = stores
        person = add_contact(field, "Jan Kowalski", phone="600100200")
        other = add_contact(field, "Ewa Nowak")
        engines[0].sync()  # through process 0: both contacts, nobody erased yet
        with field.write() as conn:  # written offline, before the erasure is known
            visit = field.save(conn, Visit(contact_id=person.id, outcome="talked", notes="mówił o długach"))
            kept = field.save(conn, Visit(contact_id=other.id, outcome="talked", notes="chce pomóc"))
        engines[1].sync()
        on_office = office.get(type(person), person.id)
        edit(office, on_office, erased_at=datetime.now(UTC), name="", phone="")
        engines[1].sync()  # the erasure, through process 1
        engines[0].sync()  # the visits, through process 0
        with db.engine.connect() as conn:
            notes = dict(
                conn.execute(
                    sa.select(t.record.c.id, t.record.c.data["notes"].as_string()).where(
                        t.record.c.record_type == "visit"
                    )
                ).all()
            )
            erased = conn.execute(sa.select(t.erased_contact.c.id)).scalars().all()
        assert notes == {visit.id: "", kept.id: "chce pomóc"}
        assert erased == [person.id]
    finally:
        for service in services:
            processes.stop(service)
        for store in stores:
            store.close()
        db.dispose()
