"""The map and the walk list in the real app, in headless Chromium.

Tiles come from a loopback MBTiles server started here (or from a port where nothing listens, to
make them fail); the position comes from Chromium's geolocation, which flet-geolocator reads.
Nothing here touches the internet.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page

from fieldapp.geo.settings import (
    TileSettings,
    load_geocoder_settings,
    load_tile_settings,
    save_tile_settings,
)
from fieldapp.geo.tiles import MBTilesServer
from fieldapp.model import Contact, Diagnosis, Resource, Visit, Zone, utcnow
from fieldapp.store import Store
from tests.e2e.harness import PHONE, TIMEOUT_MS, AppServer, Phone, block_external_requests, free_port
from tests.geo import lodz
from tests.geo.fake_nominatim import FakeNominatim, lodz_gazetteer
from tests.geo.tile_helpers import lodz_mbtiles

pytestmark = pytest.mark.e2e

#: The modules of the map, walk and place-settings screens (fieldapp/ui).
PLACE_MODULES = ("map_panel", "walk_panel", "place_screen", "map_screen", "walk_screen", "place_settings")
RESIDENTS = ["Piotrkowska 72", "Traugutta 3", "Moniuszki 4", "Tuwima 10", "6 Sierpnia 5", "Nawrot 2"]


def prefill(store: Store) -> None:
    (lat, lon), _ = lodz.CITY_HALL_CIRCLE
    zone = Zone(name="SAS Śródmieście", center_lat=lat, center_lon=lon, radius_m=700)
    diagnosis = Diagnosis(zone_id=zone.id, title="Diagnoza 2026", period_start=utcnow().date())
    with store.write() as conn:
        store.save(conn, zone)
        store.save(conn, diagnosis)
        for address in RESIDENTS:
            street, house = address.rsplit(" ", 1)
            point = lodz.DOORS[address]
            store.save(conn, Contact(kind="resident", name=f"Mieszkanka {address}", street=street,
                                     house_number=house, city="Łódź", lat=point[0], lon=point[1],
                                     position_status="ok", zone_id=zone.id))
        store.save(conn, Contact(kind="ngo", name="Fundacja Piotrkowska", address="Piotrkowska 104",
                                 lat=lodz.PIOTRKOWSKA_104[0], lon=lodz.PIOTRKOWSKA_104[1], zone_id=zone.id))
        store.save(conn, Resource(diagnosis_id=diagnosis.id, kind="place", category="material",
                                  name="Sala w Pasażu Rubinsteina", lat=51.76880, lon=19.45640))
        store.save(conn, Visit(outcome="talked", street="Moniuszki", house_number="4", zone_id=zone.id,
                               lat=lodz.MONIUSZKI_4[0], lon=lodz.MONIUSZKI_4[1], accuracy_m=8))
    store.set_meta("ui.zone", zone.id)


@pytest.fixture(scope="module")
def server(app_server: Callable[..., AppServer]) -> AppServer:
    return app_server(prefill=prefill, name="map")


@pytest.fixture(scope="module")
def tiles(tmp_path_factory: pytest.TempPathFactory, server: AppServer) -> Iterator[MBTilesServer]:
    path = lodz_mbtiles(tmp_path_factory.mktemp("tiles") / "lodz.mbtiles", lodz.PIOTRKOWSKA_104,
                        zooms=range(13, 19), reach=3)
    # The web build's map fetches tiles cross-origin: the app's own page is the one origin allowed.
    tiles = MBTilesServer(path, origins=[server.url]).start()
    yield tiles
    tiles.stop()


def use_tiles(server: AppServer, url_template: str) -> None:
    with server.store() as store:
        save_tile_settings(store, TileSettings(url_template=url_template, probe_timeout_s=2))


def open_screen(browser: Browser, server: AppServer, path: str, loads: list[str] | None = None,
                **context: object) -> Iterator[Phone]:
    """A phone opened straight on a screen's route (a deep link), semantics on; ``loads`` (when
    given) collects "done <url>" and "failed <url> <error>" for every request the page made."""
    ctx = browser.new_context(viewport=PHONE, locale="pl-PL", **context)
    external: list[str] = []
    block_external_requests(ctx, external)
    page: Page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    if loads is not None:
        page.on("requestfinished", lambda request: loads.append(f"done {request.url}"))
        page.on("requestfailed", lambda request: loads.append(f"failed {request.url} {request.failure}"))
    page.goto(server.url + path)
    placeholder = page.locator("flt-semantics-placeholder")
    placeholder.wait_for(state="attached", timeout=60_000)
    placeholder.dispatch_event("click")
    try:
        yield Phone(page)
    finally:
        ctx.close()
    assert not external, f"requests left the machine: {external}"


@pytest.fixture
def screen_at(browser: Browser, server: AppServer) -> Iterator[Callable[..., Phone]]:
    opened: list[Iterator[Phone]] = []

    def open_at(path: str, loads: list[str] | None = None, **context: object) -> Phone:
        phones = open_screen(browser, server, path, loads, **context)
        opened.append(phones)
        return next(phones)

    yield open_at
    for phones in opened:
        next(phones, None)


def markers(phone: Phone, kind: str):
    return phone.page.locator(f'[flt-semantics-identifier="marker-{kind}"]')


def answered_tiles(phone: Phone, loads: list[str], port: int) -> list[str]:
    """The page's tile requests to ``port`` once one of them has been answered or refused."""
    for _ in range(100):
        tile_loads = [line for line in loads if f":{port}/" in line]
        if any(line.startswith("done ") or "ERR_FAILED" in line for line in tile_loads):
            return tile_loads
        phone.page.wait_for_timeout(200)
    return tile_loads


