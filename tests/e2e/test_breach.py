"""The breach register (RODO art. 33), in the app, through the real service: a coordinator reports
an animator's phone lost from Telefony; the phone is revoked on the service, the register shows
the entry with its 72-hour deadline, and "PUODO powiadomiony" records the notification. Another
breach is registered by hand, a bad date refused in Polish."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fieldapp.services.rodo.breaches import list_breaches
from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME
from fieldapp.sync import SyncEngine, SyncError
from sync.server import accounts
from sync.server.local import LocalServer, start_local_server
from tests.e2e.harness import AppServer, Phone

pytestmark = pytest.mark.e2e


def _enrolled(folder: Path, service: LocalServer, user_id: str) -> Store:
    store = Store(folder / DB_FILENAME)
    SyncEngine(store).enroll(accounts.create_enrollment(service.db, user_id, service.url).uri)
    return store


class World:
    def __init__(self, app: AppServer, service: LocalServer, lost: Store) -> None:
        self.app, self.service, self.lost = app, service, lost


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    service = start_local_server(tmp_path_factory.mktemp("service") / "service.db")
    program = accounts.create_program(service.db, f"Program {uuid.uuid4().hex[:6]}")
    team = accounts.create_team(service.db, "Zespół Bałuty", program_id=program)
    ada = accounts.create_user(service.db, "Ada Zgubiona", "animator", team_id=team)
    boss = accounts.create_user(service.db, "Ewa Koordynatorka", "supervisor", program_id=program)
    lost = _enrolled(tmp_path_factory.mktemp("ada"), service, ada)
    SyncEngine(lost).sync()
    folder = tmp_path_factory.mktemp("boss")
    _enrolled(folder, service, boss).close()
    app = AppServer(folder).start()
    yield World(app, service, lost)
    app.stop()
    lost.close()
    service.stop()


def _revoked_at(service: LocalServer, client_device_id: str) -> object:
    [device] = [d for d in accounts.devices(service.db) if d["client_device_id"] == client_device_id]
    return device["revoked_at"]


def test_a_lost_phone_reported_from_telefony_is_revoked_and_registered(
    world: World, new_phone: Callable[..., Phone]
) -> None:
    phone = new_phone(world.app, "/more/phones")
    phone.see("Ada Zgubiona")
    phone.tap("Zgłoś zgubienie lub kradzież")
    phone.see("zostanie odłączony od serwera")
    phone.fill("Opis (nieobowiązkowy)", "Zgubiony w tramwaju nr 8")
    phone.tap("Odłącz i zgłoś")

    # The register opens with the entry and its 72 hours.
    phone.see("Zgubiony lub skradziony telefon")
    phone.see("Zgubiony w tramwaju nr 8")
    phone.see("Telefon: Ada Zgubiona")
    phone.see(re.compile(r"Telefon odłączony \d"))
    phone.see(re.compile(r"Powiadom PUODO do .+ · zostało 7[12] godzin"))
    assert _revoked_at(world.service, world.lost.device_id) is not None
    with pytest.raises(SyncError) as revoked:
        SyncEngine(world.lost).sync()
    assert revoked.value.code == "device_revoked"

    phone.tap("PUODO powiadomiony", exact=True)
    phone.see(re.compile(r"PUODO powiadomiony \d"))
    phone.not_see("Powiadom PUODO do")
    with world.app.store() as store:
        [entry] = list_breaches(store)
    assert entry.breach.kind == "lost_device" and entry.breach.authority_notified_at is not None
    assert entry.breach.description == "Zgubiony w tramwaju nr 8"
    assert world.app.errors_logged() == []


def test_another_breach_is_registered_by_hand(world: World, new_phone: Callable[..., Phone]) -> None:
    phone = new_phone(world.app, "/more/breaches")
    phone.see("Zgłoś inne naruszenie")
    phone.fill("Opis naruszenia", "Lista obecności wysłana do złej osoby")
    phone.fill("Data stwierdzenia", "31.02.2026")
    phone.tap("Wpisz do rejestru")
    phone.see("Podaj datę w formacie RRRR-MM-DD")
    phone.fill("Data stwierdzenia", "2026-01-10")
    phone.tap("Wpisz do rejestru")
    phone.see("Inne naruszenie")
    phone.see("Lista obecności wysłana do złej osoby")
    phone.see(re.compile(r"Po terminie — PUODO należało powiadomić do"))
    with world.app.store() as store:
        kinds = sorted(entry.breach.kind for entry in list_breaches(store))
    assert "other" in kinds
    assert world.app.errors_logged() == []
