"""The offline tile server over real HTTP against hostile requests: impossible tile numbers get a
clean 400/404 (the server keeps answering), a request addressed by another name (DNS rebinding) or
sent by another site's page is refused, and only the app's own web origin may read tiles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fieldapp.geo.tiles import MAX_ZOOM, MBTilesServer, tile_url, tile_xy
from tests.geo import lodz
from tests.geo.tile_helpers import lodz_mbtiles

APP_ORIGIN = "http://127.0.0.1:8550"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MBTilesServer]:
    running = MBTilesServer(lodz_mbtiles(tmp_path / "lodz.mbtiles", lodz.PIOTRKOWSKA_72),
                            origins=[APP_ORIGIN]).start()
    yield running
    running.stop()


def tile_path(zoom: int = 15) -> str:
    x, y = tile_xy(*lodz.PIOTRKOWSKA_72, zoom)
    return f"/{zoom}/{x}/{y}.png"


def get(server: MBTilesServer, path: str, **headers: str) -> requests.Response:
    return requests.get(f"http://127.0.0.1:{server.port}{path}", headers=headers, timeout=5)


@pytest.mark.parametrize(
    "path, status",
    [
        ("/63/0/0.png", 400),  # 2**63 is past SQLite's integers
        ("/99/1/1", 400),
        (f"/{MAX_ZOOM + 1}/0/0.png", 400),
        ("/3/8/0.png", 400),  # x < 2**z
        ("/3/0/8.png", 400),
        ("/5/9999999999/0.png", 400),
        ("/5/" + "9" * 40 + "/0.png", 404),  # not a tile number at all
        ("/1/" + "9" * 5000 + "/0.png", 404),  # past Python's int-from-text limit
        ("/15/0/0.png", 404),  # a real tile number, not in the file
    ],
)
def test_impossible_tiles_get_a_clean_answer(server: MBTilesServer, path: str, status: int) -> None:
    assert get(server, path).status_code == status
    assert get(server, tile_path()).status_code == 200  # still serving


def test_only_requests_addressed_to_the_loopback_port_are_answered(server: MBTilesServer) -> None:
    assert get(server, tile_path(), Host=f"127.0.0.1:{server.port}").status_code == 200
    assert get(server, tile_path(), Host=f"localhost:{server.port}").status_code == 200
    # A page of attacker.example whose name was rebound to 127.0.0.1 sends its own name.
    for host in (f"attacker.example:{server.port}", "127.0.0.1:1", "attacker.example", ""):
        refused = get(server, tile_path(), Host=host)
        assert refused.status_code == 421 and refused.content == b"", host


def test_no_other_web_page_may_read_tiles(server: MBTilesServer) -> None:
    native = get(server, tile_path())  # the native map sends no Origin and needs no CORS
    assert native.status_code == 200 and "Access-Control-Allow-Origin" not in native.headers
    own = get(server, tile_path(), Origin=APP_ORIGIN, **{"Sec-Fetch-Site": "same-site"})
    assert own.status_code == 200 and own.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert own.content.startswith(b"\x89PNG")
    for headers in ({"Origin": "http://attacker.example"}, {"Origin": "null"},
                    {"Sec-Fetch-Site": "cross-site"}):  # an <img> of another site sends no Origin
        refused = get(server, tile_path(), **headers)
        assert refused.status_code == 403 and refused.content == b"", headers
        assert "Access-Control-Allow-Origin" not in refused.headers


def test_the_url_template_reaches_the_server(server: MBTilesServer) -> None:
    x, y = tile_xy(*lodz.PIOTRKOWSKA_72, 16)
    answer = requests.get(tile_url(server.url_template, 16, x, y), timeout=5)
    assert answer.status_code == 200 and server.served == 1
