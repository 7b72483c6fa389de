"""Exactly-once push through lost answers, killed processes and edits made while a batch is in flight;
retries with backoff; the background loop."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from fieldapp.store import Store
from fieldapp.sync import AutoSync, HttpTransport, SyncEngine, SyncError
from sync.server import accounts
from sync.server import tables as t
from sync.server.db import Database
from sync.server.local import start_local_server
from tests.sync import processes
from tests.sync.conftest import World
from tests.sync.helpers import add_contact, contact_names, edit, outbox_count, unpack_push


class FlakySession(requests.Session):
    """Sends every request; for the chosen pushes the answer is lost (or something runs meanwhile)."""

    def __init__(self, lose: int = 0, during_push: Any = None) -> None:
        super().__init__()
        self.lose = lose
        self.during_push = during_push
        self.batch_ids: list[str] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.endswith("/v1/push"):
            self.batch_ids.append(json.loads(unpack_push(kwargs))["batch_id"])
            if self.during_push is not None:
                hook, self.during_push = self.during_push, None
                hook()
        response = super().request(method, url, *args, **kwargs)
        if url.endswith("/v1/push") and self.lose > 0:
            self.lose -= 1
            raise requests.ConnectionError("connection dropped after the request was sent")
        return response


def _seq(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(sa.select(t.counter.c.value)).scalar_one()


def test_lost_answer_is_retried_with_the_same_batch_id(world: World) -> None:
    a = world.device()
    session = FlakySession(lose=1)
    engine = SyncEngine(a.store, HttpTransport(session=session, backoff=0.01, retries=3))
    for name in ("Ala", "Ola", "Ela"):
        add_contact(a.store, name)
    seq = _seq(world.db)
    receipt = engine.sync()
    assert len(session.batch_ids) == 2 and session.batch_ids[0] == session.batch_ids[1]
    assert receipt.applied == 3 and outbox_count(a.store) == 0 and a.store.meta("sync.inflight") is None
    assert _seq(world.db) == seq + 3


def test_unacknowledged_batch_resumes_after_a_restart(world: World) -> None:
    a = world.device()
    ala = add_contact(a.store, "Ala")
    add_contact(a.store, "Ola")
    seq = _seq(world.db)
    dying = SyncEngine(a.store, HttpTransport(session=FlakySession(lose=99), backoff=0.001, retries=1))
    with pytest.raises(SyncError) as error:
        dying.sync()
    assert error.value.code == "offline"
    assert a.engine.status().last_error_code == "offline"
    inflight = a.store.meta("sync.inflight")
    assert inflight and outbox_count(a.store) == 2  # committed on the service, not acknowledged here
    edit(a.store, ala, name="Ala after the crash")

    session = FlakySession()
    receipt = SyncEngine(a.store, HttpTransport(session=session, backoff=0.01)).sync()

    assert session.batch_ids[0] in inflight  # the same batch again first
    assert receipt.batches == 2 and outbox_count(a.store) == 0
    assert _seq(world.db) == seq + 3  # two inserts once, one update
    b = world.device()
    b.engine.sync()
    assert sorted(contact_names(b.store).values()) == ["Ala after the crash", "Ola"]
    assert a.engine.status().last_error_code is None


#: A device process that dies (no cleanup) where it would settle its first answered batch: by then
#: the next batch is named in flight and on its way.
_DIES_AFTER_SENDING_THE_SECOND_BATCH = """
import os, sys
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from fieldapp.sync.push import Push

Push._settle = lambda *args: os._exit(9)
SyncEngine(Store(sys.argv[1]), HttpTransport(backoff=0.01), batch_size=2).sync()
"""


def test_a_device_killed_with_two_batches_in_flight_sends_both_again_first(world: World) -> None:
    a = world.device()
    for name in ("Ala", "Ola", "Ela", "Ula"):
        add_contact(a.store, name)
    seq = _seq(world.db)
    path = a.store.path
    a.store.close()
    dying = processes.launch(["-c", _DIES_AFTER_SENDING_THE_SECOND_BATCH, str(path)])
    assert dying.wait(60) == 9
    store = Store(path)
    inflight = [batch["batch_id"] for batch in json.loads(store.meta("sync.inflight") or "[]")]
    assert len(inflight) == 2 and outbox_count(store) == 4  # nothing settled before the death

    session = FlakySession()
    receipt = SyncEngine(store, HttpTransport(session=session, backoff=0.01), batch_size=2).sync()

    assert session.batch_ids[:2] == inflight  # the same batches again, in order
    assert outbox_count(store) == 0 and store.meta("sync.inflight") is None
    assert receipt.pushed == 4
    assert _seq(world.db) == seq + 4  # each record stored once
    b = world.device()
    b.engine.sync()
    assert sorted(contact_names(b.store).values()) == ["Ala", "Ela", "Ola", "Ula"]
    store.close()


#: A device process that dies while its first batch travels; meanwhile the syncing thread has read
#: the next window of the outbox (a window of two rows: one batch each) to encode the next batch.
_DIES_WHILE_THE_FIRST_BATCH_TRAVELS = """
import os, sys, time
import fieldapp.sync.push
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from fieldapp.sync.push import Push

