"""HTTP hardening of the service: security headers on every answer, CORS closed unless configured;
and ``Server-Timing`` (how long the service worked on a request, for load tests and operators).

Every answer is an API answer (JSON, never a page): it may not be sniffed, framed, cached or sent
along as a referrer. ``Strict-Transport-Security`` is added only when the request came over https,
directly or through a trusted reverse proxy (uvicorn's ``--forwarded-allow-ips`` turns its
``X-Forwarded-Proto`` into the request's scheme); on plain http the header means nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS: dict[str, str] = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "cross-origin-resource-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` (and HSTS over https) to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = dict(SECURITY_HEADERS)
        if scope.get("scheme") == "https":
            extra["strict-transport-security"] = HSTS
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - started) * 1000
                names = {*extra, "server-timing"}
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in names]
                headers += [(k.encode(), v.encode()) for k, v in extra.items()]
                headers.append((b"server-timing", f"app;dur={elapsed_ms:.1f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cors_origins(values: Sequence[str] | str | None) -> list[str]:
    """Allowed browser origins from a list or a comma-separated string; empty means CORS closed."""
    if values is None:
        return []
    items = values.split(",") if isinstance(values, str) else list(values)
    origins = [item.strip().rstrip("/") for item in items if item.strip()]
    if "*" in origins:
        raise ValueError("CORS origin '*' is not allowed: name the origins of the web apps")
    return origins
