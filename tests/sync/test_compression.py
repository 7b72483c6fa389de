"""Compressed answers over real HTTP: zstd for clients that accept it, gzip or nothing for others."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route

from sync.server.compression import Compression, accepts, zstd
from sync.server.local import serve_in_thread
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Content coding does not depend on the database: SQLite only."""
    return str(tmp_path_factory.mktemp("service") / "sync.db")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zstd", True),
        ("gzip, deflate, zstd", True),
        ("ZSTD;q=0.5", True),
        ("gzip;q=1.0, zstd ; q=0.001", True),
        ("gzip", False),
        ("zstd;q=0", False),
        ("gzip, zstd;q=0.0", False),
        ("zstd;q=nonsense", False),
        ("xzstd, zstdx", False),
        ("", False),
    ],
)
def test_accept_encoding_is_read_with_its_q_values(header: str, expected: bool) -> None:
    assert accepts(header, "zstd") is expected


def _pull(world: World, device: Device, accept: str) -> requests.Response:
    """A pull answer as it came over the wire (not decoded by requests)."""
    response = requests.get(
        f"{world.url}/v1/pull",
        params={"after": 0, "limit": 500},
        headers=device.headers(**{"Accept-Encoding": accept}),
        stream=True,
        timeout=10,
    )
    response.raw.decode_content = False
    return response


def _records(body: bytes) -> list[dict[str, object]]:
    return json.loads(body)["records"]  # type: ignore[no-any-return]


def test_a_pull_page_comes_in_the_coding_the_client_accepts(world: World) -> None:
    writer, reader = world.device(), world.device()
    for n in range(60):
        add_contact(writer.store, f"Mieszkanka {n}", notes="Chce działać na rzecz podwórka. " * 3)
    writer.engine.sync()

    plain = _pull(world, reader, "identity")
    assert plain.headers.get("Content-Encoding") is None
    expected = _records(plain.raw.read())
    assert len(expected) == 60

    packed = _pull(world, reader, "gzip, deflate, zstd")
    assert packed.headers["Content-Encoding"] == "zstd"
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = packed.raw.read()
    assert int(packed.headers["Content-Length"]) == len(body) < 50_000
    assert _records(zstd.decompress(body)) == expected

    for accept in ("gzip, deflate", "zstd;q=0, gzip"):
        older = _pull(world, reader, accept)
        assert older.headers["Content-Encoding"] == "gzip", accept
        assert _records(gzip.decompress(older.raw.read())) == expected

    small = requests.get(f"{world.url}/health", headers={"Accept-Encoding": "zstd"}, timeout=10)
    assert small.headers.get("Content-Encoding") is None and small.json()["status"] == "ok"


def test_a_client_without_zstd_pulls_the_same_records(world: World) -> None:
    writer = world.device()
    names = {add_contact(writer.store, f"Osoba {n}", notes="x" * 80).name for n in range(40)}
    writer.engine.sync()
    readers = {accept: world.device() for accept in ("gzip, deflate, zstd", "gzip, deflate")}
    for accept, reader in readers.items():
        reader.engine.transport.session.headers["Accept-Encoding"] = accept
        assert reader.engine.sync().pulled == 40
        with reader.store.engine.connect() as conn:
            pulled = {row[0] for row in conn.exec_driver_sql("SELECT name FROM contact")}
        assert pulled == names, accept


@pytest.fixture
def streaming_url(tmp_path: Path) -> Iterator[str]:
    """A small app whose answer is streamed in parts, behind the service's middleware."""

    async def parts() -> Iterator[bytes]:  # type: ignore[misc]
        for n in range(50):
            yield json.dumps({"part": n, "text": "Strefa Aktywności Sąsiedzkiej " * 20}).encode() + b"\n"

    async def stream(_request: object) -> StreamingResponse:
        return StreamingResponse(parts(), media_type="application/x-ndjson")

    app = Compression(Starlette(routes=[Route("/stream", stream)]), gzip_level=3)
    url, server, thread = serve_in_thread(app, "127.0.0.1", 0)
    yield url
    server.should_exit = True
    thread.join(10)


def test_a_streamed_answer_is_one_zstd_frame_of_all_its_parts(streaming_url: str) -> None:
    response = requests.get(
        f"{streaming_url}/stream", headers={"Accept-Encoding": "zstd"}, stream=True, timeout=10
    )
    response.raw.decode_content = False
    body = response.raw.read()
    assert response.headers["Content-Encoding"] == "zstd" and "Content-Length" not in response.headers
    assert zstd.get_frame_size(body) == len(body)  # parts flushed as blocks of one frame
    lines = zstd.decompress(body).splitlines()
    assert [json.loads(line)["part"] for line in lines] == list(range(50))
    assert len(body) < sum(len(line) for line in lines) / 5
