"""Compressed answers: zstd for clients that accept it, gzip for the others.

A pull page of 2,000 records is ~1.4 MB of JSON. zstd at level 1 packs it in ~1.1 ms to 89-110 KB;
gzip at level 3 took ~5 ms for 118-148 KB, and unpacking took the device ~1.6 ms instead of
~0.4 ms. The app's ``requests`` asks for zstd by itself wherever its ``urllib3`` can decode it
(Python 3.14's ``compression.zstd`` or the ``backports.zstd`` package); other clients keep gzip.
"""

from __future__ import annotations

import anyio.to_thread
from starlette.middleware.gzip import GZipMiddleware, IdentityResponder
from starlette.types import ASGIApp, Receive, Scope, Send

from sync.protocol import codings
from sync.zstd_module import zstd

#: The file lane's answers go out as they are (``sync.server.routes.files``).
FILES_PATH = "/v1/files/"
#: zstd's fastest regular level: the smallest output per millisecond on pull pages.
ZSTD_LEVEL = 1
#: Answers shorter than this go out as they are (a few packets either way).
MINIMUM_SIZE = 2048
#: Bodies from this size are packed in a worker thread, not in the event loop.
THREAD_MINIMUM_SIZE = 256 * 1024


def accepts(accept_encoding: str, coding: str) -> bool:
    """Whether an ``Accept-Encoding`` header admits ``coding`` (named, with a q-value above 0)."""
    return coding in codings(accept_encoding)


class Compression(GZipMiddleware):
    """Starlette's gzip middleware, with zstd first for clients that accept it."""

    def __init__(self, app: ASGIApp, gzip_level: int) -> None:
        super().__init__(app, minimum_size=MINIMUM_SIZE, compresslevel=gzip_level)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(FILES_PATH):
            # Photos and PDFs are packed already, and a Range counts the file's own bytes.
            await self.app(scope, receive, send)
            return
        if scope["type"] == "http" and accepts(_header(scope, b"accept-encoding"), "zstd"):
            excluded = self.exclude_content_types
            responder = ZstdResponder(self.app, self.minimum_size, exclude_content_types=excluded)
            await responder(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class ZstdResponder(IdentityResponder):
    """Packs an answer's body as one zstd frame (a streamed body block by block)."""

    content_encoding = "zstd"

    def __init__(self, app: ASGIApp, minimum_size: int, **kwargs: tuple[str, ...]) -> None:
        super().__init__(app, minimum_size, **kwargs)
        self._compressor: zstd.ZstdCompressor | None = None

    async def apply_compression(self, body: bytes, *, more_body: bool) -> bytes:
        if len(body) >= THREAD_MINIMUM_SIZE:
            return await anyio.to_thread.run_sync(self._compress, body, more_body)
        return self._compress(body, more_body)

    def _compress(self, body: bytes, more_body: bool) -> bytes:
        if self._compressor is None:
            self._compressor = zstd.ZstdCompressor(level=ZSTD_LEVEL)
        mode = zstd.ZstdCompressor.FLUSH_BLOCK if more_body else zstd.ZstdCompressor.FLUSH_FRAME
        return self._compressor.compress(body, mode)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""
