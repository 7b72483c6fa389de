"""``teren-sync serve``: the HTTP service under uvicorn, configured by ``sync.server.settings``
(options, else ``TEREN_SYNC_*`` variables, else defaults).

With ``--workers N`` (PostgreSQL only) uvicorn runs N processes that each build the app from the
environment (``app_from_env``): the settings are handed down as ``TEREN_SYNC_*`` variables, and
their request metrics meet in ``PROMETHEUS_MULTIPROC_DIR`` (``sync.server.metrics``), a private
folder made here unless the variable names one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr

from sync.gc_tuning import tune_for_service
from sync.server import logs
from sync.server.db import Database
from sync.server.retention import RetentionRules, retention_loop
from sync.server.settings import ServeSettings, env_name, option_name

#: How long a worker process may take to start and to answer the supervisor's pings.
WORKER_HEALTHCHECK_SECONDS = 60

#: Settings that are not options of ``serve`` (``--db`` comes before the command, or after it).
_NOT_OPTIONS = frozenset({"db"})


def register(sub: Any) -> None:
    """Add ``serve`` to ``teren-sync``'s subparsers: one option per setting."""
    serve = sub.add_parser(
        "serve",
        help="run the HTTP service",
        description="Run the sync service. Every option is also a TEREN_SYNC_* environment variable "
        "(README, Settings); an option wins over its variable.",
    )
    serve.add_argument("--db", default=argparse.SUPPRESS)
    for name, field in ServeSettings.model_fields.items():
        if name in _NOT_OPTIONS:
            continue
        help_text = f"{field.description} (${env_name(name)})"
        flag = option_name(name)
        action: Any = "store"
        if field.annotation is bool:
            action = argparse.BooleanOptionalAction
        elif name == "allowed_origins":
            action = "append"
        serve.add_argument(flag, dest=name, action=action, default=argparse.SUPPRESS, help=help_text)
    serve.set_defaults(func=run)


def settings_from(args: argparse.Namespace) -> ServeSettings:
    """The options given on the command line over the environment over the defaults."""
    given = {name: value for name, value in vars(args).items() if name in ServeSettings.model_fields}
    if given.get("db") is None:
        given.pop("db", None)
    return ServeSettings(**given)


def build_app(settings: ServeSettings, db: Database) -> FastAPI:
    """The service as these settings want it (the schema is already migrated or checked)."""
    from sync.server.app import create_app
    from sync.server.files.storage import open_storage

    files = open_storage(
        settings.files_folder(), s3_bucket=settings.files_s3_bucket, s3_endpoint=settings.files_s3_endpoint
    )
    app = create_app(
        db,
        public_url=settings.qr_address(),
        migrate=False,
        allowed_origins=settings.allowed_origins,
        insecure_http=settings.insecure_http,
        files=files,
        max_file_bytes=settings.max_file_mb * 1024 * 1024,
        min_app_version=settings.min_app_version,
    )
    app.state.access_log = settings.access_log
    app.state.metrics = settings.metrics
    app.state.metrics_token = settings.metrics_token
    if settings.retention_every_minutes:
        app.router.lifespan_context = _retention_lifespan(
            db, settings.retention_rules(), settings.retention_every_minutes * 60.0
        )
    return app


def _retention_lifespan(db: Database, rules: RetentionRules, every_s: float) -> Any:
    """The service's lifespan: the retention rules run in the background while it serves."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(retention_loop(db, rules, every_s))
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    return lifespan


def app_from_env() -> FastAPI:
    """A worker process's app (``uvicorn --factory``): settings from the environment only."""
    settings = ServeSettings()
    logs.configure(settings.log_level, settings.log_format)
    tune_for_service()
    return build_app(settings, Database(settings.db))


def run(args: argparse.Namespace) -> int:
    import uvicorn

    try:
        settings = settings_from(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)
    db = Database(settings.db)
    if settings.migrate:
        db.migrate()
    elif db.revision() != db.head_revision():
        print(f"error: the schema is at {db.revision() or 'nothing'}, this version needs "
              f"{db.head_revision()}: run `teren-sync migrate upgrade` first", file=sys.stderr)
        return 1
    if settings.workers > 1 and db.is_sqlite:
        print("error: several workers need PostgreSQL (SQLite serialises writers in one file)",
              file=sys.stderr)
        return 2
    # Behind a TLS-terminating proxy: trust its X-Forwarded-Proto/-For only from the addresses given.
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "log_config": None,  # logs.configure's handler stays
        "access_log": False,  # sync.server.observe writes the request lines
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "server_header": False,
    }
    if settings.workers == 1:
        tune_for_service()
        uvicorn.run(build_app(settings, db), **options)
        return 0
    db.dispose()
    return _run_workers(settings, options)


def _run_workers(settings: ServeSettings, options: dict[str, Any]) -> int:
    import uvicorn

    for name in ServeSettings.model_fields:
        value = getattr(settings, name)
        if value is None:
            os.environ.pop(env_name(name), None)
        else:
            os.environ[env_name(name)] = _as_env(value)
    made = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        made = tempfile.mkdtemp(prefix="teren-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    try:
        uvicorn.run(
            "sync.server.serve:app_from_env",
            factory=True,
            workers=settings.workers,
            # A worker that has not answered the supervisor's ping in time is killed and started
            # again. uvicorn's 5 s is less than a worker takes to start on a busy small machine
            # (seen: 5-20 s on 2 shared cores), which then never comes up.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            **options,
        )
    finally:
        if made:
            shutil.rmtree(made, ignore_errors=True)
    return 0


def _as_env(value: Any) -> str:
    """A setting's value as its variable spells it."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)
