"""Run the service inside this process on a loopback port (the demo, tests, a laptop in the field)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from sync.server.app import create_app
from sync.server.db import Database


@dataclass
class LocalServer:
    """A running service: ``url``, the ``app`` and its ``db``; ``stop()`` ends it."""

    url: str
    app: FastAPI
    db: Database
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self, timeout: float = 10) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def serve_in_thread(
    app: FastAPI, host: str = "127.0.0.1", port: int = 0
) -> tuple[str, uvicorn.Server, threading.Thread]:
    """Serve ``app`` with uvicorn in a daemon thread; returns once it accepts connections."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level=logging.WARNING, lifespan="off", access_log=False, server_header=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="teren-sync")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the local sync service did not start")
        time.sleep(0.01)
    return f"http://{host}:{bound_port}", server, thread


def start_local_server(
    db: str | Path | Database, *, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> LocalServer:
    """Start the service on ``db`` (a SQLite path, a database URL or a ``Database``) on a free port
    (``options`` go to ``create_app``, e.g. ``max_body_bytes``)."""
    database = db if isinstance(db, Database) else Database(db)
    app = create_app(database, **options)
    url, server, thread = serve_in_thread(app, host, port)
    app.state.public_url = url
    return LocalServer(url, app, database, server, thread)
