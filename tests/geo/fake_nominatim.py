"""A loopback HTTP server that answers like Nominatim (``/search`` and ``/reverse``, format=json).

It holds a small gazetteer of buildings and streets and matches queries the way a geocoder does
closely enough for the client's code paths: a house number found → the building; only the street
found → the street (an approximate answer); the same address in two cities → two candidates.
Switchable faults: HTTP 500, HTTP 429 with Retry-After, a slow answer (timeout), and "down"
(nothing listening on the port).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from fieldapp.geo.distance import fast_distance_m
from fieldapp.store.text import tokens

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"


@dataclass
class Entry:
    street: str
    house_number: str
    city: str
    postcode: str
    lat: float
    lon: float
    osm_id: int = 0

    def as_json(self, place_id: int) -> dict:
        is_house = bool(self.house_number)
        address = {"road": self.street, "suburb": "Śródmieście", "city": self.city,
                   "state": "województwo łódzkie", "postcode": self.postcode, "country": "Polska",
                   "country_code": "pl"}
        if is_house:
            address = {"house_number": self.house_number, **address}
        display = ", ".join(
            part for part in (self.house_number, self.street, "Śródmieście", self.city,
                              "województwo łódzkie", self.postcode, "Polska") if part
        )
        return {
            "place_id": place_id,
            "licence": LICENCE,
            "osm_type": "way",
            "osm_id": self.osm_id or place_id * 7,
            "lat": f"{self.lat:.7f}",
            "lon": f"{self.lon:.7f}",
            "class": "building" if is_house else "highway",
            "type": "yes" if is_house else "pedestrian",
            "place_rank": 30 if is_house else 26,
            "importance": 0.00009 if is_house else 0.1,
            "addresstype": "building" if is_house else "road",
            "name": "",
            "display_name": display,
            "address": address,
            "boundingbox": [f"{self.lat - 0.0003:.7f}", f"{self.lat + 0.0003:.7f}",
                            f"{self.lon - 0.0004:.7f}", f"{self.lon + 0.0004:.7f}"],
        }


@dataclass
class Hit:
    at: float
    path: str
    params: dict[str, str]
    user_agent: str


@dataclass
class FakeNominatim:
    entries: list[Entry] = field(default_factory=list)
    #: normal | error | rate_limited | slow
    mode: str = "normal"
    retry_after: int = 2
    slow_s: float = 3.0
    hits: list[Hit] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    def __post_init__(self) -> None:
        if not self.port:
            self.port = free_port()

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.domain}"

    def start(self) -> FakeNominatim:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.answer(self)

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- answers ---------------------------------------------------------------------------

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.hits.append(Hit(time.monotonic(), parts.path, params, handler.headers.get("User-Agent", "")))
        if self.mode == "error":
            return self._send(handler, 500, "<html><body>Internal Server Error</body></html>", "text/html")
        if self.mode == "rate_limited":
            return self._send(handler, 429, "Too Many Requests", "text/plain",
                              {"Retry-After": str(self.retry_after)})
        if self.mode == "slow":
            time.sleep(self.slow_s)
        if params.get("format") != "json":
            return self._send(handler, 400, json.dumps({"error": "format"}), "application/json")
        if parts.path.endswith("/search"):
            body = self.search(params.get("q", ""), int(params.get("limit", 10)))
        elif parts.path.endswith("/reverse"):
            body = self.reverse(float(params["lat"]), float(params["lon"]))
        else:
            return self._send(handler, 404, "not found", "text/plain")
        self._send(handler, 200, json.dumps(body, ensure_ascii=False), "application/json; charset=utf-8")

    def search(self, q: str, limit: int) -> list[dict]:
        words = set(tokens(q))
        houses, streets = [], []
        for place_id, entry in enumerate(self.entries, start=1):
            if tokens(entry.street)[-1] not in words:  # "Traugutta" finds "Romualda Traugutta"
                continue
            cities = {w for e in self.entries for w in tokens(e.city)}
            asked_cities = words & cities
            if asked_cities and not asked_cities <= set(tokens(entry.city)):
                continue
            if entry.house_number and entry.house_number.lower() in words:
                houses.append(entry.as_json(place_id))
            elif not entry.house_number:
                streets.append(entry.as_json(place_id))
        return (houses or streets)[:limit]

    def reverse(self, lat: float, lon: float) -> dict:
        best = None
        for place_id, entry in enumerate(self.entries, start=1):
            distance = fast_distance_m((lat, lon), (entry.lat, entry.lon))
            if entry.house_number and distance < 60 and (best is None or distance < best[0]):
                best = (distance, entry.as_json(place_id))
        return best[1] if best else {"error": "Unable to geocode"}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: str, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lodz_gazetteer() -> list[Entry]:
    """Buildings and streets of central Łódź (see tests/geo/lodz.py), and a Kraków namesake."""
    return [
        Entry("Piotrkowska", "72", "Łódź", "90-102", 51.768428, 19.456684),
        Entry("Piotrkowska", "104", "Łódź", "90-926", 51.76580, 19.45720),
        Entry("Piotrkowska", "", "Łódź", "90-001", 51.76600, 19.45750),
        Entry("Romualda Traugutta", "3", "Łódź", "90-106", 51.76880, 19.45852),
        Entry("Stanisława Moniuszki", "4", "Łódź", "90-111", 51.76760, 19.45880),
        Entry("Juliana Tuwima", "10", "Łódź", "90-010", 51.76480, 19.46100),
        Entry("6 Sierpnia", "5", "Łódź", "90-416", 51.76650, 19.45400),
        Entry("Zielona", "2", "Łódź", "90-601", 51.77350, 19.45350),
        Entry("Kościuszki", "5", "Łódź", "90-418", 51.76900, 19.45100),
        Entry("Kościuszki", "5", "Kraków", "30-105", 50.05600, 19.92200),
    ]
