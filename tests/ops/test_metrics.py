"""``/metrics`` and ``/health`` of a real service over HTTP, with devices syncing through it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from fieldapp.services.rodo.erasure import erase_person
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from sync.server import accounts, pages
from sync.server.local import LocalServer, start_local_server
from tests.sync.helpers import add_contact


@pytest.fixture
def server(service_db: str) -> Iterator[LocalServer]:
    running = start_local_server(service_db)
    yield running
    running.stop()
    running.db.dispose()


def _scrape(server: LocalServer, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = requests.get(f"{server.url}/metrics", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def _value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _device(server: LocalServer, tmp_path: Path, user: str, name: str) -> SyncEngine:
    engine = SyncEngine(Store(tmp_path / f"{name}.db"), HttpTransport(backoff=0.01, retries=2, timeout=10.0))
    engine.enroll(accounts.create_enrollment(server.db, user, server.url).uri)
    return engine


def test_metrics_count_requests_records_devices_and_erasures(server: LocalServer, tmp_path: Path) -> None:
    program = accounts.create_program(server.db, "Łódź 2026")
    team = accounts.create_team(server.db, "Zespół Bałuty", program_id=program)
    anna = _device(server, tmp_path, accounts.create_user(server.db, "Anna", "animator", team_id=team), "a")
    supervisor = accounts.create_user(server.db, "Ewa", "supervisor", program_id=program)
    boss = _device(server, tmp_path, supervisor, "e")
    try:
        before = _scrape(server)
        person = add_contact(anna.store, "Ala Nowak")
        for n in range(2):
            add_contact(anna.store, f"Mieszkaniec {n}")
        anna.sync()
        boss.sync()
        after = _scrape(server)
        push = {"method": "POST", "route": "/v1/push"}
        assert _value(after, "teren_sync_http_requests_total", **push, status="200") - _value(
            before, "teren_sync_http_requests_total", **push, status="200"
        ) == 1
        assert _value(after, "teren_sync_http_request_duration_seconds_count", **push) >= 1
        assert _value(after, "teren_sync_http_request_duration_seconds_bucket", **push, le="+Inf") >= 1
        assert _value(after, "teren_sync_pushed_records_total", result="applied") - _value(
            before, "teren_sync_pushed_records_total", result="applied"
        ) == 3
        pulled = "teren_sync_pulled_records_total"
        assert _value(after, pulled) - _value(before, pulled) >= 3
        assert _value(after, "teren_sync_devices", state="active") == 2
        assert _value(after, "teren_sync_change_seq") == 3
        assert _value(after, "teren_sync_database_up") == 1
        requests.get(f"{server.url}/v1/devices/no-such-device/x", timeout=5)
        unmatched = _scrape(server)
        lost = {"method": "GET", "route": "unmatched", "status": "404"}
        assert _value(unmatched, "teren_sync_http_requests_total", **lost) >= 1

        # A pull mark is written after its first page: devices are "seen" once they pull again.
        anna.sync()
        boss.sync()
        seen = _scrape(server)
        last_seen = "teren_sync_device_last_seen_timestamp_seconds"
        stamps = [v for (name, _), v in seen.items() if name == last_seen]
        assert len(stamps) == 2 and all(stamp > 1.7e9 for stamp in stamps)
        assert _value(seen, "teren_sync_pending_erasures") == 0

        erase_person(boss.store, person.id, by=boss.store.user_id or "")
        boss.sync()
        assert _value(_scrape(server), "teren_sync_pending_erasures") == 1  # Anna has not pulled it
        pages._pull_marks.clear()  # the mark is written at most every 10 s per device: not wait here
        anna.sync()  # pulls the erasure
        pages._pull_marks.clear()
        anna.sync()  # her next pull says she got it
        boss.sync()
        assert _value(_scrape(server), "teren_sync_pending_erasures") == 0
    finally:
        anna.store.close()
        boss.store.close()


def test_metrics_behind_a_token_and_out_of_the_api_document(server: LocalServer) -> None:
    server.app.state.metrics_token = SecretStr("s3cret")
    try:
        assert requests.get(f"{server.url}/metrics", timeout=5).status_code == 401
        wrong = requests.get(f"{server.url}/metrics", headers={"Authorization": "Bearer nope"}, timeout=5)
        assert wrong.status_code == 401 and wrong.json()["code"] == "unauthorized"
        assert _scrape(server, Authorization="Bearer s3cret")
    finally:
        server.app.state.metrics_token = None
    assert "/metrics" not in requests.get(f"{server.url}/openapi.json", timeout=5).json()["paths"]
    server.app.state.metrics = False
    try:
        assert requests.get(f"{server.url}/metrics", timeout=5).status_code == 404
    finally:
        server.app.state.metrics = True


def test_request_ids(server: LocalServer) -> None:
    given = requests.get(f"{server.url}/health", headers={"X-Request-ID": "caddy-7f3a"}, timeout=5)
    assert given.headers["x-request-id"] == "caddy-7f3a"
    made = requests.get(f"{server.url}/health", headers={"X-Request-ID": "bad id\twith spaces"}, timeout=5)
    assert len(made.headers["x-request-id"]) == 32 and made.headers["x-request-id"] != "bad id\twith spaces"
    missing = requests.get(f"{server.url}/v1/me", timeout=5)
    assert missing.status_code == 401 and missing.headers["x-request-id"]


def test_health_checks_the_database(server: LocalServer, service_db: str) -> None:
    ok = requests.get(f"{server.url}/health", timeout=5)
    assert ok.status_code == 200 and ok.json()["status"] == "ok"
    with server.db.engine.begin() as conn:  # the database loses its tables: it cannot serve
        conn.exec_driver_sql("ALTER TABLE counter RENAME TO counter_gone")
    try:
        down = requests.get(f"{server.url}/health", timeout=10)
        assert down.status_code == 503 and down.json()["code"] == "unavailable"
        assert _value(_scrape(server), "teren_sync_database_up") == 0
    finally:
        with server.db.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE counter_gone RENAME TO counter")
    assert requests.get(f"{server.url}/health", timeout=5).status_code == 200
