"""Push bodies in zstd or gzip over real HTTP: the service names what it reads (``Accept-Encoding``,
RFC 7694), devices that can pack zstd send it once they heard that, others and older services get
gzip; broken, oversized and unknown codings are refused with ``bad_encoding`` or ``body_too_large``.
Rows the push writes (``COPY`` on PostgreSQL) come back exactly as sent."""

from __future__ import annotations

import gzip
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

import fieldapp.sync.push as push_module
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from fieldapp.sync.meta import K_REQUEST_CODINGS
from sync import hlc
from sync.protocol import MAX_BODY_BYTES, REQUEST_CODINGS, ErrorCode, codings
from sync.server import accounts
from sync.server.app import create_app
from sync.server.compression import zstd
from sync.server.db import Database
from sync.server.errors import error_response
from sync.server.local import serve_in_thread
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact, contact_names


class Recording(requests.Session):
    """Notes the ``Content-Encoding`` and batch id of every push the device sends."""

    def __init__(self) -> None:
        super().__init__()
        self.pushes: list[tuple[str, str]] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.endswith("/v1/push"):
            coding = kwargs["headers"].get("Content-Encoding", "")
            unpack = zstd.decompress if coding == "zstd" else gzip.decompress
            self.pushes.append((coding, json.loads(unpack(kwargs["data"]))["batch_id"]))
        return super().request(method, url, *args, **kwargs)


def _engine(device: Device, session: requests.Session, batch_size: int = 2000) -> SyncEngine:
    """A fresh engine on the device's store (as after the app restarted), its pushes recorded."""
    transport = HttpTransport(session=session, backoff=0.01, retries=2, timeout=10.0)
    return SyncEngine(device.store, transport, batch_size=batch_size)


def _post(world: World, device: Device, body: bytes, coding: str) -> requests.Response:
    headers = device.headers(**{"Content-Type": "application/json", "Content-Encoding": coding})
    return requests.post(f"{world.url}/v1/push", data=body, headers=headers, timeout=10)


