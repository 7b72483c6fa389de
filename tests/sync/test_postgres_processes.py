"""Two service processes on one PostgreSQL database: concurrent pushes through both, and a reader
paging through the change sequence meanwhile sees every change exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fieldapp.store import Store
from sync.client import SyncClient
from sync.server import accounts
from sync.server.db import Database
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
        clients = []
        for number in range(DEVICES):
            store = Store(tmp_path / f"device-{number}.db")
            stores.append(store)
            client = SyncClient(store, batch_size=7, backoff=0.01)
            user = accounts.create_user(db, f"animator {number}", "animator", team_id=team)
            client.enroll(accounts.create_enrollment(db, user, urls[number % 2]).uri)
            clients.append(client)
        shared = add_contact(stores[0], "shared")
        clients[0].sync()
        for number, (client, store) in enumerate(zip(clients, stores, strict=True)):
            client.sync()
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

        def push(client: SyncClient) -> None:
            try:
                client.sync()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        pull_thread = threading.Thread(target=reader)
        pull_thread.start()
        threads = [threading.Thread(target=push, args=(client,)) for client in clients]
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
        for client in clients:
            client.sync()
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
