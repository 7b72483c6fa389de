"""What the routes depend on, as ``Annotated`` FastAPI dependencies: the database, the calling
device and its scope, and request bodies checked before a handler runs.

App state (set by ``create_app``: ``db``, ``public_url``, ``insecure_http``, ``purger``,
``max_changes``, ``min_app_version``) is read through ``request.app.state``. Dependencies that only
read it are ``async`` (no worker thread); those that touch the database or parse a large body are plain
functions (run in a worker thread, as the handlers are).

Annotations are evaluated at once (no ``from __future__ import annotations``): FastAPI resolves a
string annotation through its function's globals, which ``ProgramWide``'s instances do not have.
"""

from typing import Annotated

from fastapi import Depends, Header, Request

from sync.protocol import (
    APP_HEADER,
    MIN_PROTOCOL_VERSION,
    PROTOCOL_HEADER,
    EnrollRequest,
    ErrorCode,
    version_key,
)
from sync.server import accounts
from sync.server.accounts import DeviceContext
from sync.server.db import Database
from sync.server.errors import ApiError
from sync.server.purge import Purger
from sync.server.push_body import PushBatch, parse_push


async def _database(request: Request) -> Database:
    return request.app.state.db


Db = Annotated[Database, Depends(_database)]


async def _purger(request: Request) -> Purger:
    return request.app.state.purger


#: Makes erased values leave the database's files after a push that erased someone.
ErasurePurger = Annotated[Purger, Depends(_purger)]


async def _public_url(request: Request) -> str:
    """The service's address as devices reach it: configured, else the one this request came to."""
    return request.app.state.public_url or str(request.base_url).rstrip("/")


PublicUrl = Annotated[str, Depends(_public_url)]


def check_versions(request: Request) -> None:
    """Refuse an app older than the service's ``min_app_version`` (426 ``app_too_old`` with the
    ``min_version``; an app too old to send ``X-Teren-App`` counts as older than any), and one
    whose protocol (``X-Teren-Protocol``) the service no longer speaks."""
    protocol = request.headers.get(PROTOCOL_HEADER, "")
    if protocol.isdigit() and int(protocol) < MIN_PROTOCOL_VERSION:
        raise ApiError(400, ErrorCode.UNSUPPORTED_PROTOCOL, "update the app")
    minimum: str | None = request.app.state.min_app_version
    if minimum and version_key(request.headers.get(APP_HEADER, "")) < version_key(minimum):
        raise ApiError(
            426,
            ErrorCode.APP_TOO_OLD,
            f"this app is too old for the service: install version {minimum} or newer",
            {"min_version": minimum},
        )


def authenticated_device(
    request: Request, db: Db, authorization: Annotated[str | None, Header()] = None
) -> DeviceContext:
    """The device whose bearer token the request carries: 401 without a known token, 403
    ``device_revoked`` for a revoked device; 426 for an app older than the service accepts."""
    device = accounts.authenticate(db, authorization)
    check_versions(request)
    return device


Device = Annotated[DeviceContext, Depends(authenticated_device)]


class ProgramWide:
    """The calling device, when its user works program-wide (a supervisor or an admin); any other
    is refused with 403 ``forbidden`` and the route's own ``refusal``:
    ``dev: Annotated[DeviceContext, Depends(ProgramWide("devices are for supervisors"))]``."""

    def __init__(self, refusal: str) -> None:
        self.refusal = refusal

    async def __call__(self, dev: Device) -> DeviceContext:
        if not dev.program_wide:
            raise ApiError(403, ErrorCode.FORBIDDEN, self.refusal)
        return dev


def check_protocol(version: int) -> None:
    """Refuse a request of an app older than the service still speaks to (400)."""
    if version < MIN_PROTOCOL_VERSION:
        raise ApiError(400, ErrorCode.UNSUPPORTED_PROTOCOL, "update the app")


async def raw_json_body(request: Request) -> bytes:
    """A JSON request body as bytes (read in the event loop; the handler then runs in a worker
    thread). Another media type is refused with 415, as FastAPI's own body reading would."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(415, ErrorCode.INVALID_REQUEST, "send the body as application/json")
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_json_body)]


async def _enrollment(request: Request, body: EnrollRequest) -> EnrollRequest:
    check_protocol(body.protocol)
    check_versions(request)
    return body


#: An enrollment request of a supported protocol.
EnrollBody = Annotated[EnrollRequest, Depends(_enrollment)]


def _push_batch(request: Request, raw: RawBody) -> PushBatch:
    """The pushed batch, parsed by hand (``push_body``), of a supported protocol and within the
    service's ``max_changes`` (413)."""
    body = parse_push(raw)
    check_protocol(body.protocol)
    max_changes: int = request.app.state.max_changes
    if len(body.changes) > max_changes:
        raise ApiError(413, ErrorCode.BATCH_TOO_LARGE, f"at most {max_changes} changes per batch")
    return body


PushBody = Annotated[PushBatch, Depends(_push_batch)]
