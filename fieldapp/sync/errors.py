"""The one error of the sync engine: a stable ``code`` the app shows as ``sync.error.<code>``."""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """A sync failure with a stable ``code`` (``offline``, ``timeout``, ``device_revoked``…), the
    HTTP ``status`` if the service answered, the seconds it asked to wait (``retry_after``) and the
    other keys of its error answer (``details``: e.g. the changes a 403 push refused)."""

    def __init__(
        self,
        code: str,
        message: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.status = status
        self.retry_after = retry_after
        self.details = details or {}
