"""Request bodies read under a size cap, gzip or zstd inflated under the same cap, before any route
runs; every answer names the codings a request body may use (``Accept-Encoding``, RFC 7694)."""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sync.protocol import MAX_BODY_BYTES, REQUEST_CODINGS, ErrorCode
from sync.server.errors import error_response
from sync.zstd_module import zstd

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
#: Where bodies are files, streamed by their route (``sync.server.routes.files``).
FILES_PATH = "/v1/files/"
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
#: What every answer (the file lane's aside) says of request bodies: the devices that can pack zstd
#: send it once they have heard this; older services say nothing, and get gzip.
_ACCEPT_ENCODING = (b"accept-encoding", ", ".join(REQUEST_CODINGS).encode())
#: The largest zstd window a body may need (RFC 9659: 8 MB), so a frame cannot ask for more memory.
ZSTD_WINDOW_LOG_MAX = 23
#: zstd frames a body may hold (the app sends 2): megabytes of empty frames would keep the event loop
#: busy for seconds before any token is checked.
ZSTD_MAX_FRAMES = 8


class _TooLarge(Exception):
    """The inflated body would pass the cap (a zip bomb, or just too much)."""


class _Broken(Exception):
    """The body is no whole stream of its coding."""


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    """One gzip member, inflated to at most ``max_bytes``; nothing may follow it."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise _Broken from exc
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise _TooLarge
    if not inflater.eof or inflater.unused_data:
        raise _Broken  # truncated, or bytes after the stream
    return out


def _unzstd(body: bytes, max_bytes: int) -> bytes:
    """zstd frames one after the other (RFC 8878: a device sends the batch's end as a frame of its
    own), at most ``ZSTD_MAX_FRAMES``, inflated to at most ``max_bytes`` together, each with a window
    of at most 8 MB."""
    parts: list[bytes] = []
    size = 0
    rest = body
    options: dict[int, int] = {zstd.DecompressionParameter.window_log_max: ZSTD_WINDOW_LOG_MAX}
    for _frame in range(ZSTD_MAX_FRAMES):
        inflater = zstd.ZstdDecompressor(options=options)
        try:
            out = inflater.decompress(rest, max_bytes - size + 1)
        except zstd.ZstdError as exc:
            raise _Broken from exc
        size += len(out)
        if size > max_bytes:
            raise _TooLarge
        parts.append(out)
        if not inflater.eof:
            raise _Broken  # truncated (or, past the cap's check, output still held: cannot be)
        rest = inflater.unused_data
        if not rest:
            return b"".join(parts)
    raise _Broken  # more frames than a device sends


#: Inflaters of the request codings (``REQUEST_CODINGS``), by name.
_INFLATERS: dict[str, Callable[[bytes, int], bytes]] = {"gzip": _gunzip, "zstd": _unzstd}
assert set(_INFLATERS) == set(REQUEST_CODINGS)


class BodyLimit:
    """Reads request bodies up to ``max_bytes``, inflating gzip and zstd bodies with the same cap.

    A body over the cap (before or after decompression: a zip bomb) is answered 413
    ``body_too_large`` before any JSON parsing; another coding is 415 ``bad_encoding``, a broken
    stream (or bytes after it) 400 ``bad_encoding``; a body that is not UTF-8 (every body is JSON,
    RFC 8259) is 422 ``invalid_request``. Every answer but the file lane's carries
    ``Accept-Encoding: zstd, gzip``. The file lane (``/v1/files/``) streams its bytes and caps them
    itself (``routes.files``).
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send_on: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(FILES_PATH):
            await self.app(scope, receive, send_on)
            return

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), _ACCEPT_ENCODING]
            await send_on(message)

        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        encoding = headers.get("content-encoding", "identity").strip().lower()
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            reply = error_response(413, ErrorCode.BODY_TOO_LARGE, "request body too large")
            await reply(scope, receive, send)
            return
        inflate = _INFLATERS.get(encoding)
        if inflate is None and encoding != "identity":
            refusal = f"unsupported encoding {encoding}: send {' or '.join(REQUEST_CODINGS)}"
            await error_response(415, ErrorCode.BAD_ENCODING, refusal)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                reply = error_response(413, ErrorCode.BODY_TOO_LARGE, "request body too large")
                await reply(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if inflate is not None:
            try:
                body = inflate(body, self.max_bytes)
            except _TooLarge:
                reply = error_response(413, ErrorCode.BODY_TOO_LARGE, "decompressed body too large")
                await reply(scope, receive, send)
                return
            except _Broken:
                reply = error_response(400, ErrorCode.BAD_ENCODING, f"broken {encoding} body")
                await reply(scope, receive, send)
                return
        if not _is_utf8(body):
            reply = error_response(422, ErrorCode.INVALID_REQUEST, "the body is not UTF-8 text")
            await reply(scope, receive, send)
            return
        new_headers = [
            (k, v) for k, v in scope["headers"] if k.lower() not in (b"content-encoding", b"content-length")
        ]
        new_headers.append((b"content-length", str(len(body)).encode()))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": new_headers}, replay, send)