def test_map_shows_markers_on_loopback_tiles(server: AppServer, tiles: MBTilesServer,
                                             screen_at: Callable[..., Phone]) -> None:
    use_tiles(server, tiles.url_template)
    served_before = tiles.served
    loads: list[str] = []
    phone = screen_at("/zone/map", loads=loads)
    markers(phone, "contact").first.wait_for(timeout=60_000)
    phone.see("kontakty: 7, zasoby: 1, wizyty: 1")
    assert markers(phone, "contact").count() == 7
    assert markers(phone, "resource").count() == 1 and markers(phone, "visit").count() == 1
    assert phone.page.locator('[flt-semantics-identifier="geo-map"]').count() == 1
    assert "Mapa się nie wczytuje" not in phone.text()
    # Markers are named by kind for a screen reader, and the tiles really came from our server.
    phone.by_label("Organizacja pozarządowa: Fundacja Piotrkowska").wait_for()
    phone.by_label("Miejsce: Sala w Pasażu Rubinsteina").first.wait_for()
    assert tiles.served > served_before
    # ...and the page could read them: the web build fetches tiles cross-origin, so a missing CORS
    # header fails them (ERR_FAILED; a tile the map moved away from is aborted, which is fine).
    tile_loads = answered_tiles(phone, loads, tiles.port)
    assert any(line.startswith("done ") for line in tile_loads)
    assert not [line for line in tile_loads if "ERR_FAILED" in line]
    # Activating the visit marker (as a screen reader does: markers may overlap on screen) tells
    # what happened there.
    markers(phone, "visit").dispatch_event("click")
    phone.see("Zamknij")


