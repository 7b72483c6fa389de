"""What the sync screen tells about integrity: the phone's clock off (also on the first screen), a
server address that would send the code in clear text or to another host refused beside the field,
the host it connected to, and a change the service refused listed by record, field and reason."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fieldapp.model import Contact
from fieldapp.store import Store
from fieldapp.store.db import K_CLOCK_OFFSET
from sync.server.accounts import create_demo_setup
from sync.server.local import LocalServer, start_local_server
from tests.e2e.harness import AppServer, Phone

pytestmark = pytest.mark.e2e


def prefill_store(store: Store) -> None:
    store.set_meta(K_CLOCK_OFFSET, str(2 * 3600 * 1000))  # last heard: the service 2 h ahead


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_local_server(tmp_path_factory.mktemp("service") / "service.db")
    yield server
    server.stop()


def test_clock_enrollment_and_refusals_in_plain_words(
    app: AppServer, new_phone, service: LocalServer
) -> None:
    home: Phone = new_phone(app, "/")
    home.see("Zegar telefonu spóźnia się (2 godz.) — włącz automatyczny czas")

    phone: Phone = new_phone(app, "/more/sync")
    phone.see("Zegar telefonu spóźnia się (2 godz.)")
    phone.see("„Ustaw automatycznie”")

    host_port = service.url.removeprefix("http://")
    phone.fill("Kod lub treść kodu QR", "ABCD-EFGH-IJKL")
    phone.fill("Adres serwera", f"http://sync.lodz.pl@{host_port}")
    phone.tap("Połącz", exact=True)
    phone.see("Ten adres serwera jest nieprawidłowy")
    phone.fill("Adres serwera", "http://sync.example.pl")
    phone.tap("Połącz", exact=True)
    phone.see("nie używa szyfrowanego połączenia (https)")

    setup = create_demo_setup(service.db, service.url)
    phone.fill("Kod lub treść kodu QR", setup.enrollment.code)
    phone.fill("Adres serwera", service.url)
    phone.tap("Połącz", exact=True)
    phone.see(f"Połączono z serwerem: {host_port}")

    # A position the app would refuse, written past it (as a tampered phone would): the service
    # refuses the change and the receipt names the contact, the field and the rule.
    with app.store() as store, store.write() as conn:
        store.save(conn, Contact(kind="resident", name="Ala Biegun", lat=91.0, lon=19.4))
    phone.tap("Synchronizuj teraz")
    phone.see("Odrzucone: 1")
    phone.see("Kontakt „Ala Biegun” — szerokość geograficzna:")
    assert app.errors_logged() == []
