"""The service's wall clock: what it tells devices (``server_time_ms``) and how far ahead of it a
pushed HLC may be."""

from __future__ import annotations

import time


def now_ms() -> int:
    return time.time_ns() // 1_000_000