def test_a_schematic_map_when_tiles_fail_and_the_list_a_tap_away(
        server: AppServer, screen_at: Callable[..., Phone]) -> None:
    use_tiles(server, f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png")  # nothing listens
    phone = screen_at("/zone/map")
    phone.see("Bez podkładu mapy")
    drawing = phone.page.locator('[flt-semantics-identifier="geo-schematic"]')
    drawing.wait_for()
    # The drawing says what it shows: the places and the scale bar's length.
    phone.see(re.compile(r"Schemat strefy: miejsca: 9, skala \d+\s(m|km)"))
    assert markers(phone, "contact").count() == 0
    phone.tap("Lista", exact=True)
    phone.page.locator('[flt-semantics-identifier="geo-map-list"]').wait_for()
    text = phone.text()
    assert "odległości od środka strefy" in text
    for name in ("Fundacja Piotrkowska", "Sala w Pasażu Rubinsteina", "Mieszkanka Tuwima 10"):
        assert name in text
    assert re.search(r"\d\s(m|km) na ", text)  # "210 m na wschód": distance and direction in words
    # Back to the map while the server is still down: the drawing again, never a grey square.
    phone.tap("Mapa", exact=True)
    drawing.wait_for()


def test_the_area_map_loaded_by_command_is_served_on_the_device(
        server: AppServer, tiles: MBTilesServer, screen_at: Callable[..., Phone]) -> None:
    """``fieldapp --load-map FILE``: no tile server configured, the map shows the file's tiles,
    fetched from this machine only (the phone fixture fails on any other request)."""
    use_tiles(server, "")  # no tile server: only the file on the device
    done = subprocess.run(
        [sys.executable, "-m", "fieldapp", "--load-map", str(tiles.path), "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, check=True,
    )
    assert "Loaded the map" in done.stdout
    loads: list[str] = []
    phone = screen_at("/zone/map")
    phone.page.on("requestfinished", lambda request: loads.append(request.url))
    markers(phone, "contact").first.wait_for()
    phone.page.wait_for_timeout(1_500)
    assert [u for u in loads if re.search(r"/\d+/\d+/\d+\.png$", u)], "no tile was loaded"
    assert all(u.startswith("http://127.0.0.1:") for u in loads)
    screen = screen_at("/zone/area-map")
    screen.see(re.compile(r"Mapa: .* · kafelki: \d+"))


def test_walk_list_from_the_gps_position(server: AppServer, screen_at: Callable[..., Phone]) -> None:
    here = lodz.PLAC_WOLNOSCI  # north end of Piotrkowska: the walk starts at the northern doors
    phone = screen_at("/zone/walk", geolocation={"latitude": here[0], "longitude": here[1], "accuracy": 12},
                      permissions=["geolocation"])
    phone.see("Następne drzwi")
    phone.tap("Moja pozycja")
    phone.see(re.compile(r"Pozycja z GPS \(dokładność ok\. 12\sm\)"))
    next_door = phone.page.locator('[flt-semantics-identifier="walk-next"]')
    next_door.wait_for()
    # Six residents, one of them (Moniuszki 4) already visited today: five doors to knock on.
    phone.see("Drzwi: 5, zostało: 5")
    phone.see("już dziś odwiedzone")
    phone.see(re.compile(r"(\d+\sm|\d+,\d\skm) na połud"))  # the distance follows the position
    first = next_door.inner_text()
    assert re.search(r"(\d+\sm|\d+,\d\skm) na połud", first), first  # e.g. "955 m na południe"
    phone.tap("Zrobione, dalej")
    phone.see("Drzwi: 5, zostało: 4")
    assert next_door.inner_text() != first
    assert "odwiedzone" in phone.text()


def test_settings_point_at_a_citys_own_servers(server: AppServer, tiles: MBTilesServer,
                                              screen_at: Callable[..., Phone]) -> None:
    nominatim = FakeNominatim(lodz_gazetteer()).start()
    try:
        phone = screen_at("/more/places")
        phone.field("Serwer wyszukiwania adresów (Nominatim)").wait_for()
        phone.fill("Serwer wyszukiwania adresów (Nominatim)", f"{nominatim.url}/nominatim")
        phone.fill("Domyślne miasto (dopisywane do adresów)", "Łódź")
        phone.fill("Adres kafelków mapy", "not a template")
        phone.tap("Zapisz ustawienia")
        phone.see("Adres kafelków mapy musi zaczynać się od http(s)://")
        phone.fill("Adres kafelków mapy", tiles.url_template)
        phone.tap("Sprawdź połączenie")
        phone.see("Kafelki mapy: działają.")
        phone.see("Serwer adresów: odpowiada.")
        assert nominatim.hits[-1].path == "/nominatim/reverse"
        phone.tap("Zapisz ustawienia")
        phone.page.get_by_role("group", name="Zapisano ustawienia mapy i adresów.").wait_for()
        with server.store() as store:
            saved = load_geocoder_settings(store)
            assert (saved.domain, saved.scheme, saved.default_city) == (
                f"{nominatim.domain}/nominatim", "http", "Łódź")
            assert load_tile_settings(store).url_template == tiles.url_template
    finally:
        nominatim.stop()


def test_no_errors_logged(server: AppServer) -> None:
    # (Screens of other teams that cannot import yet are skipped with a logged error; not ours.)
    errors = [line for line in server.errors_logged()
              if not ("failed to import" in line and not any(m in line for m in PLACE_MODULES))]
    assert errors == []

