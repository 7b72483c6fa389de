"""Map tiles: where they come from, whether they load, and serving an offline MBTiles file.

flet-map fetches tiles over HTTP only. For areas without a signal, a coordinator can put an
MBTiles file (raster tiles of the program's district) on the device; ``MBTilesServer`` serves it
on 127.0.0.1 and the map's URL template points there. It answers only requests addressed to that
address and port (a web page cannot reach it through a rebound DNS name) and lets no other web
page read its tiles (no CORS header but for the app's own origin in web mode). ``probe_tiles``
fetches one tile of the area to decide, before drawing, whether the map can show anything — if
not, the map screen shows the list with distances and directions instead of an empty grey map.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from fieldapp.geo.settings import TileSettings

log = logging.getLogger(__name__)

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"RIFF", b"GIF8")
_TILE_PATH = re.compile(r"^/(\d{1,2})/(\d{1,10})/(\d{1,10})(?:\.(png|jpg|jpeg|webp))?$")
#: The deepest zoom level served (the usual ceiling of XYZ tile sets; raster tiles stop sooner).
MAX_ZOOM = 22
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def tile_xy(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    """The XYZ ("slippy map") tile holding a point at a zoom level."""
    n = 2**zoom
    lat = max(min(lat, 85.05112878), -85.05112878)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_url(template: str, z: int, x: int, y: int) -> str:
    """A tile's URL from an XYZ template (``{s}`` → "a", ``{r}`` → "", ``{d}`` → 256)."""
    return (
        template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
        .replace("{s}", "a").replace("{r}", "").replace("{d}", "256")
    )


def probe_tiles(settings: TileSettings, lat: float, lon: float, zoom: int = 16) -> bool:
    """Whether the tile server answers with an image for the area around a point."""
    x, y = tile_xy(lat, lon, zoom)
    url = tile_url(settings.url_template, zoom, x, y)
    try:
        response = requests.get(
            url, timeout=settings.probe_timeout_s, headers={"User-Agent": settings.user_agent_package_name}
        )
    except requests.RequestException as exc:
        log.info("tile probe failed: %s", exc)
        return False
    return response.status_code == 200 and response.content.startswith(_IMAGE_MAGIC)


# -- MBTiles ------------------------------------------------------------------------------------


