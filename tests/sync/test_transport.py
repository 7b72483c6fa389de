"""HttpTransport against a real HTTP server on 127.0.0.1 that answers from a script: what is retried,
how long it waits (sleep injected and recorded), when it stops, and which SyncError comes out."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from fieldapp.sync import HttpTransport, SyncError
from fieldapp.sync.transport import retry_after
from sync.protocol import PROTOCOL_VERSION
from tests.sync import processes

Answer = tuple[int, dict[str, str], bytes]
OK: Answer = (200, {}, b'{"ok": true}')


class Scripted(ThreadingHTTPServer):
    """Answers each request with the next scripted answer (``OK`` once the script is spent) and
    keeps what it received."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[Answer] = []
        self.received: list[dict[str, Any]] = []
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Scripted

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        self.server.received.append(seen)
        time.sleep(self.server.delay)
        status, headers, content = self.server.script.pop(0) if self.server.script else OK
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet test output


@pytest.fixture
def server() -> Iterator[Scripted]:
    running = Scripted()
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join(5)


def _busy(status: int, **headers: str) -> Answer:
    return status, headers, json.dumps({"code": "unavailable", "message": "busy"}).encode()


def _http_date(seconds_ahead: float) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds_ahead), usegmt=True)


def test_retry_after_in_seconds_is_honoured(server: Scripted) -> None:
    naps: list[float] = []
    server.script = [_busy(503, **{"Retry-After": "7"}), _busy(429, **{"Retry-After": "2"})]
    transport = HttpTransport(sleep=naps.append, max_backoff=30)
    assert transport.request("GET", f"{server.url}/v1/me") == {"ok": True}
    assert naps == [7.0, 2.0] and len(server.received) == 3


def test_retry_after_as_an_http_date_is_honoured(server: Scripted) -> None:
    naps: list[float] = []
    server.script = [
        _busy(503, **{"Retry-After": _http_date(20)}),
        _busy(429, **{"Retry-After": _http_date(9)}),
    ]
    transport = HttpTransport(sleep=naps.append, max_backoff=30)
    assert transport.request("GET", f"{server.url}/v1/pull") == {"ok": True}
    # The date has whole seconds: up to one second less than asked, and the round trip.
    assert len(naps) == 2 and 15 <= naps[0] <= 20 and 4 <= naps[1] <= 9


def test_retry_after_is_capped_by_max_backoff(server: Scripted) -> None:
    naps: list[float] = []
    server.script = [_busy(503, **{"Retry-After": "3600"}), _busy(503, **{"Retry-After": _http_date(3600)})]
    HttpTransport(sleep=naps.append, max_backoff=5).request("GET", f"{server.url}/v1/me")
    assert naps == [5, 5]


def test_a_date_already_past_or_an_unreadable_header_falls_back_to_the_backoff(server: Scripted) -> None:
    naps: list[float] = []
    server.script = [_busy(503, **{"Retry-After": _http_date(-60)}), _busy(503, **{"Retry-After": "soon"})]
    HttpTransport(sleep=naps.append, backoff=0.4, max_backoff=30).request("GET", f"{server.url}/v1/me")
    assert len(naps) == 2 and 0.2 <= naps[0] <= 0.4 and 0.4 <= naps[1] <= 0.8


def test_retries_stop_after_the_configured_attempts(server: Scripted) -> None:
    naps: list[float] = []
    server.script = [_busy(503)] * 10
    transport = HttpTransport(retries=3, backoff=0.5, max_backoff=1.5, sleep=naps.append)
    with pytest.raises(SyncError) as error:
        transport.request("POST", f"{server.url}/v1/push", body=b"{}")
    assert (error.value.code, error.value.status, str(error.value)) == ("unavailable", 503, "busy")
    assert len(server.received) == 4 and len(naps) == 3  # the first attempt and three retries
    assert 0.25 <= naps[0] <= 0.5 and 0.5 <= naps[1] <= 1 and 0.75 <= naps[2] <= 1.5  # exponential, capped


