"""Request bodies read under a size cap, gzip inflated under the same cap, before any route runs."""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sync.protocol import MAX_BODY_BYTES, ErrorCode
from sync.server.errors import error_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
#: Where bodies are files, streamed by their route (``sync.server.routes.files``).
FILES_PATH = "/v1/files/"
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class BodyLimit:
    """Reads request bodies up to ``max_bytes``, inflating gzip bodies with the same cap.

    A body over the cap (before or after decompression: a gzip bomb) is answered 413
    ``body_too_large`` before any JSON parsing; a broken gzip stream (or bytes after it) is 400
    ``bad_encoding``; a body that is not UTF-8 (every body is JSON, RFC 8259) is 422 ``invalid_request``.
    The file lane (``/v1/files/``) streams its bytes and caps them itself (``routes.files``).
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS")
            or scope["path"].startswith(FILES_PATH)
        ):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        encoding = headers.get("content-encoding", "identity").strip().lower()
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            reply = error_response(413, ErrorCode.BODY_TOO_LARGE, "request body too large")
            await reply(scope, receive, send)
            return
        if encoding not in ("identity", "gzip"):
            reply = error_response(415, ErrorCode.BAD_ENCODING, f"unsupported encoding {encoding}")
            await reply(scope, receive, send)
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
        if encoding == "gzip":
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                body = inflater.decompress(body, self.max_bytes + 1)
                if len(body) > self.max_bytes or inflater.unconsumed_tail:
                    await error_response(413, ErrorCode.BODY_TOO_LARGE, "decompressed body too large")(
                        scope, receive, send
                    )
                    return
                if not inflater.eof:
                    raise zlib.error("truncated gzip stream")
                if inflater.unused_data:
                    raise zlib.error("bytes after the gzip stream")
            except zlib.error:
                await error_response(400, ErrorCode.BAD_ENCODING, "broken gzip body")(scope, receive, send)
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
