"""Errors the service answers with: an HTTP status and a stable code (``sync.protocol.ErrorCode``)."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.status = status
        self.code = code
        self.message = message or code.replace("_", " ")