fieldapp.sync.push.OUTBOX_WINDOW = 2
def travel(*args):
    time.sleep(1.0)
    os._exit(9)
Push._post = travel
SyncEngine(Store(sys.argv[1]), HttpTransport(backoff=0.01), batch_size=2).sync()
"""


def test_reading_the_next_window_keeps_the_travelling_batch_named(world: World) -> None:
    """The next window is read while a batch travels; the batch stays named in flight (a reader
    that took it for a leftover of a crash would forget it) and goes again, first, same id."""
    a = world.device()
    for name in ("Ala", "Ola", "Ela", "Ula"):
        add_contact(a.store, name)
    path = a.store.path
    a.store.close()
    dying = processes.launch(["-c", _DIES_WHILE_THE_FIRST_BATCH_TRAVELS, str(path)])
    assert dying.wait(60) == 9
    store = Store(path)
    [travelling] = json.loads(store.meta("sync.inflight") or "[]")
    assert len(travelling["seqs"]) == 2

    session = FlakySession()
    receipt = SyncEngine(store, HttpTransport(session=session, backoff=0.01), batch_size=2).sync()

    assert session.batch_ids[0] == travelling["batch_id"]
    assert receipt.pushed == 4 and outbox_count(store) == 0
    store.close()


def test_an_edit_during_a_push_is_pushed_too(world: World) -> None:
    a = world.device()
    ala = add_contact(a.store, "Ala")
    session = FlakySession(during_push=lambda: edit(a.store, ala, name="edited in flight"))
    receipt = SyncEngine(a.store, HttpTransport(session=session, backoff=0.01)).sync()
    assert receipt.batches == 2 and outbox_count(a.store) == 0
    b = world.device()
    b.engine.sync()
    assert contact_names(b.store)[ala.id] == "edited in flight"


def test_network_errors_are_retried_then_reported(world: World, tmp_path: Path) -> None:
    a = world.device()
    add_contact(a.store, "Ala")
    naps: list[float] = []
    engine = SyncEngine(a.store, HttpTransport(backoff=0.5, max_backoff=2, retries=3, sleep=naps.append))
    real = a.store.meta("sync.server_url")
    a.store.set_meta("sync.server_url", f"http://127.0.0.1:{processes.free_port()}")
    with pytest.raises(SyncError) as error:
        engine.sync()
    assert error.value.code == "offline" and len(naps) == 3
    assert 0.25 <= naps[0] <= 0.5 and 0.5 <= naps[1] <= 1 and 1 <= naps[2] <= 2  # exponential, jittered
    a.store.set_meta("sync.server_url", real)
    assert engine.sync().applied == 1


def test_background_sync_pushes_and_survives_failures(world: World) -> None:
    a = world.device()
    auto = AutoSync(a.engine, interval=60, poll=0.05, min_delay=0.05)
    auto.start()
    try:
        add_contact(a.store, "Ala")
        auto.request()
        deadline = time.monotonic() + 10
        while outbox_count(a.store) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert outbox_count(a.store) == 0
        real = a.store.meta("sync.server_url")
        a.store.set_meta("sync.server_url", f"http://127.0.0.1:{processes.free_port()}")
        add_contact(a.store, "Ola")
        auto.request()
        deadline = time.monotonic() + 10
        while auto.failures == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert auto.failures >= 1 and auto.last_error == "offline"
        a.store.set_meta("sync.server_url", real)
        auto.request()
        deadline = time.monotonic() + 10
        while outbox_count(a.store) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert outbox_count(a.store) == 0
    finally:
        auto.stop()


def test_service_killed_after_commit_then_resent_exactly_once(service_db: str, tmp_path: Path) -> None:
    url = service_db
    db = Database(url)
    db.migrate()
    port = processes.free_port()
    server_url = f"http://127.0.0.1:{port}"
    team = accounts.create_team(db, "A")
    user = accounts.create_user(db, "Ala", "animator", team_id=team)
    store = Store(tmp_path / "device.db")
    crashing = processes.start(["tests/sync/crashing_server.py", url, str(port)], port)
    try:
        engine = SyncEngine(store, HttpTransport(backoff=0.01, retries=0))
        engine.enroll(accounts.create_enrollment(db, user, server_url).uri)
        for name in ("Ala", "Ola", "Ela"):
            add_contact(store, name)
        with pytest.raises(SyncError) as error:
            engine.sync()
        assert error.value.code == "offline"
        assert crashing.wait(10) == 17
        assert _seq(db) == 3 and outbox_count(store) == 3
        # A fresh service on the same address (in this process: a second interpreter start is slow).
        with start_local_server(url, port=port):
            receipt = engine.sync()
        assert receipt.applied == 3 and receipt.pulled == 0 and outbox_count(store) == 0
        assert _seq(db) == 3
        with db.read() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(t.record)).scalar_one() == 3
            assert conn.execute(sa.select(sa.func.count()).select_from(t.batch)).scalar_one() == 1
    finally:
        processes.stop(crashing)
        store.close()
        db.dispose()


def test_a_batch_refused_as_too_large_is_sent_in_smaller_batches(tmp_path: Path) -> None:
    with start_local_server(tmp_path / "service.db", max_body_bytes=40_000) as server:
        team = accounts.create_team(server.db, "A")
        user = accounts.create_user(server.db, "Ala", "animator", team_id=team)
        store = Store(tmp_path / "device.db")
        try:
            engine = SyncEngine(store, HttpTransport(backoff=0.01))
            engine.enroll(accounts.create_enrollment(server.db, user, server.url).uri)
            for number in range(60):
                add_contact(store, f"Osoba {number}", notes=f"{number} " * 300)
            receipt = engine.sync()
            assert receipt.applied == 60 and outbox_count(store) == 0 and receipt.batches > 2
            add_contact(store, "Too long", notes="x" * 50_000)
            with pytest.raises(SyncError) as error:
                engine.sync()
            assert error.value.code == "body_too_large" and outbox_count(store) == 1
        finally:
            store.close()


class BusySession(requests.Session):
    """Answers the first pushes itself with the given statuses (as a proxy in trouble would)."""

    def __init__(self, statuses: list[tuple[int, dict[str, str]]]) -> None:
        super().__init__()
        self.statuses = statuses

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.endswith("/v1/push") and self.statuses:
            status, headers = self.statuses.pop(0)
            response = requests.Response()
            response.status_code = status
            response.headers.update(headers)
            response._content = b'{"code": "unavailable", "message": "busy"}' if status == 503 else b"busy"
            return response
        return super().request(method, url, *args, **kwargs)


def test_server_errors_and_rate_limits_are_retried(world: World) -> None:
    a = world.device()
    add_contact(a.store, "Ala")
    naps: list[float] = []
    session = BusySession([(503, {}), (429, {"Retry-After": "3"}), (502, {})])
    transport = HttpTransport(session=session, backoff=0.1, max_backoff=5, retries=3, sleep=naps.append)
    engine = SyncEngine(a.store, transport)
    assert engine.sync().applied == 1
    assert len(naps) == 3 and naps[1] == 3  # Retry-After is honoured
    session.statuses = [(503, {})] * 5
    add_contact(a.store, "Ola")
    with pytest.raises(SyncError) as error:
        engine.sync()
    assert (error.value.code, error.value.status) == ("unavailable", 503) and outbox_count(a.store) == 1


def test_a_record_the_service_lost_is_sent_whole_again(world: World) -> None:
    a = world.device()
    ala = add_contact(a.store, "Ala", phone="600100200")
    a.engine.sync()
    with world.db.write() as conn:  # e.g. the service restored from an older backup
        conn.execute(sa.delete(t.record).where(t.record.c.id == ala.id))
    edit(a.store, ala, notes="only this field changed")
    receipt = a.engine.sync()
    assert (receipt.applied, receipt.rejected, outbox_count(a.store)) == (1, [], 0)
    with world.db.read() as conn:
        data = conn.execute(sa.select(t.record.c.data).where(t.record.c.id == ala.id)).scalar_one()
    assert (data["name"], data["phone"], data["notes"]) == ("Ala", "600100200", "only this field changed")
