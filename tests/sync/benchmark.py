"""Sync benchmark: one device pushes N new contacts to the embedded service, a second device pulls
them. Prints a JSON line last: ``PYTHONPATH=. python tests/sync/benchmark.py [N] [postgres]``
(``postgres``: a throw-away database on the local server, dropped afterwards)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from fieldapp.model import Contact
from fieldapp.store import Store
from sync.client import SyncClient
from sync.server import accounts
from sync.server.local import start_local_server
from tests.sync.conftest import create_pg_database


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    folder = Path(tempfile.mkdtemp(prefix="teren-sync-bench-"))
    pg = create_pg_database() if sys.argv[2:3] == ["postgres"] else None
    database = pg.url if pg else str(folder / "service.db")
    try:
        run(count, folder, database)
    finally:
        if pg:
            pg.drop()


def run(count: int, folder: Path, database: str) -> None:
    with start_local_server(database) as server:
        team = accounts.create_team(server.db, "Bench")

        def device(name: str) -> tuple[Store, SyncClient]:
            user = accounts.create_user(server.db, name, "animator", team_id=team)
            store = Store(folder / f"{name}.db")
            client = SyncClient(store)
            client.enroll(accounts.create_enrollment(server.db, user, server.url).uri)
            return store, client

        (writer, pusher), (reader, puller) = device("writer"), device("reader")
        with writer.write() as conn:
            for number in range(count):
                writer.save(conn, Contact(kind="resident", name=f"Osoba {number}", street="Piotrkowska",
                                          house_number=str(number % 200), notes="notatka " * 10))
        started = time.perf_counter()
        pushed = pusher.sync()
        push_s = time.perf_counter() - started
        started = time.perf_counter()
        pulled = puller.sync()
        pull_s = time.perf_counter() - started
        writer.close()
        reader.close()
        server.db.dispose()
    print(json.dumps({
        "benchmark": "sync_push_pull",
        "backend": "postgresql" if database.startswith("postgres") else "sqlite",
        "records": count,
        "push_s": round(push_s, 3),
        "pull_s": round(pull_s, 3),
        "push_per_s": round(pushed.applied / push_s),
        "pull_per_s": round(pulled.pulled / pull_s),
        "batches": pushed.batches,
    }))


if __name__ == "__main__":
    main()
