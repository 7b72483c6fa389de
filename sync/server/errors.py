"""Errors the service answers with: an HTTP status and a stable code (``sync.protocol.ErrorCode``)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str = "",
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or code)
        self.status = status
        self.code = code
        self.message = message or code.replace("_", " ")
        #: Extra keys of the JSON answer (e.g. the changes a 403 push refused).
        self.details = details or {}
        #: Extra HTTP headers of the answer (e.g. ``Retry-After`` of a 429).
        self.headers = headers


def error_response(
    status: int,
    code: str,
    message: str = "",
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The JSON answer of an error: ``{..details, "code", "message"}``."""
    body = {**(details or {}), "code": code, "message": message or code.replace("_", " ")}
    return JSONResponse(body, status_code=status, headers=headers)
