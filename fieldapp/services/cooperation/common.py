"""The shared validation machinery (``fieldapp.services.validation``) with the ``network.*`` codes.

Network services name their input fields (``parsers_for``: the rules come from the model);
``parse`` collects every problem in one ``ValidationFailed`` (codes ``network.*``, texts
``error.network.*``) before anything is written, and ``update_record`` validates, applies and
writes an edit in one go.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from fieldapp.errors import Errors
from fieldapp.services import validation
from fieldapp.services.validation import (
    apply_changes,
    delete_record,
    get_live,
    live,
    live_rows,
    parsers_for,
)

PREFIX = "network"
parse = partial(validation.parse, prefix=PREFIX)
check_exists = partial(validation.check_exists, prefix=PREFIX)
live_contact = partial(validation.live_contact, prefix=PREFIX)
update_record = partial(validation.update_record, prefix=PREFIX)



def two_roles(first: Iterable[str], second: Iterable[str]) -> tuple[list[str], list[str]]:
    """Distinct contact ids of two roles (leaders and members, organisers and attendees); one
    named in both keeps the first role."""
    firsts = list(dict.fromkeys(first))
    return firsts, [c for c in dict.fromkeys(second) if c not in firsts]


def check_people(session: Any, contact_ids: Iterable[str], field: str, errors: Errors) -> None:
    """An error for each id that names no live, unerased contact."""
    for contact_id in contact_ids:
        live_contact(session, contact_id, field, errors)


__all__ = [
    "apply_changes",
    "check_exists",
    "check_people",
    "delete_record",
    "get_live",
    "live",
    "live_contact",
    "live_rows",
    "parse",
    "parsers_for",
    "two_roles",
    "update_record",
]
