"""Errors the service answers with: an HTTP status and a stable code (``sync.protocol.ErrorCode``)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str = "", details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message or code)
        self.status = status
        self.code = code
        self.message = message or code.replace("_", " ")
        #: Extra keys of the JSON answer (e.g. the changes a 403 push refused).
        self.details = details or {}