def write_mbtiles(path: Path, tiles: Mapping[tuple[int, int, int], bytes], *, name: str = "Teren",
                  image_format: str = "png") -> None:
    """Write raster tiles keyed by XYZ ``(z, x, y)`` into an MBTiles file (TMS rows, as the spec says)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
            "tile_data BLOB, PRIMARY KEY (zoom_level, tile_column, tile_row))"
        )
        db.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", name), ("format", image_format)])
        db.executemany(
            "INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, (2**z - 1) - y, data) for (z, x, y), data in tiles.items()],
        )
    db.close()


class MBTilesServer:
    """Serves ``/{z}/{x}/{y}.png`` from an MBTiles file on the loopback interface.

    ``origins`` are the web origins allowed to read tiles through ``fetch`` (CORS): only the app's
    own page in web mode ("http://127.0.0.1:8550"); the native app's map needs none.
    """

    def __init__(self, path: Path | str, *, host: str = "127.0.0.1", port: int = 0,
                 origins: Iterable[str] = ()) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(self.path)
        self.host = host
        self.origins = frozenset(o.rstrip("/").lower() for o in origins)
        self._requested_port = port
        self._server: ThreadingHTTPServer | None = None
        self._local = threading.local()
        #: Tiles answered so far (a test or a status line can show the map is really served).
        self.served = 0
        fmt = self._read_format()
        self.content_type = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}.get(
            fmt, "image/png"
        )

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the tile server is not running")
        return self._server.server_address[1]

    @property
    def url_template(self) -> str:
        return f"http://{self._authority(self.host)}/{{z}}/{{x}}/{{y}}.png"

    def start(self) -> MBTilesServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    server._answer(self)
                except Exception:  # an answer, never a dropped connection and a trace on stderr
                    log.exception("tile server: %s failed", self.path[:200])
                    with contextlib.suppress(OSError):
                        server._send(self, 500)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, self._requested_port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.1,), name="mbtiles", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ ``(z, x, y)``; None when the file has none or there is no such tile."""
        if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
            return None
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        row = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, (2**z - 1) - y),
        ).fetchone()
        return bytes(row[0]) if row else None

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        refused = self._refusal(handler)
        if refused:
            self._send(handler, refused)
            return
        cors = self._cors(handler)
        match = _TILE_PATH.match(handler.path.split("?", 1)[0])
        if match is None:
            self._send(handler, 404, headers=cors)
            return
        z, x, y = (int(match.group(i)) for i in (1, 2, 3))
        if z > MAX_ZOOM or x >= 2**z or y >= 2**z:
            self._send(handler, 400, headers=cors)
            return
        data = self.tile(z, x, y)
        if data is None:
            self._send(handler, 404, headers=cors)
            return
        self.served += 1
        headers = {"Content-Type": self.content_type, "Cache-Control": "max-age=86400", **cors}
        self._send(handler, 200, data, headers)

    def _refusal(self, handler: BaseHTTPRequestHandler) -> int | None:
        """421 for a request addressed by another name (DNS rebinding), 403 for another site's page."""
        if (handler.headers.get("Host") or "").strip().lower() not in self._hosts():
            return 421
        origin = handler.headers.get("Origin")
        if origin is not None and origin.rstrip("/").lower() not in self.origins:
            return 403
        if handler.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
            return 403  # e.g. an <img> of another site probing which area the file covers
        return None

    def _hosts(self) -> set[str]:
        names = {self.host.lower()}
        if self.host in _LOOPBACK:
            names.add("localhost")
        hosts = {self._authority(name) for name in names}
        return hosts | names if self.port == 80 else hosts

    def _authority(self, host: str) -> str:
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    def _cors(self, handler: BaseHTTPRequestHandler) -> dict[str, str]:
        origin = handler.headers.get("Origin")
        if origin is None:
            return {}
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, data: bytes = b"",
              headers: Mapping[str, str] | None = None) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the map moved on: fine
            handler.wfile.write(data)

    def _read_format(self) -> str:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT value FROM metadata WHERE name = 'format'").fetchone()
        db.close()
        return (row[0] if row else "png").lower()


# -- the area's map on the device ----------------------------------------------------------------

#: Where the coordinator's MBTiles file of the area lives, under the app's data folder.
AREA_MAP = Path("maps") / "area.mbtiles"


@dataclass(frozen=True)
class AreaMap:
    """What an MBTiles file of the area holds (``metadata`` name and zoom levels, tile count)."""

    path: Path
    name: str
    tiles: int
    min_zoom: int | None
    max_zoom: int | None


def read_area_map(path: Path) -> AreaMap:
    """Check that ``path`` is an MBTiles file with raster tiles; ValueError when it is not."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
            count, low, high = db.execute(
                "SELECT count(*), min(zoom_level), max(zoom_level) FROM tiles"
            ).fetchone()
    except sqlite3.Error as exc:
        raise ValueError(f"not an MBTiles file: {path} ({exc})") from exc
    if not count:
        raise ValueError(f"the MBTiles file has no tiles: {path}")
    if str(meta.get("format", "png")).lower() not in ("png", "jpg", "jpeg", "webp"):
        raise ValueError(f"the MBTiles file holds {meta.get('format')} tiles, not pictures: {path}")
    return AreaMap(Path(path), str(meta.get("name") or Path(path).stem), count, low, high)


def area_map_path(data_folder: Path) -> Path | None:
    """The installed area map, if there is one."""
    path = Path(data_folder) / AREA_MAP
    return path if path.is_file() else None


def install_area_map(data_folder: Path, source: Path) -> AreaMap:
    """Copy a checked MBTiles file into the data folder (replacing the previous area's map)."""
    read_area_map(source)
    target = Path(data_folder) / AREA_MAP
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)  # never a half-copied map in place
    return read_area_map(target)
