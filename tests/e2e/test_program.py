"""The program's cycle on two phones through the real sync service: the animator sets up an
initiative and picks its implementers on the action screen (one found by search, one created on
the spot), a coordinator records the application and evaluates it, the animator realises and
reports the initiative, and the coordinator's report counts it under its lead implementer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from fieldapp.geo.settings import TileSettings, save_tile_settings
from fieldapp.geo.tiles import MBTilesServer
from fieldapp.model import Contact, Diagnosis, NeighbourhoodAction, Zone
from fieldapp.services import contacts, diagnoses, visits, zones
from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME
from fieldapp.sync import SyncEngine
from sync.server import accounts
from sync.server.local import LocalServer, start_local_server
from tests.e2e.harness import AppServer, Phone
from tests.geo import lodz
from tests.geo.tile_helpers import lodz_mbtiles

pytestmark = pytest.mark.e2e


@dataclass
class Program:
    service: LocalServer
    animator: AppServer
    coordinator: AppServer
    zone_id: str


def enrolled_store(folder: Path, service: LocalServer, user_id: str) -> Store:
    store = Store(folder / DB_FILENAME)
    SyncEngine(store).enroll(accounts.create_enrollment(service.db, user_id, service.url).uri)
    return store


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Program]:
    service = start_local_server(tmp_path_factory.mktemp("service") / "service.db")
    program_id = accounts.create_program(service.db, f"Łódź {uuid.uuid4().hex[:6]}")
    team = accounts.create_team(service.db, "Śródmieście", program_id=program_id)
    animator_id = accounts.create_user(service.db, "Ola Animatorka", "animator", team_id=team)
    coordinator_id = accounts.create_user(
        service.db, "Ewa Koordynatorka", "supervisor", program_id=program_id
    )
    animator_dir, coordinator_dir = (
        tmp_path_factory.mktemp("animator"),
        tmp_path_factory.mktemp("coordinator"),
    )
    store = enrolled_store(animator_dir, service, animator_id)
    try:
        zone = zones.create_zone(store, {"name": "Ćwiartka Północ", "kind": "quarter"}).id
        contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja Podwórkowa", "zone_id": zone})
        SyncEngine(store).sync()
    finally:
        store.close()
    enrolled_store(coordinator_dir, service, coordinator_id).close()
    apps = [AppServer(animator_dir).start(), AppServer(coordinator_dir).start()]
    yield Program(service, apps[0], apps[1], zone)
    for app in apps:
        app.stop()
    service.stop()


def sync_now(new_phone: Callable[..., Phone], app: AppServer) -> None:
    phone = new_phone(app, "/more/sync")
    phone.tap("Synchronizuj teraz")
    phone.see("Synchronizacja zakończona")


def test_application_evaluated_realised_reported_and_counted(
    program: Program, new_phone: Callable[..., Phone]
) -> None:
    # The animator sets up the initiative and picks who carries it out on the action screen.
    ola = new_phone(program.animator, f"/zone/actions/new?zone={program.zone_id}")
    ola.fill("Nazwa działania", "Kino na podwórku")
    ola.fill("Mikrogrant — wnioskowana kwota", "3 000")
    ola.tap("Zapisz", exact=True)
    ola.see("Nie wybrano wykonawcy wiodącego.")
    ola.type("Szukaj wykonawcy wiodącego", "Podwórk")
    ola.tap("Fundacja Podwórkowa")
    ola.see("Wybrano wykonawcę wiodącego: Fundacja Podwórkowa")
    ola.see("Wykonawca wiodący: Fundacja Podwórkowa")
    ola.tap("Nowy wykonawca")
    ola.fill("Nazwa albo imię i nazwisko", "Koło Sąsiadów z Północnej")
    ola.choose("Rodzaj wykonawcy", "Grupa nieformalna")
    ola.tap("Utwórz i wybierz jako wiodącego")
    ola.see("Wykonawca wiodący: Koło Sąsiadów z Północnej")
    ola.type("Dodaj partnera (szukaj)", "Podwórk")
    ola.tap("Fundacja Podwórkowa")
    ola.see("Usuń partnera: Fundacja Podwórkowa")
    with program.animator.store() as store, store.read() as session:
        [action] = session.exec(select(NeighbourhoodAction)).all()
    assert action.lead_id and len(action.partner_ids) == 1
    # Evaluation is not the animator's: no decision buttons here.
    ola.not_see("Przyjmij wniosek", timeout_ms=2_000)
    sync_now(new_phone, program.animator)

    # The coordinator records the application (letter of intent signed) and evaluates it.
    sync_now(new_phone, program.coordinator)
    ewa = new_phone(program.coordinator, f"/zone/actions/{action.id}")
    ewa.see("Wykonawca wiodący: Koło Sąsiadów z Północnej")
    ewa.tap("List intencyjny podpisany", role="checkbox")
    ewa.tap("Złóż wniosek")
    ewa.see("Złożono wniosek")
    ewa.fill("Punkty (0–100, opcjonalnie)", "85")
    ewa.fill("Uwagi do oceny", "Mocne zaangażowanie sąsiadów")
    ewa.tap("Przyjmij wniosek")
    ewa.see("Przyjęto wniosek")
    ewa.see("Punkty: 85")
    sync_now(new_phone, program.coordinator)

    # The animator realises and reports it.
    sync_now(new_phone, program.animator)
    ola = new_phone(program.animator, f"/zone/actions/{action.id}")
    ola.see("Wniosek przyjęty")
    ola.tap("Zrealizowane", exact=True)
    ola.see("Inicjatywa zrealizowana")
    ola.fill("Liczba uczestników", "120")
    ola.fill("Krótkie sprawozdanie", "Trzy seanse, sąsiedzi przynieśli krzesła.")
    ola.tap("Zapisz", exact=True)
    ola.see("Zapisano")
    ola.tap("Rozliczone", exact=True)
    ola.see("Inicjatywa rozliczona sprawozdaniem")
    sync_now(new_phone, program.animator)

    # The coordinator's report counts it under its lead implementer.
    sync_now(new_phone, program.coordinator)
    report = new_phone(program.coordinator, "/more/reports")
    report.see("Program mikrograntów")
    report.see("Złożone wnioski")
    report.see("Zrealizowane inicjatywy")
    report.see("Kto zrealizował inicjatywy")
    report.see("Inicjatywy: 1 · Osoby uczestniczące: 120")
    report.see("Grupa nieformalna")
    assert program.animator.errors_logged() == [] and program.coordinator.errors_logged() == []


def zone_prefill(store: Store) -> None:
    (lat, lon), _ = lodz.CITY_HALL_CIRCLE
    with store.write() as conn:
        zone = Zone(name="Ćwiartka Zachód", kind="quarter", center_lat=lat, center_lon=lon, radius_m=700)
        store.save(conn, zone)
        store.save(
            conn,
            Contact(
                kind="ngo",
                name="Fundacja Piotrkowska",
                lat=lodz.PIOTRKOWSKA_104[0],
                lon=lodz.PIOTRKOWSKA_104[1],
                position_status="ok",
                zone_id=zone.id,
            ),
        )
    store.set_meta("ui.zone", zone.id)


def test_a_drawn_zone_with_its_animator_places_a_knock_inside_it(
    app_server: Callable[..., AppServer], new_phone: Callable[..., Phone], tmp_path: Path
) -> None:
    app = app_server(prefill=zone_prefill, name="zones")
    tiles = MBTilesServer(
        lodz_mbtiles(tmp_path / "lodz.mbtiles", lodz.PIOTRKOWSKA_104, zooms=range(13, 19), reach=3),
        origins=[app.url],
    ).start()
    try:
        with app.store() as store:
            save_tile_settings(store, TileSettings(url_template=tiles.url_template, probe_timeout_s=2))
            [zone] = zones.list_zones(store)
        phone = new_phone(app, f"/zone/edit/{zone.id}")
        phone.fill("Animatorzy i animatorki (identyfikatory, po jednym w wierszu)", "ania-0001")
        phone.choose("Etap", "Diagnoza zrobiona")
        # On the map each tap adds a corner, and the last one can be taken back. (In Chromium with
        # the accessibility tree on, a click reaches the map as a screen reader's tap, at its
        # centre: the corners themselves are typed in the list below.)
        phone.tap("Rysuj granicę na mapie")
        phone.see("Punkty: 0")
        area = phone.page.locator('[flt-semantics-identifier="geo-map"]')
        area.wait_for(timeout=60_000)
        box = area.bounding_box()
        assert box is not None
        phone.page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"])
        phone.see("Punkty: 1")
        phone.tap("Cofnij ostatni punkt")
        phone.see("Punkty: 0")
        phone.back()
        corners = [(51.7720, 19.4500), (51.7720, 19.4620), (51.7640, 19.4620), (51.7640, 19.4500)]
        phone.fill(
            "Granica: punkty „szerokość, długość”, po jednym w wierszu",
            "\n".join(f"{lat}, {lon}" for lat, lon in corners),
        )
        phone.tap("Zapisz", exact=True)
        phone.see("Zapisano")
    finally:
        tiles.stop()

    with app.store() as store:
        drawn = store.get(Zone, zone.id)
        assert drawn is not None and len(drawn.polygon or []) == 4
        assert (drawn.workers, drawn.stage) == (["ania-0001"], "diagnosis_done")
        middle = (
            sum(p[0] for p in drawn.polygon) / 4,
            sum(p[1] for p in drawn.polygon) / 4,
        )
        inside = visits.log_knock(
            store, outcome="talked", street="Piotrkowska", house_number="90", lat=middle[0], lon=middle[1]
        )
        outside = visits.log_knock(
            store, outcome="not_home", street="Rzgowska", house_number="1", lat=51.70, lon=19.48
        )
    assert inside.zone_id == zone.id
    assert outside.zone_id is None
    assert app.errors_logged() == []


def tap_icon(phone: Phone, label: str) -> None:
    """An icon button, named by its tooltip (as the back arrow is)."""
    target = phone.page.get_by_label(label, exact=True).first
    phone.reveal(target)
    target.click()
    phone.page.wait_for_timeout(300)


def diagnosis_prefill(store: Store) -> None:
    zone = zones.create_zone(store, {"name": "SAS Teofilów", "kind": "sas"})
    diagnoses.create_diagnosis(
        store,
        {"zone_id": zone.id, "title": "Diagnoza jesień", "period_start": date.today() - timedelta(days=20)},
    )
    store.set_meta("ui.zone", zone.id)


def test_a_diagnosis_and_its_needs_are_edited_after_saving(
    app_server: Callable[..., AppServer], new_phone: Callable[..., Phone]
) -> None:
    app = app_server(prefill=diagnosis_prefill, name="edits")
    with app.store() as store:
        [diagnosis] = diagnoses.list_diagnoses(store)
    phone = new_phone(app, f"/zone/diagnoses/{diagnosis.id}")
    phone.fill("Potrzeba", "Ławki przy trzepaku")
    phone.choose("Priorytet: Średni", "Wysoki")
    phone.tap("Dodaj potrzebę", exact=True)
    phone.see("Dodano potrzebę: Ławki przy trzepaku")
    phone.see("Priorytet: Średni")  # the next need starts from the default, not the last one's
    tap_icon(phone, "Edytuj potrzebę: Ławki przy trzepaku")
    phone.choose("Priorytet: Wysoki", "Niski")
    phone.fill("Ile osób", "9")
    phone.tap("Zapisz", exact=True)
    phone.see("Zapisano")
    phone.tap("Edytuj diagnozę")
    phone.fill("Ile osób objęto", "45")
    phone.tap("Wywiady", role="checkbox")
    phone.fill("Podsumowanie", "Wywiady na podwórkach.")
    phone.tap("Zapisz", exact=True)
    phone.see("Osób objętych diagnozą: 45")
    with app.store() as store:
        edited = store.get(Diagnosis, diagnosis.id)
        [need] = diagnoses.needs_ranked(store, diagnosis.id)
    assert edited is not None and (edited.people_reached, edited.methods) == (45, ["interviews"])
    assert (need.priority, need.people_count) == ("low", 9)
    assert app.errors_logged() == []
