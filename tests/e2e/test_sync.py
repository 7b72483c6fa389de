"""Synchronizacja: enroll the phone with the coordinator's code, see a wrong code explained in plain
words, sync, read the receipt — and a teammate's device receives what this one recorded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldapp.model import Review
from fieldapp.services import contacts, zones
from fieldapp.store import Store
from fieldapp.sync import SyncEngine
from fieldapp.sync.meta import K_SERVER
from sync.server.accounts import create_demo_setup
from sync.server.local import LocalServer, start_local_server
from tests.e2e.harness import AppServer, Phone, free_port

pytestmark = pytest.mark.e2e


def prefill_store(store: Store) -> None:
    zone = zones.create_zone(store, {"name": "Stare Polesie", "kind": "sas"})
    contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja Łódzkie Podwórka", "zone_id": zone.id})


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_local_server(tmp_path_factory.mktemp("service") / "service.db")
    yield server
    server.stop()


def test_enroll_sync_and_a_teammate_receives_it(
    app: AppServer, new_phone, service: LocalServer, tmp_path: Path
) -> None:
    phone: Phone = new_phone(app, "/more/sync")
    phone.see("Urządzenie niepołączone z serwerem")

    # A mistyped code is refused in plain words, and nothing else changes.
    phone.fill("Kod lub treść kodu QR", "ABCD-EFGH-IJKL")
    phone.fill("Adres serwera", service.url)
    phone.tap("Połącz", exact=True)
    phone.see("Ten kod jest nieprawidłowy")

    setup = create_demo_setup(service.db, service.url)
    phone.fill("Kod lub treść kodu QR", setup.enrollment.code)
    phone.tap("Połącz", exact=True)
    phone.see("Połączono z serwerem")

    phone.tap("Synchronizuj teraz")
    phone.see("Synchronizacja zakończona")
    phone.see("Wysłane: 2")
    phone.see("Nadal czeka: 0")
    with app.store() as store:
        assert store.pending_changes() == 0

    # A teammate's phone (same team, its own enrollment) pulls what this phone recorded.
    teammate = Store(tmp_path / "teammate.db")
    try:
        engine = SyncEngine(teammate)
        engine.enroll(create_demo_setup(service.db, service.url).enrollment.uri)
        engine.sync()
        assert [c.name for c in contacts.search_contacts(teammate, "podworka")] == [
            "Fundacja Łódzkie Podwórka"
        ]
    finally:
        teammate.close()

    # A change this animator's role may not make (written past the app, as a tampered phone
    # would) is refused by the server, and the receipt says why in plain words.
    # The app's background sync polls for waiting changes every 30 s: on a busy machine its poll can
    # fall between the write and the tap and take the change first (this receipt then says
    # "Odrzucone: 0"), so a fresh change is written again, at most three times.
    for attempt in range(3):
        with app.store() as store, store.write() as conn:
            store.save(conn, Review(target_type="visit", target_id=f"v-{attempt}", state="approved",
                                    comment="ok"))
        phone.tap("Synchronizuj teraz")
        try:
            phone.see("Odrzucone: 1", timeout_ms=20_000)
            break
        except AssertionError:
            with app.store() as store:  # taken by the background sync, not lost
                assert store.pending_changes() == 0
    phone.see("Odrzucone: 1")
    phone.see("Ocena wpisu: Twoja rola nie pozwala na tę operację.")
    assert app.errors_logged() == []


def test_the_state_line_says_so_when_the_server_cannot_be_reached(app: AppServer, new_phone) -> None:
    """Enrolled (by the test before) but offline: not "Połączono z serwerem"."""
    with app.store() as store:
        if not store.meta(K_SERVER):
            pytest.skip("needs the enrolled phone of the test before")
        store.set_meta(K_SERVER, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    phone: Phone = new_phone(app, "/more/sync")
    phone.tap("Synchronizuj teraz")
    phone.see("Brak połączenia z serwerem — zmiany czekają na urządzeniu")
    phone.not_see("Połączono z serwerem")