def _batch(device: Device, *names: str) -> bytes:
    stamp = hlc.encode(time.time_ns() // 1_000_000, 0, hlc.node_for(device.store.device_id))
    changes = [
        {
            "record_type": "contact",
            "id": str(uuid.uuid4()),
            "fields": {"kind": "resident", "name": name},
            "full": True,
            "base_hlc": stamp,
        }
        for name in names
    ]
    return json.dumps({"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": changes}).encode()


def test_every_answer_names_the_codings_the_service_reads(world: World) -> None:
    a = world.device()
    me = requests.get(f"{world.url}/v1/me", headers=a.headers(), timeout=10)
    names = [f"Osoba {n}" for n in range(40)]
    pushed = _post(world, a, zstd.compress(_batch(a, *names)), "zstd")
    refused = _post(world, a, b"{}", "br")
    # A pull page big enough to be packed itself: the header survives the answer's compression.
    zstd_please = a.headers(**{"Accept-Encoding": "zstd"})
    packed = requests.get(f"{world.url}/v1/pull", headers=zstd_please, timeout=10)
    assert packed.headers["Content-Encoding"] == "zstd" and len(packed.json()["records"]) == 40
    for answer in (me, pushed, refused, packed):
        assert codings(answer.headers["Accept-Encoding"]) == set(REQUEST_CODINGS), answer.text
    assert pushed.status_code == 200 and {r["status"] for r in pushed.json()["results"]} == {"applied"}
    assert (refused.status_code, refused.json()["code"]) == (415, ErrorCode.BAD_ENCODING)
    assert "zstd or gzip" in refused.json()["message"]


def test_a_device_with_zstd_pushes_zstd_from_its_first_batch(world: World) -> None:
    a, b = world.device(), world.device()
    # Enrolling heard the service: the store keeps it for the next sync's first batch.
    assert set((a.store.meta(K_REQUEST_CODINGS) or "").split()) == set(REQUEST_CODINGS)
    for n in range(5):
        add_contact(a.store, f"Osoba {n}")
    session = Recording()
    receipt = _engine(a, session).sync()
    assert receipt.pushed == 5 and receipt.checksum == "ok"
    assert [coding for coding, _ in session.pushes] == ["zstd"]
    b.engine.sync()
    assert sorted(contact_names(b.store).values()) == [f"Osoba {n}" for n in range(5)]


def test_a_device_without_zstd_pushes_gzip(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(push_module, "zstd", None)  # as on a phone without compression.zstd or backports.zstd
    a, b = world.device(), world.device()
    for n in range(5):
        add_contact(a.store, f"Osoba {n}")
    session = Recording()
    receipt = _engine(a, session, batch_size=2).sync()
    assert receipt.pushed == 5 and receipt.checksum == "ok"
    assert [coding for coding, _ in session.pushes] == ["gzip"] * 3
    b.engine.sync()
    assert sorted(contact_names(b.store).values()) == [f"Osoba {n}" for n in range(5)]


class OlderService:
    """The service as it was before zstd push bodies: zstd refused with 415 ``bad_encoding`` and no
    ``Accept-Encoding`` in its answers (in front of the real service)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.refused = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (b"content-encoding", b"zstd") in scope["headers"]:
            self.refused += 1
            refusal = error_response(415, ErrorCode.BAD_ENCODING, "unsupported encoding zstd")
            await refusal(scope, receive, send)
            return

        async def unnamed(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = message["headers"]
                message["headers"] = [(k, v) for k, v in headers if k.lower() != b"accept-encoding"]
            await send(message)

        await self.app(scope, receive, unnamed)


@pytest.fixture
def older_service(tmp_path: Path) -> Iterator[tuple[str, Database, OlderService]]:
    db = Database(str(tmp_path / "older.db"))
    app = OlderService(create_app(db))
    url, server, thread = serve_in_thread(app)  # type: ignore[arg-type]
    app.app.state.public_url = url
    yield url, db, app
    server.should_exit = True
    thread.join(10)
    db.dispose()


def test_an_older_service_gets_gzip(
    older_service: tuple[str, Database, OlderService], tmp_path: Path
) -> None:
    url, db, app = older_service
    team = accounts.create_team(db, "Team")
    store = Store(tmp_path / "device.db")
    user = accounts.create_user(db, "Ala", "animator", team_id=team)
    SyncEngine(store).enroll(accounts.create_enrollment(db, user, url).uri)
    assert store.meta(K_REQUEST_CODINGS) == ""  # it said nothing: gzip only
    # As if the service had been a newer one at the last sync, and was put back since.
    store.set_meta(K_REQUEST_CODINGS, "gzip zstd")
    for n in range(3):
        add_contact(store, f"Osoba {n}")
    session = Recording()
    receipt = SyncEngine(store, HttpTransport(session=session, backoff=0.01, retries=2)).sync()
    assert receipt.pushed == 3 and receipt.checksum == "ok" and app.refused == 1
    # The refused batch went again in gzip under its id; the device now knows.
    assert [coding for coding, _ in session.pushes] == ["zstd", "gzip"]
    assert session.pushes[0][1] == session.pushes[1][1]
    assert store.meta(K_REQUEST_CODINGS) == ""
    add_contact(store, "Osoba 3")
    session = Recording()
    assert SyncEngine(store, HttpTransport(session=session)).sync().pushed == 1
    assert [coding for coding, _ in session.pushes] == ["gzip"] and app.refused == 1
    store.close()


def test_zstd_bodies_are_read_frame_by_frame_under_the_size_cap(world: World) -> None:
    a = world.device()
    body = _batch(a, "Ala", "Ola")
    # The device sends the batch's end as a frame of its own; a skippable frame is no data.
    skippable = (0x184D2A50).to_bytes(4, "little") + (3).to_bytes(4, "little") + b"abc"
    split = zstd.compress(body[:-1]) + skippable + zstd.compress(body[-1:])
    answer = _post(world, a, split, "zstd")
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["applied", "applied"]
    whole = zstd.compress(body)
    bomb = zstd.compress(b'{"protocol": 1, ' + b" " * (MAX_BODY_BYTES + 1024 * 1024) + b"}")
    assert len(bomb) < 100_000
    # A frame that asks for a window over 8 MB (RFC 9659) is refused before it takes the memory
    # (streamed, so its size is not known up front and the window stays as asked).
    packer = zstd.ZstdCompressor(options={zstd.CompressionParameter.window_log: 24})
    wide = packer.compress(body, packer.FLUSH_BLOCK) + packer.compress(b"", packer.FLUSH_FRAME)
    assert zstd.decompress(wide) == body
    cases = [
        (wide, 400, ErrorCode.BAD_ENCODING),
        (whole + zstd.compress(b"") * 8, 400, ErrorCode.BAD_ENCODING),  # 9 frames: more than a device sends
        (whole + b"garbage", 400, ErrorCode.BAD_ENCODING),
        (whole[:-3], 400, ErrorCode.BAD_ENCODING),
        (b"(\xb5/\xfd broken", 400, ErrorCode.BAD_ENCODING),
        (body, 400, ErrorCode.BAD_ENCODING),
        (b"", 400, ErrorCode.BAD_ENCODING),
        (zstd.compress(zstd.compress(body)), 422, ErrorCode.INVALID_REQUEST),
        (bomb, 413, ErrorCode.BODY_TOO_LARGE),
        (zstd.compress(b"\xff\xfe not UTF-8"), 422, ErrorCode.INVALID_REQUEST),
    ]
    for data, status, code in cases:
        refused = _post(world, a, data, "zstd")
        assert (refused.status_code, refused.json()["code"]) == (status, code), data[:20]
    refused = _post(world, a, gzip.compress(body), "zstd, gzip")
    assert (refused.status_code, refused.json()["code"]) == (415, ErrorCode.BAD_ENCODING)


def test_pushed_text_comes_back_as_sent(world: World) -> None:
    """Values with what ``COPY``'s text format escapes (tabs, newlines, backslashes, ``\\N``)."""
    a, b = world.device(), world.device()
    tricky = ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "\\N", "quote \" and '", "Łódź ż 🙂", ""]
    made = {add_contact(a.store, f"Osoba {n}", notes=text).id: text for n, text in enumerate(tricky)}
    assert a.engine.sync().checksum == "ok"
    assert b.engine.sync().checksum == "ok"
    with b.store.engine.connect() as conn:
        assert dict(conn.exec_driver_sql("SELECT id, notes FROM contact").all()) == made
