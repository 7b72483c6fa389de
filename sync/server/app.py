"""The HTTP API (FastAPI), assembled: middleware, exception handlers, the routers of
``sync.server.routes`` and the published push body. Every error is JSON ``{"code", "message"}``
with a stable code; never a 500 for bad input, never a partial write (a batch is one transaction)."""

import logging
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from fieldapp.model.attachment import MAX_FILE_BYTES
from sync.protocol import MAX_BODY_BYTES, MAX_CHANGES_PER_BATCH, PROTOCOL_VERSION, ErrorCode, PushRequest
from sync.server import observe
from sync.server.body_limit import BodyLimit
from sync.server.compression import Compression
from sync.server.db import Database
from sync.server.errors import ApiError, error_response
from sync.server.files import uploads
from sync.server.files.storage import DiskStorage, FileStorage, default_folder
from sync.server.purge import Purger
from sync.server.routes import ROUTERS
from sync.server.security import SecurityHeaders, cors_origins

log = logging.getLogger(__name__)


def create_app(
    db: Database | str | Path,
    *,
    public_url: str | None = None,
    migrate: bool = True,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_changes: int = MAX_CHANGES_PER_BATCH,
    allowed_origins: list[str] | str | None = None,
    insecure_http: bool = False,
    files: FileStorage | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    min_app_version: str | None = None,
) -> FastAPI:
    """The service over ``db`` (a ``Database``, a URL or a SQLite path), migrated unless told not to.

    ``allowed_origins``: browser origins allowed by CORS (none by default: the app talks to the
    service from Python, not from a browser page). No interactive docs pages: only ``/openapi.json``.
    ``insecure_http``: enrollment codes may name a plain-http address that is not loopback (a lab).
    ``files``: where photos and scans are kept (default: a folder beside a SQLite database,
    ``storage.default_folder``); ``max_file_bytes``: the largest file accepted (at most the model's).
    ``min_app_version``: older apps are refused (426 ``app_too_old``).
    """
    database = db if isinstance(db, Database) else Database(db)
    if migrate:
        database.migrate()
    app = FastAPI(title="Teren sync", version=str(PROTOCOL_VERSION), docs_url=None, redoc_url=None)
    # Read by the routes' dependencies (``sync.server.deps``).
    app.state.db = database
    app.state.public_url = public_url
    app.state.insecure_http = insecure_http
    app.state.files = files if files is not None else DiskStorage(default_folder(database.url))
    app.state.max_file_bytes = min(max_file_bytes, MAX_FILE_BYTES)
    app.state.file_locks = {}
    app.state.purger = Purger(database, after_purge=partial(uploads.collect, database, app.state.files))
    app.state.max_changes = max_changes
    app.state.min_app_version = min_app_version
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    # Pull pages shrink about tenfold. For clients without zstd, gzip level 3 (zlib's fast strategy):
    # ~14% larger than level 6 at under half its time (the client's GZIP_LEVEL has figures).
    app.add_middleware(Compression, gzip_level=3)
    origins = cors_origins(allowed_origins)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "HEAD", "PATCH"],
            allow_headers=[
                "Authorization", "Content-Type", "Content-Encoding", "Upload-Offset", "Range", "X-Teren-App",
                "X-Teren-Schema", "X-Teren-Protocol",
            ],
            expose_headers=["Upload-Offset", "Upload-Length", "Content-Range"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)  # every answer, errors included
    observe.install(app)  # outermost: request ids, metrics, request log lines; and /metrics
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _bad_data)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _db_down)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _crash)
    for router in ROUTERS:
        app.include_router(router)
    _document_push_body(app)
    return app


async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return error_response(422, ErrorCode.INVALID_REQUEST, f"{where}: {first.get('msg', 'invalid request')}")


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.INVALID_REQUEST}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


async def _bad_data(_request: Request, exc: DataError) -> JSONResponse:
    log.warning("data refused by the database: %s", exc)
    return error_response(422, ErrorCode.INVALID_REQUEST, "a value the database cannot store")


async def _db_down(_request: Request, exc: OperationalError) -> JSONResponse:
    log.error("database error: %s", exc)
    return error_response(503, ErrorCode.UNAVAILABLE, "the database is not available; try again later")


async def _crash(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, ErrorCode.SERVER_ERROR, "unexpected server error")


def _document_push_body(app: FastAPI) -> None:
    """The push handler reads its body itself (``deps.PushBody``); the schema still publishes it as
    a ``PushRequest``, so clients and schemathesis see the real contract."""
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
