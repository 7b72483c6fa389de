"""HTTP to the sync service: one request, retried when trying again can help, its failure a ``SyncError``.

The engine asks a ``Transport`` for one exchange at a time and gets the answer's JSON back; it
never sees HTTP. ``HttpTransport`` sends it with ``requests`` and retries through tenacity:
network errors (``offline``), timeouts (``timeout``), answers that are not JSON (``bad_response``),
5xx (``server_error`` unless the service names its code) and 429 (``rate_limited``) are tried again
with exponential backoff and jitter (``fieldapp.retry``); a ``Retry-After`` header, in seconds or as
an HTTP date (RFC 9110), is honoured instead, up to ``max_backoff``. Other 4xx answers fail at
once with the service's code (``http_<status>`` if it gave none). What a failure means for the
device (a revoked device wipes its data) is the engine's decision, not the transport's.

Redirects are followed only within the service's origin (scheme, host and port) and only when they
keep the request as it was (307, 308; a GET also 301-303): a 307 or 308 to another host would make
``requests`` send the body there (the enrollment code, a push of residents' data), dropping only
the token. Any other redirect fails with ``redirected``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from fieldapp import __version__, jsonfast, retry
from fieldapp.model.registry import schema_signature
from fieldapp.sync.errors import SyncError
from sync.protocol import APP_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION, SCHEMA_HEADER, codings

_DELAY_SECONDS = re.compile(r"[0-9]+")
#: Same-origin redirects followed for one request at most.
MAX_REDIRECTS = 5
#: Redirects that keep the method and body, and those a GET may follow as a GET.
_KEEPING = frozenset({307, 308})
_ANY_FOR_GET = frozenset({301, 302, 303, 307, 308})


class Transport(Protocol):
    """What the engine needs of the network."""

    def request(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        json: Any = None,
        body: bytes | None = None,
        encoding: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """The decoded JSON answer to one exchange (sent again as the transport sees fit), or
        ``SyncError`` with a stable code. ``token``: the device's bearer token (None: anonymous);
        ``json``: a body to encode, ``body``: one encoded already (in the content coding
        ``encoding``: ``gzip``, ``zstd``; None: as it is)."""
        ...


class HttpTransport:
    """``Transport`` over ``requests``: ``retries`` more attempts after the first, waits from
    ``backoff`` doubling to ``max_backoff`` (``sleep`` is injectable for tests).

    ``request_codings``: the content codings of request bodies the service last said it reads (the
    ``Accept-Encoding`` of its answers, RFC 7694; an answer without one: none but gzip, which every
    service reads), None until an answer came.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session = session or requests.Session()
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.request_codings: frozenset[str] | None = None

    def request(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        json: Any = None,
        body: bytes | None = None,
        encoding: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        headers = {"Accept": "application/json", **version_headers()}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
            if encoding is not None:
                headers["Content-Encoding"] = encoding
        retrying = Retrying(  # made per request (~25 µs): settings changed meanwhile apply
            stop=stop_after_attempt(self.retries + 1),
            wait=self._wait,
            retry=retry_if_exception(_transient),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(self._attempt, method, url, headers, json, body, params)

    def _attempt(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        json: Any,
        body: bytes | None,
        params: dict[str, Any] | None,
    ) -> Any:
        """One exchange: the answer's JSON, or SyncError."""
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                response = self.session.request(
                    method,
                    url,
                    json=json,
                    data=body,
                    params=params,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.Timeout as exc:
                raise SyncError("timeout", str(exc)) from exc
            except requests.RequestException as exc:
                raise SyncError("offline", str(exc)) from exc
            target = _redirect_target(response, method)
            if target is None:
                break
            url, params = target, None  # the target names its own query
        else:
            raise SyncError("redirected", "too many redirects", response.status_code)
        status = response.status_code
        if status < 400:
            self.request_codings = codings(response.headers.get("Accept-Encoding", ""))
            try:
                return jsonfast.loads(response.content)
            except ValueError:
                raise SyncError("bad_response", "the server's answer is not JSON") from None
        code, message, details = _error_of(response)
        if status == 429 or status >= 500:
            fallback = "rate_limited" if status == 429 else "server_error"
            waited = retry_after(response.headers.get("Retry-After"))
            raise SyncError(code or fallback, message, status, waited)
        raise SyncError(code or f"http_{status}", message, status, details=details)

    def _wait(self, state: RetryCallState) -> float:
        """The service's ``Retry-After`` if it gave one (up to ``max_backoff``), else the backoff."""
        failed = state.outcome.exception() if state.outcome is not None else None
        asked = failed.retry_after if isinstance(failed, SyncError) else None
        if asked:  # None, or 0 (a date already past): the backoff, rather than at once
            return min(self.max_backoff, asked)
        return retry.backoff(self.backoff, self.max_backoff)(state)


def version_headers() -> dict[str, str]:
    """What every request says of the app: its protocol, schema (the fields it knows) and version."""
    return {
        "User-Agent": f"teren-app/{PROTOCOL_VERSION}",
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        SCHEMA_HEADER: schema_signature(),
        APP_HEADER: __version__,
    }


def _redirect_target(response: requests.Response, method: str) -> str | None:
    """Where a redirect sends the request, if it may be followed (None: not a redirect); SyncError
    ``redirected`` for one that must not be (another origin, or a method change)."""
    location = response.headers.get("Location")
    if not response.is_redirect or location is None:
        return None
    target = urljoin(response.url, location)
    allowed = _ANY_FOR_GET if method.upper() == "GET" else _KEEPING
    if response.status_code not in allowed or _origin(target) != _origin(response.url):
        raise SyncError(
            "redirected", f"the server redirected to {_origin(target)}; not followed", response.status_code
        )
    return target


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


def _transient(exc: BaseException) -> bool:
    """Worth another attempt: no answer, an unreadable one, a busy or failing service."""
    if not isinstance(exc, SyncError):
        return False
    return exc.status is None or exc.status == 429 or exc.status >= 500


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait: delay-seconds or an HTTP date (RFC 9110
    10.2.3), a date already past being 0; None when absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    if _DELAY_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _error_of(response: requests.Response) -> tuple[str | None, str, dict[str, Any]]:
    """An error answer's code, message and other keys (e.g. the changes a 403 push refused)."""
    try:
        body = jsonfast.loads(response.content)
    except ValueError:
        return None, response.text[:200], {}
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        details = {k: v for k, v in body.items() if k not in ("code", "message")}
        return body["code"], str(body.get("message") or ""), details
    return None, "", {}