def test_no_retries_means_one_attempt(server: Scripted) -> None:
    naps: list[float] = []
    server.script = [(500, {}, b"<html>oops</html>")]
    with pytest.raises(SyncError) as error:
        HttpTransport(retries=0, sleep=naps.append).request("GET", f"{server.url}/v1/me")
    assert (error.value.code, error.value.status) == ("server_error", 500)
    assert len(server.received) == 1 and naps == []


def test_refusals_are_not_retried_and_keep_the_service_code_and_details(server: Scripted) -> None:
    naps: list[float] = []
    refused = {"code": "forbidden", "message": "not yours", "changes": [{"record_type": "visit", "id": "v1"}]}
    server.script = [(403, {}, json.dumps(refused).encode()), (404, {}, b"nothing here")]
    transport = HttpTransport(sleep=naps.append)
    with pytest.raises(SyncError) as error:
        transport.request("POST", f"{server.url}/v1/push", body=b"{}")
    assert (error.value.code, error.value.status, str(error.value)) == ("forbidden", 403, "not yours")
    assert error.value.details == {"changes": [{"record_type": "visit", "id": "v1"}]}
    with pytest.raises(SyncError) as error:
        transport.request("GET", f"{server.url}/v1/nothing")
    assert (error.value.code, error.value.status) == ("http_404", 404)
    assert len(server.received) == 2 and naps == []


def test_an_answer_that_is_not_json_is_retried(server: Scripted) -> None:
    naps: list[float] = []
    server.script = [(200, {}, b"<html>captive portal</html>")] * 2
    transport = HttpTransport(retries=1, backoff=0.01, sleep=naps.append)
    with pytest.raises(SyncError) as error:
        transport.request("GET", f"{server.url}/v1/me")
    assert error.value.code == "bad_response" and error.value.status is None and len(naps) == 1
    server.script = [(200, {}, b"not json")]
    assert transport.request("GET", f"{server.url}/v1/me") == {"ok": True}


def test_no_server_is_offline_after_the_retries() -> None:
    naps: list[float] = []
    transport = HttpTransport(retries=2, backoff=0.01, sleep=naps.append)
    with pytest.raises(SyncError) as error:
        transport.request("GET", f"http://127.0.0.1:{processes.free_port()}/v1/me")
    assert error.value.code == "offline" and error.value.status is None and len(naps) == 2


def test_a_slow_service_times_out(server: Scripted) -> None:
    server.delay = 0.5
    with pytest.raises(SyncError) as error:
        HttpTransport(retries=1, timeout=0.1, backoff=0.01, sleep=lambda _s: None).request(
            "GET", f"{server.url}/v1/me"
        )
    assert error.value.code == "timeout" and len(server.received) == 2


def test_what_is_sent(server: Scripted) -> None:
    transport = HttpTransport()
    body = gzip.compress(b'{"changes": []}')
    transport.request("POST", f"{server.url}/v1/push", token="tk_secret", body=body, encoding="gzip")
    transport.request("GET", f"{server.url}/v1/pull", token="tk_secret", params={"after": 5, "limit": 10})
    transport.request("POST", f"{server.url}/v1/enroll", json={"code": "X"})
    push, pull, enroll = server.received
    assert push["headers"]["Authorization"] == "Bearer tk_secret"
    assert push["headers"]["Content-Encoding"] == "gzip" and push["body"] == body
    assert push["headers"]["User-Agent"] == f"teren-app/{PROTOCOL_VERSION}"
    assert pull["path"] == "/v1/pull?after=5&limit=10"
    assert "Authorization" not in enroll["headers"] and json.loads(enroll["body"]) == {"code": "X"}


def test_retry_after_forms() -> None:
    now = datetime(1994, 11, 6, 8, 49, 0, tzinfo=UTC)
    forms = ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994")
    for form in forms:  # the three date forms of RFC 9110
        assert retry_after(form, now) == 37.0
    assert retry_after("Sun, 06 Nov 1994 08:48:00 GMT", now) == 0.0  # past: no wait asked
    assert retry_after(" 120 ", now) == 120.0
    for unreadable in (None, "", "-3", "1.5", "soon", "²"):
        assert retry_after(unreadable, now) is None
