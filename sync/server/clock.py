"""The service's wall clock: what it tells devices (``server_time_ms``) and how far ahead of it a
pushed HLC may be."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def utc(value: datetime) -> datetime:
    """The same instant in UTC (a time without zone, as SQLite hands them back, is taken as UTC);
    ValueError if out of range."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("time out of range") from exc
