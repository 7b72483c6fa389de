"""The service's logs: plain text or one JSON object a line, each with the id of the request it
belongs to (``REQUEST_ID``, set by ``sync.server.observe``; ``-`` outside a request).

What is logged never holds personal data or secrets: request lines carry the method, the route's
path without its query, the status and the duration; SQL parameters are hidden
(``sync.server.db``); tokens, enrollment codes and bodies are never logged
(``tests/ops/test_logs.py`` checks this over a real service).
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.orjson import OrjsonFormatter

#: The current request's id (worker threads of sync routes get a copy of the context).
REQUEST_ID: ContextVar[str] = ContextVar("teren_request_id", default="-")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
#: Fields of a JSON line; a call's ``extra`` (e.g. the request line's ``status``) is added to them.
JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id")


class RequestIdFilter(logging.Filter):
    """Stamps every record with ``REQUEST_ID``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def configure(level: str = "info", fmt: str = "text") -> logging.Handler:
    """One handler on stderr for every logger (uvicorn's included), in ``fmt`` (``text`` or
    ``json``); returns it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(
            OrjsonFormatter(
                list(JSON_FIELDS),
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # uvicorn's request lines carry the client's address and the query: ``sync.server.observe``
    # writes its own. Also in worker processes, which configure logging after uvicorn did.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    return handler
