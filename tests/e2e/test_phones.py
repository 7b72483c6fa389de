"""The supervisor's view of every phone, in the app, through the real service: an animator's phone
that synced and then kept a change unsent for two days shows as stalled, with its data proven equal
to the service's, and the alert above the list; a lost phone's wipe shows as confirmed."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fieldapp.services import contacts
from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME
from fieldapp.sync import SyncEngine
from sync.server import accounts
from sync.server.local import LocalServer, start_local_server
from tests.e2e.harness import AppServer, Phone

pytestmark = pytest.mark.e2e


def _enrolled(folder: Path, service: LocalServer, user_id: str) -> Store:
    store = Store(folder / DB_FILENAME)
    SyncEngine(store).enroll(accounts.create_enrollment(service.db, user_id, service.url).uri)
    return store


@pytest.fixture(scope="module")
def supervisor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    service = start_local_server(tmp_path_factory.mktemp("service") / "service.db")
    program = accounts.create_program(service.db, f"Program {uuid.uuid4().hex[:6]}")
    team = accounts.create_team(service.db, "Zespół Polesie", program_id=program)
    ola = accounts.create_user(service.db, "Ola Animatorka", "animator", team_id=team)
    lost = accounts.create_user(service.db, "Zgubiony Telefon", "animator", team_id=team)
    boss = accounts.create_user(service.db, "Ewa Koordynatorka", "supervisor", program_id=program)
    store = _enrolled(tmp_path_factory.mktemp("ola"), service, ola)
    try:
        contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja Podwórko"})
        engine = SyncEngine(store)
        engine.sync()
        contacts.create_contact(store, {"kind": "ngo", "name": "Klub Seniora"})
        with store.write() as conn:  # queued two days ago and never sent
            old = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S.000000")
            conn.exec_driver_sql("UPDATE outbox SET created_at = ?", (old,))
        engine.call("POST", "/v1/state", json=engine.state_report())
    finally:
        store.close()
    gone = _enrolled(tmp_path_factory.mktemp("lost"), service, lost)
    try:
        SyncEngine(gone).sync()
        accounts.revoke(service.db, SyncEngine(gone).store.device_id)
        with pytest.raises(Exception, match="revoked"):
            SyncEngine(gone).sync()
    finally:
        gone.close()
    folder = tmp_path_factory.mktemp("boss")
    _enrolled(folder, service, boss).close()
    app = AppServer(folder).start()
    yield app
    app.stop()
    service.stop()


def test_every_phone_and_the_stalled_alert(supervisor: AppServer, new_phone: Callable[..., Phone]) -> None:
    phone = new_phone(supervisor, "/more/phones")
    phone.see("Telefony z zatrzymaną kolejką zmian: 1")
    phone.see("Ola Animatorka")
    phone.see("Kolejka stoi — zmiany czekają od 48 godz.")
    phone.see("Czeka na wysłanie: 1")
    phone.see("Dane zgodne z serwerem")
    phone.see("Odłączony — dane usunięte z telefonu")
    # The supervisor's own phone says whether its data was proven equal to the service's.
    own = new_phone(supervisor, "/more/sync")
    own.tap("Synchronizuj teraz")
    own.see("Sprawdzenie danych")
    own.see("Dane zgodne z serwerem")
    assert supervisor.errors_logged() == []
