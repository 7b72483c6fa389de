"""SIGKILL of the service process while a device pulls many pages: the device is told it is offline, and
once the service is back it resumes from its saved cursor (nothing pulled twice, nothing skipped) and
ends with exactly the service's data."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from fieldapp.model import Contact
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine, SyncError
from sync.server import accounts
from sync.server.db import Database
from tests.faults.helpers import explained, service_records
from tests.sync import processes
from tests.sync.helpers import contact_names

RECORDS = 300
PAGE = 25
KILL_AFTER_PAGES = 4


class PullRecorder(requests.Session):
    """Records each pull's ``after`` and the ids it got; runs ``hook`` once after the n-th page."""

    def __init__(self, after_pages: int = 0, hook: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.after_pages, self.hook = after_pages, hook
        self.pulls: list[tuple[int, list[str]]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        if url.endswith("/v1/pull"):
            page = response.json()
            ids = [r["id"] for r in page["records"]]
            # A first pull gets its rows in columns (``sync.protocol.ColumnPage``), the id first.
            ids += [row[0] for table in page.get("tables", {}).values() for row in table["rows"]]
            self.pulls.append((int(kwargs["params"]["after"]), ids))
            if self.hook is not None and len(self.pulls) == self.after_pages:
                hook, self.hook = self.hook, None
                hook()  # the page is in hand, not yet applied
        return response


def _device(
    tmp_path: Path,
    db: Database,
    team: str,
    url: str,
    name: str,
    *,
    session: requests.Session | None = None,
    retries: int = 4,
    **options: Any,
) -> SyncEngine:
    store = Store(tmp_path / f"{name}.db")
    engine = SyncEngine(store, HttpTransport(session, retries=retries, backoff=0.01), **options)
    user = accounts.create_user(db, name, "animator", team_id=team)
    engine.enroll(accounts.create_enrollment(db, user, url).uri)
    return engine


def _add(store: Store, prefix: str, count: int) -> None:
    with store.write() as conn:
        for number in range(count):
            store.save(conn, Contact(kind="resident", name=f"{prefix} {number}"))


def _kill(service: subprocess.Popen[bytes]) -> None:
    service.kill()
    service.wait(10)


@pytest.mark.slow
def test_service_killed_during_pulls_then_the_device_resumes(service_db: str, tmp_path: Path) -> None:
    db = Database(service_db)
    db.migrate()
    port = processes.free_port()
    url = f"http://127.0.0.1:{port}"
    team = accounts.create_team(db, "A")
    program = accounts.program_of_user(db, accounts.create_user(db, "x", "animator", team_id=team))
    service = processes.serve(service_db, port)
    engines: list[SyncEngine] = []
    try:
        writer = _device(tmp_path, db, team, url, "writer", batch_size=100)
        engines.append(writer)
        _add(writer.store, "Osoba", RECORDS)
        writer.sync()

        killing = PullRecorder(KILL_AFTER_PAGES, lambda: _kill(service))
        reader = _device(tmp_path, db, team, url, "reader", session=killing, page_size=PAGE, retries=1)
        engines.append(reader)
        with pytest.raises(SyncError) as error:
            reader.sync()
        assert error.value.code == "offline" and explained(error.value.code)
        assert reader.status().last_error_code == "offline"
        before_kill = {i for _, ids in killing.pulls for i in ids}
        assert len(killing.pulls) == KILL_AFTER_PAGES and len(before_kill) == KILL_AFTER_PAGES * PAGE
        assert set(contact_names(reader.store)) == before_kill  # every page in hand was applied
        saved = int(reader.store.meta("sync.cursor") or 0)
        assert saved > 0

        service = processes.serve(service_db, port)  # the operator (or systemd) starts it again
        _add(writer.store, "Po restarcie", 20)
        writer.sync()
        resuming = PullRecorder()
        resumed = SyncEngine(reader.store, HttpTransport(session=resuming, backoff=0.01), page_size=PAGE)
        receipt = resumed.sync()

        assert resuming.pulls[0][0] == saved  # from the saved cursor, not from the start
        after_restart = [i for _, ids in resuming.pulls for i in ids]
        assert len(after_restart) == len(set(after_restart)) == receipt.pulled
        assert not before_kill & set(after_restart)  # nothing pulled twice
        held = service_records(db, program, "contact")
        assert len(held) == RECORDS + 20
        assert contact_names(reader.store) == {i: data["name"] for i, data in held.items()}
        assert reader.status().last_error_code is None
    finally:
        processes.stop(service)
        for engine in engines:
            engine.store.close()
        db.dispose()
