"""Where the enrollment code and the residents' data may go: https only (plain http to this device
only), the real host and no user-info, no redirect to another origin, and an enrollment answer
checked before anything is kept. Real HTTP servers on other loopback addresses (127.0.0.2, .3)
stand for the other hosts; the real service behind them where a finding involves sync.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest

from fieldapp.store import Store
from fieldapp.sync import SyncEngine, SyncError, parse_enrollment
from fieldapp.sync.enrollment import server_address
from fieldapp.sync.token_vault import FileTokenVault
from sync.server import accounts
from tests.sync.conftest import World
from tests.sync.helpers import add_contact

#: path -> (status, headers, body)
Answer = Callable[[str], tuple[int, dict[str, str], bytes]]


class Host(ThreadingHTTPServer):
    """Another host: answers every request with ``answer(path)`` and keeps what it received."""

    daemon_threads = True

    def __init__(self, address: str, answer: Answer) -> None:
        super().__init__((address, 0), _Handler)
        self.answer = answer
        self.received: list[tuple[str, str, bytes]] = []

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Host

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.received.append((self.command, self.path, self.rfile.read(length) if length else b""))
        status, headers, body = self.server.answer(self.path)
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def hosts() -> Iterator[Callable[[str, Answer], Host]]:
    started: list[Host] = []

    def start(address: str, answer: Answer) -> Host:
        host = Host(address, answer)
        threading.Thread(target=host.serve_forever, daemon=True).start()
        started.append(host)
        return host

    yield start
    for host in started:
        host.shutdown()
        host.server_close()


def _redirect_to(target: str, status: int = 307) -> Answer:
    return lambda path: (status, {"Location": f"{target}{path}"}, b"")


def _enrollment(server: str, code: str = "ABCDEFGH-IJKLM") -> str:
    return f"teren://enroll?server={quote(server, safe='')}&code={code}"


# -- https only, the real host ------------------------------------------------------------------


def test_server_addresses_https_only_except_this_device() -> None:
    assert server_address("sync.example.pl/") == "https://sync.example.pl"
    assert server_address("HTTPS://Sync.Example.PL:8443/teren/") == "https://sync.example.pl:8443/teren"
    for loopback in (
        "http://127.0.0.1:8765",
        "http://localhost:8560",
        "http://[::1]:8000",
        "http://127.0.0.2",
    ):
        assert server_address(loopback) == loopback
    for insecure in ("http://sync.example.pl", "http://192.168.1.10:8765", "http://localhost.example.pl"):
        with pytest.raises(SyncError) as refused:
            server_address(insecure)
        assert refused.value.code == "server_insecure", insecure
    for invalid in (
        "http://sync.lodz.pl@127.0.0.1:8802",
        "https://user:pass@sync.example.pl",
        "ftp://sync.example.pl",
        "https://sync.example.pl/?x=1",
        "https://sync.example.pl:99999",
        "https://",
    ):
        with pytest.raises(SyncError) as refused:
            server_address(invalid)
        assert refused.value.code == "server_invalid", invalid
    with pytest.raises(SyncError) as refused:
        parse_enrollment(_enrollment("http://sync.example.pl"))
    assert refused.value.code == "server_insecure"


def test_a_misleading_server_address_gets_no_code(world: World) -> None:
    """``http://sync.lodz.pl@127.0.0.1:port`` would go to 127.0.0.1 while showing sync.lodz.pl: refused
    before the code leaves the device, which then enrolls at the real address with the same code."""
    made = accounts.create_enrollment(world.db, world.user(), world.url)
    code = made.code
    host_port = world.url.removeprefix("http://")
    store = Store(world.tmp_path / "device.db")
    try:
        engine = SyncEngine(store)
        with pytest.raises(SyncError) as refused:
            engine.enroll(_enrollment(f"http://sync.lodz.pl@{host_port}", code))
        assert refused.value.code == "server_invalid" and not engine.status().enrolled
        status = engine.enroll(_enrollment(world.url, code))  # the code was not spent
        assert status.enrolled and status.server_url == world.url
    finally:
        store.close()


# -- the enrollment answer ----------------------------------------------------------------------


def test_an_enrollment_answer_without_a_token_is_a_clear_error(
    hosts: Callable[[str, Answer], Host], tmp_path: Any
) -> None:
    answer = {"user_id": "u1", "user_name": "Ala", "role": "animator", "team_id": None, "program_id": "p"}
    for broken in (answer, {**answer, "token": ""}, {**answer, "token": "tk bad\r\nX: y"}, [], {"token": 5}):
        server = hosts("127.0.0.2", lambda _path, body=broken: (200, {}, json.dumps(body).encode()))
        store = Store(tmp_path / "device.db")
        engine = SyncEngine(store)
        with pytest.raises(SyncError) as refused:
            engine.enroll(_enrollment(server.url))
        assert refused.value.code == "enrollment_bad_response", broken
        assert (
            not engine.status().enrolled and store.user_id is None and store.meta("sync.server_url") is None
        )
        assert not FileTokenVault.beside(store).path.exists()
        store.close()


# -- redirects ----------------------------------------------------------------------------------


def test_an_enrollment_redirected_to_another_host_is_not_sent_there(
    hosts: Callable[[str, Answer], Host], tmp_path: Any
) -> None:
    other = hosts("127.0.0.3", lambda _path: (200, {}, b"{}"))
    for status in (307, 308, 301, 302):
        redirector = hosts("127.0.0.2", _redirect_to(other.url, status))
        store = Store(tmp_path / f"device-{status}.db")
        with pytest.raises(SyncError) as refused:
            SyncEngine(store).enroll(_enrollment(redirector.url, "SECRETCODE-12345"))
        store.close()
        assert refused.value.code == "redirected", status
        assert len(redirector.received) == 1
    assert other.received == []


def test_a_push_redirected_to_another_host_keeps_its_body(
    world: World, hosts: Callable[[str, Answer], Host]
) -> None:
    """The enrolled service starts answering 308 to another host: residents' data stays on the device."""
    a = world.device()
    other = hosts("127.0.0.3", lambda _path: (200, {}, b"{}"))
    redirector = hosts("127.0.0.2", _redirect_to(other.url, 308))
    a.engine.move_to(redirector.url)
    add_contact(a.store, "Ala Nowak", phone="600 100 200")
    with pytest.raises(SyncError) as refused:
        a.engine.sync()
    assert refused.value.code == "redirected"
    assert other.received == [] and a.store.pending_changes() == 1
    a.engine.move_to(world.url)  # back at the real address, everything goes
    assert a.engine.sync().applied == 1


def test_a_redirect_within_the_service_is_followed(
    world: World, hosts: Callable[[str, Answer], Host], tmp_path: Any
) -> None:
    """A 308 on the same origin (a path prefix moved) keeps the request: method, body and all."""
    answer = {"token": "tk_" + "a" * 40, "user_id": "u1", "user_name": "Ala", "role": "animator"}
    answer |= {"team_id": None, "program_id": "p", "server_time_ms": 1}

    def moved(path: str) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/teren/"):
            return 200, {}, json.dumps(answer).encode()
        return 308, {"Location": f"/teren{path}"}, b""

    server = hosts("127.0.0.2", moved)
    store = Store(tmp_path / "device.db")
    try:
        assert SyncEngine(store).enroll(_enrollment(server.url, "CODE-1")).enrolled
    finally:
        store.close()
    first, second = server.received
    assert first[:2] == ("POST", "/v1/enroll") and second[:2] == ("POST", "/teren/v1/enroll")
    assert second[2] == first[2] and b"CODE-1" in second[2]
