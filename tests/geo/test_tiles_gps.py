"""Offline tiles served from MBTiles, the tile probe, and the GPS permission flow."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flet_geolocator import GeolocatorPermissionStatus as Permission
from flet_geolocator import GeolocatorPosition

from fieldapp.errors import ValidationFailed
from fieldapp.geo.gps import GpsReader, address_fix, geolocation_available, manual_fix
from fieldapp.geo.settings import TileSettings, load_tile_settings, save_tile_settings
from fieldapp.geo.tiles import MBTilesServer, probe_tiles, tile_url, tile_xy
from fieldapp.store import Store
from tests.geo import lodz
from tests.geo.fake_nominatim import free_port
from tests.geo.tile_helpers import lodz_mbtiles


def test_tile_numbers_of_lodz() -> None:
    # The OSM wiki's formula: x = (lon + 180) / 360 · 2^z, y = (1 − ln(tan φ + sec φ) / π) / 2 · 2^z.
    lat = math.radians(lodz.PIOTRKOWSKA_72[0])
    expected_y = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * 2**16)
    assert tile_xy(*lodz.PIOTRKOWSKA_72, 16) == (36309, expected_y)
    assert tile_xy(*lodz.PIOTRKOWSKA_72, 0) == (0, 0)
    assert tile_url("https://{s}.t.example/{z}/{x}/{y}{r}.png", 3, 4, 5) == "https://a.t.example/3/4/5.png"


def test_mbtiles_server_serves_the_area(tmp_path: Path) -> None:
    server = MBTilesServer(lodz_mbtiles(tmp_path / "lodz.mbtiles", lodz.PIOTRKOWSKA_72)).start()
    try:
        x, y = tile_xy(*lodz.PIOTRKOWSKA_72, 15)
        ok = requests.get(tile_url(server.url_template, 15, x, y), timeout=5)
        assert ok.status_code == 200 and ok.headers["Content-Type"] == "image/png"
        assert ok.content.startswith(b"\x89PNG") and server.served == 1
        assert requests.get(tile_url(server.url_template, 15, 0, 0), timeout=5).status_code == 404
        assert requests.get(f"http://127.0.0.1:{server.port}/etc/passwd", timeout=5).status_code == 404
        settings = TileSettings(url_template=server.url_template)
        assert probe_tiles(settings, *lodz.PIOTRKOWSKA_72)
        assert not probe_tiles(settings, 40.0, -3.7)  # Madrid is not in the file: 404
    finally:
        server.stop()


def test_probe_fails_when_nothing_answers() -> None:
    settings = TileSettings(url_template=f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png",
                            probe_timeout_s=1)
    assert not probe_tiles(settings, *lodz.PIOTRKOWSKA_72)


def test_tile_settings_round_trip(store: Store) -> None:
    assert load_tile_settings(store).url_template == ""  # no public tile server unless one is set up
    mine = TileSettings(url_template="http://127.0.0.1:8765/{z}/{x}/{y}.png")
    save_tile_settings(store, mine)
    assert load_tile_settings(store) == mine
    with pytest.raises(ValidationFailed):
        save_tile_settings(store, TileSettings(url_template="ftp://tiles/{z}/{x}.png"))


@dataclass
class FakeGeolocator:
    """Stands in for the phone's location service (the one boundary we cannot run here)."""

    permission: Permission = Permission.WHILE_IN_USE
    after_request: Permission = Permission.WHILE_IN_USE
    service_on: bool = True
    position: GeolocatorPosition | None = None
    hang: bool = False
    requests: int = 0

    async def get_permission_status(self) -> Permission:
        return self.permission

    async def request_permission(self) -> Permission:
        self.requests += 1
        return self.after_request

    async def is_location_service_enabled(self) -> bool:
        return self.service_on

    async def get_current_position(self, configuration=None) -> GeolocatorPosition:
        if self.hang:
            await asyncio.sleep(60)
        return self.position

    async def open_app_settings(self) -> bool:
        return True

    async def open_location_settings(self) -> bool:
        return True


def read(geolocator: FakeGeolocator, timeout_s: float = 2.0):
    return asyncio.run(GpsReader(geolocator, timeout_s=timeout_s).read())


def test_gps_fix_with_accuracy() -> None:
    lat, lon = lodz.TRAUGUTTA_3
    reading = read(FakeGeolocator(position=GeolocatorPosition(latitude=lat, longitude=lon, accuracy=7.5)))
    assert reading.status == "ok" and reading.fix.point == (lat, lon)
    assert reading.fix.visit_fields() == {"lat": lat, "lon": lon, "accuracy_m": 7.5}
    assert reading.fix.source == "gps"


def test_permission_is_asked_once_then_respected() -> None:
    position = GeolocatorPosition(latitude=51.77, longitude=19.45, accuracy=20)
    asked = FakeGeolocator(Permission.DENIED, after_request=Permission.WHILE_IN_USE, position=position)
    assert read(asked).status == "ok" and asked.requests == 1
    refused = FakeGeolocator(permission=Permission.DENIED, after_request=Permission.DENIED)
    assert read(refused).status == "denied"
    forever = FakeGeolocator(permission=Permission.DENIED_FOREVER)
    reading = read(forever)
    assert reading.status == "denied_forever" and reading.can_open_settings and forever.requests == 0
    assert asyncio.run(GpsReader(forever).open_settings(reading))


def test_service_off_timeout_and_nonsense() -> None:
    assert read(FakeGeolocator(service_on=False)).status == "service_off"
    assert read(FakeGeolocator(hang=True), timeout_s=0.2).status == "timeout"
    assert read(FakeGeolocator(position=GeolocatorPosition(latitude=None, longitude=None))).status == "error"
    assert read(FakeGeolocator(position=GeolocatorPosition(latitude=99.0, longitude=0.0))).status == "error"


def test_manual_fallbacks() -> None:
    assert manual_fix(*lodz.EC1).source == "manual" and manual_fix(*lodz.EC1).accuracy_m is None
    assert address_fix(*lodz.EC1).source == "address"
    with pytest.raises(ValueError):
        manual_fix(91.0, 0.0)

    class Page:
        web, platform = False, "linux"

    assert not geolocation_available(Page())
    Page.platform = "android"
    assert geolocation_available(Page())
