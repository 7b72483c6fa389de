"""The HTTP API (FastAPI). Every error is JSON ``{"code", "message"}`` with a stable code; never a 500
for bad input, never a partial write (a batch is one transaction)."""


import logging
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.protocol import (
    DEFAULT_PULL_PAGE,
    MAX_BODY_BYTES,
    MAX_CHANGES_PER_BATCH,
    MAX_CURSOR,
    MAX_PULL_PAGE,
    MIN_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    ConflictsResponse,
    CreateEnrollmentRequest,
    DeviceOut,
    EnrollmentOut,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    ErrorCode,
    Health,
    MeResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync.server import accounts, audit, merge, pages
from sync.server.clock import now_ms
from sync.server.compression import Compression
from sync.server.db import Database
from sync.server.errors import ApiError
from sync.server.purge import Purger
from sync.server.push_body import parse_push
from sync.server.security import SecurityHeaders, cors_origins

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _error(
    status: int, code: str, message: str = "", details: dict[str, Any] | None = None
) -> JSONResponse:
    body = {**(details or {}), "code": code, "message": message or code.replace("_", " ")}
    return JSONResponse(body, status_code=status)


def _json(body: Any) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


async def _raw_body(request: Request) -> bytes:
    """A JSON request body as bytes (read in the event loop; the handler then runs in a worker
    thread). Another media type is refused with 415, as FastAPI's own body reading would."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(415, ErrorCode.INVALID_REQUEST, "send the body as application/json")
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def _document_push_body(app: FastAPI) -> None:
    """The push handler reads its body itself (``push_body``); the schema still publishes it as a
    ``PushRequest``, so clients and schemathesis see the real contract."""
    make_schema = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = make_schema()
        models = PushRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(models.pop("$defs", {}))
        components["PushRequest"] = models
        schema["paths"]["/v1/push"]["post"]["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


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
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        encoding = headers.get("content-encoding", "identity").strip().lower()
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            await _error(413, ErrorCode.BODY_TOO_LARGE, "request body too large")(scope, receive, send)
            return
        if encoding not in ("identity", "gzip"):
            reply = _error(415, ErrorCode.BAD_ENCODING, f"unsupported encoding {encoding}")
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
                await _error(413, ErrorCode.BODY_TOO_LARGE, "request body too large")(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if encoding == "gzip":
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                body = inflater.decompress(body, self.max_bytes + 1)
                if len(body) > self.max_bytes or inflater.unconsumed_tail:
                    await _error(413, ErrorCode.BODY_TOO_LARGE, "decompressed body too large")(
                        scope, receive, send
                    )
                    return
                if not inflater.eof:
                    raise zlib.error("truncated gzip stream")
                if inflater.unused_data:
                    raise zlib.error("bytes after the gzip stream")
            except zlib.error:
                await _error(400, ErrorCode.BAD_ENCODING, "broken gzip body")(scope, receive, send)
                return
        if not _is_utf8(body):
            await _error(422, ErrorCode.INVALID_REQUEST, "the body is not UTF-8 text")(scope, receive, send)
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


def create_app(
    db: Database | str | Path,
    *,
    public_url: str | None = None,
    migrate: bool = True,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_changes: int = MAX_CHANGES_PER_BATCH,
    allowed_origins: list[str] | str | None = None,
) -> FastAPI:
    """The service over ``db`` (a ``Database``, a URL or a SQLite path), migrated unless told not to.

    ``allowed_origins``: browser origins allowed by CORS (none by default: the app talks to the
    service from Python, not from a browser page). No interactive docs pages: only ``/openapi.json``.
    """
    database = db if isinstance(db, Database) else Database(db)
    if migrate:
        database.migrate()
    app = FastAPI(title="Teren sync", version=str(PROTOCOL_VERSION), docs_url=None, redoc_url=None)
    app.state.db = database
    app.state.public_url = public_url
    app.state.purger = purger = Purger(database)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    # Pull pages shrink about tenfold. For clients without zstd, gzip level 3 (zlib's fast strategy):
    # ~14% larger than level 6 at under half its time (the client's GZIP_LEVEL has figures).
    app.add_middleware(Compression, gzip_level=3)
    origins = cors_origins(allowed_origins)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Content-Encoding"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)  # outermost: every answer, errors included

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(422, ErrorCode.INVALID_REQUEST, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.INVALID_REQUEST}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(DataError)
    async def bad_data(_request: Request, exc: DataError) -> JSONResponse:
        log.warning("data refused by the database: %s", exc)
        return _error(422, ErrorCode.INVALID_REQUEST, "a value the database cannot store")

    @app.exception_handler(OperationalError)
    async def db_down(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error: %s", exc)
        return _error(503, ErrorCode.UNAVAILABLE, "the database is not available; try again later")

    @app.exception_handler(Exception)
    async def crash(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error(500, ErrorCode.SERVER_ERROR, "unexpected server error")

    def device(authorization: Annotated[str | None, Header()] = None) -> accounts.DeviceContext:
        return accounts.authenticate(database, authorization)

    Device = Annotated[accounts.DeviceContext, Depends(device)]

    def check_protocol(version: int) -> None:
        if version < MIN_PROTOCOL_VERSION:
            raise ApiError(400, ErrorCode.UNSUPPORTED_PROTOCOL, "update the app")

    @app.get("/health", response_model=Health)
    def health() -> Health:
        return Health(database=database.kind)

    @app.post("/v1/enroll", response_model=EnrollResponse)
    def enroll(body: EnrollRequest) -> EnrollResponse:
        check_protocol(body.protocol)
        done = accounts.redeem(database, body.code, body.device_id, body.device_name)
        return EnrollResponse(
            token=done.token,
            user_id=done.user_id,
            user_name=done.user_name,
            role=done.role,
            team_id=done.team_id,
            program_id=done.program_id,
            server_time_ms=now_ms(),
        )

    @app.get("/v1/me", response_model=MeResponse)
    def me(dev: Device) -> MeResponse:
        return MeResponse(
            user_id=dev.user_id,
            user_name=dev.user_name,
            role=dev.role,
            team_id=dev.team_id,
            program_id=dev.program_id,
            device_id=dev.client_device_id,
            server_time_ms=now_ms(),
        )

    @app.post(
        "/v1/push",
        response_model=PushResponse,
        responses={403: {"model": ErrorBody, "description": "a change the role may not make"}},
    )
    def push(raw: RawBody, dev: Device) -> Response:
        body = parse_push(raw)
        check_protocol(body.protocol)
        if len(body.changes) > max_changes:
            raise ApiError(413, ErrorCode.BATCH_TOO_LARGE, f"at most {max_changes} changes per batch")
        answer = merge.apply_batch(database, dev, body)
        purger.after_push(body.changes)  # erased values leave the database's files too
        return _json(answer)

    @app.get("/v1/pull", response_model=PullResponse)
    def pull(
        dev: Device,
        after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PULL_PAGE,
    ) -> Response:
        return Response(pages.pull(database, dev, after, limit), media_type="application/json")

    @app.get("/v1/conflicts", response_model=ConflictsResponse)
    def conflicts(
        dev: Device,
        after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = 200,
    ) -> ConflictsResponse:
        if not dev.program_wide:
            raise ApiError(403, ErrorCode.FORBIDDEN, "conflicts are for supervisors")
        answer = pages.conflicts(database, dev, after, limit)
        audit.record(database, dev, audit.READ_CONFLICTS, "conflict_log", dev.program_id)
        return answer

    @app.get("/v1/devices", response_model=list[DeviceOut])
    def list_devices(dev: Device) -> list[DeviceOut]:
        if not dev.program_wide:
            raise ApiError(403, ErrorCode.FORBIDDEN, "devices are for supervisors")
        listed = [
            DeviceOut.model_validate(
                {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}
            )
            for row in accounts.devices(database, program_id=dev.program_id)
        ]
        audit.record(database, dev, audit.LISTED_DEVICES, "device_list", dev.program_id)
        return listed

    @app.post("/v1/devices/{device_id}/revoke")
    def revoke_device(device_id: str, dev: Device) -> dict[str, int]:
        """A lost phone: it is told to wipe its data on its next contact."""
        if not dev.program_wide:
            raise ApiError(403, ErrorCode.FORBIDDEN, "only supervisors and admins revoke devices")
        if not accounts.may_revoke(dev, accounts.owner_roles(database, device_id, dev.program_id)):
            raise ApiError(403, ErrorCode.FORBIDDEN, "only an admin revokes an admin's device")
        count = accounts.revoke(database, device_id, program_id=dev.program_id)
        if not count:
            raise ApiError(404, ErrorCode.NOT_FOUND, "no such active device in your program")
        audit.record(database, dev, audit.REVOKED_DEVICE, "device", device_id)
        return {"revoked": count}

    @app.post("/v1/enrollments", response_model=EnrollmentOut)
    def create_enrollment(body: CreateEnrollmentRequest, request: Request, dev: Device) -> EnrollmentOut:
        if not dev.program_wide:
            raise ApiError(403, ErrorCode.FORBIDDEN, "only supervisors and admins enroll devices")
        user = accounts.user_in_program(database, body.user_id, dev.program_id)
        if user is None:
            raise ApiError(404, ErrorCode.NOT_FOUND, "no such user in your program")
        if not accounts.may_enroll(dev, *user):
            raise ApiError(403, ErrorCode.FORBIDDEN, "supervisors enroll their teams' and their own devices")
        url = app.state.public_url or str(request.base_url).rstrip("/")
        made = accounts.create_enrollment(
            database, body.user_id, url, ttl=timedelta(minutes=body.ttl_minutes), created_by=dev.user_id
        )
        audit.record(database, dev, audit.CREATED_ENROLLMENT, "account", body.user_id)
        return EnrollmentOut(code=made.code, uri=made.uri, expires_at=made.expires_at.isoformat())

    @app.post("/v1/audit", response_model=audit.AuditUploadResult)
    def upload_audit(body: audit.AuditUpload, dev: Device) -> audit.AuditUploadResult:
        """A device's local audit entries (viewed, exported, erased…); a repeat stores nothing new."""
        if len(body.entries) > audit.MAX_UPLOAD:
            raise ApiError(413, ErrorCode.BATCH_TOO_LARGE, f"at most {audit.MAX_UPLOAD} entries per upload")
        return audit.store_uploaded(database, dev, body.entries)

    @app.get("/v1/audit", response_model=audit.AuditPage)
    def read_audit(
        dev: Device,
        before: Annotated[int | None, Query(ge=1, le=MAX_CURSOR)] = None,
        limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE)] = audit.DEFAULT_PAGE,
        actor: Annotated[str | None, Query(pattern=audit.ID_PATTERN)] = None,
        action: Annotated[str | None, Query(pattern=audit.ACTION_PATTERN)] = None,
        target_id: Annotated[str | None, Query(pattern=audit.ID_PATTERN)] = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> audit.AuditPage:
        """The program's audit log, newest first (supervisors and admins); ``since``/``until``: the
        period in which the actions happened."""
        if not dev.program_wide:
            raise ApiError(403, ErrorCode.FORBIDDEN, "the audit log is for supervisors")
        try:
            since, until = (None if v is None else audit.utc(v) for v in (since, until))
        except ValueError as exc:
            raise ApiError(422, ErrorCode.INVALID_REQUEST, "since/until: time out of range") from exc
        filters = {"actor": actor, "action": action, "target_id": target_id, "since": since, "until": until}
        answer = audit.page(database, dev, before=before, limit=limit, **filters)
        audit.record(database, dev, audit.READ_AUDIT, "audit_log", dev.program_id)
        return answer

    _document_push_body(app)
    return app
