"""The shared validation machinery (``fieldapp.services.validation``) with the ``network.*`` codes.

Network services describe their input as ``{field: parser}``; ``parse`` collects every problem in
one ``ValidationFailed`` (codes ``network.*``, texts ``error.network.*``) before anything is written.
"""

from __future__ import annotations

from functools import partial

from fieldapp.services import validation
from fieldapp.services.validation import (
    Invalid,
    apply_changes,
    choice,
    choices,
    clock_time,
    count,
    day,
    flag,
    get_live,
    live,
    live_rows,
    optional_id,
    text,
)

PREFIX = "network"
parse = partial(validation.parse, prefix=PREFIX)
check_exists = partial(validation.check_exists, prefix=PREFIX)
live_contact = partial(validation.live_contact, prefix=PREFIX)

__all__ = [
    "Invalid",
    "apply_changes",
    "check_exists",
    "choice",
    "choices",
    "clock_time",
    "count",
    "day",
    "flag",
    "get_live",
    "live",
    "live_contact",
    "live_rows",
    "optional_id",
    "parse",
    "text",
]
