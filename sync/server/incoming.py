"""A pushed change checked before it is merged: its known fields, their HLCs (none too far ahead of
the service's clock) and whether the device's role may make it.

Unknown fields are ignored; a change with an invalid HLC or value is rejected whole (``Rejected``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from fieldapp.model.base import SyncedRecord
from fieldapp.model.enums import APPLICATION_DECISIONS, EVALUATION_FIELDS
from sync import hlc as hlcs_
from sync.protocol import RejectCode
from sync.server.checks import Problem, checked_values, record_checks
from sync.server.push_body import IncomingChange


class Rejected(Exception):
    """A change refused with ``code``; the rest of its batch goes on."""

    def __init__(self, code: RejectCode, errors: list[Problem] | None = None) -> None:
        self.code, self.errors = code, errors


@dataclass(slots=True)
class Incoming:
    """A change's known fields, checked: wire values, and the HLC of each (``stamps`` names those
    written at another HLC than ``base``, the HLC of a new record's creation)."""

    #: A dict of its own (a new record's row takes it over).
    values: dict[str, Any]
    stamps: dict[str, str]
    base: str | None
    #: Some field is written at ``base``, which was checked to be a valid HLC.
    base_valid: bool

    def stamp(self, name: str) -> str:
        return self.stamps.get(name) or self.base or ""

    def writes(self) -> Iterable[tuple[str, Any, str]]:
        """``(field, value, hlc)`` of every field, as ``sync.lww.merge`` takes them (zipped where
        the HLCs need no choice: an edit's fields have HLCs of their own, a new record's share
        its base)."""
        values, stamps = self.values, self.stamps
        if not self.base_valid:  # no field written at the base HLC: each is in ``stamps``
            return zip(values, values.values(), map(stamps.__getitem__, values), strict=True)
        base = self.base or ""
        if not stamps:
            return zip(values, values.values(), repeat(base))
        return [(name, value, stamps.get(name) or base) for name, value in values.items()]


#: The common form of an HLC (lowercase hex): ``hlc.is_valid`` takes every string this matches.
_PLAIN_HLC = re.compile(r"[0-9a-f]{16}-.{1,64}", re.DOTALL).fullmatch


def limit_hlc(limit_ms: int) -> str:
    """The least HLC of the plain form past ``limit_ms``: a plain HLC sorts at or after it exactly
    when its wall time is later than ``limit_ms`` (same width of lowercase hex), so it is compared
    as a string without decoding it."""
    return f"{limit_ms + 1:0{hlcs_.WALL_HEX}x}"


def checked_change(
    change: IncomingChange, model: type[SyncedRecord], limit_ms: int, limit: str | None = None
) -> Incoming:
    """The change's known fields, checked (HLC problems are reported before value problems); raises
    ``Rejected``. ``limit``: ``limit_hlc(limit_ms)``, when the caller keeps it."""
    fields = change.fields
    if change.op == "delete":
        fields = {**fields, "deleted": True}
    given = change.hlcs
    base = change.base_hlc if change.full else None
    values, refused = checked_values(model, fields)
    stamps: dict[str, str] = {}
    uses_base = False
    if given:
        checks = record_checks(model)
        for name in fields:
            if name not in checks:
                continue
            stamp = given.get(name)
            if stamp and stamp != base:
                stamps[name] = stamp
            else:
                uses_base = True
    else:
        uses_base = bool(values)  # every field written at the base HLC (a new record, usually)
    if stamps:
        distinct: Iterable[str | None] = {*stamps.values(), base} if uses_base else set(stamps.values())
    else:
        distinct = (base,) if uses_base else ()  # a new record: its base alone, no set built
    if limit is None:
        limit = limit_hlc(limit_ms)
    for stamp in distinct:
        if type(stamp) is str and _PLAIN_HLC(stamp):  # one regex instead of decoding it (~0.6 us)
            if stamp >= limit:
                raise Rejected(RejectCode.CLOCK_AHEAD)
            continue
        if not hlcs_.is_valid(stamp):
            raise Rejected(RejectCode.INVALID_HLC)
        if hlcs_.wall_ms(stamp) > limit_ms:  # type: ignore[arg-type]
            raise Rejected(RejectCode.CLOCK_AHEAD)
    if refused:
        raise Rejected(RejectCode.INVALID_VALUE, refused)
    return Incoming(values, stamps, base, uses_base)


#: Record types every team of a program pulls (the coordinator's information clause): stored with the
#: program's id as their ``team_id`` (a program's and a team's ids are both UUIDs, never equal).
PROGRAM_SHARED = frozenset({"info_clause"})


#: An action's fields only coordinators write: its application's evaluation and decision.
_DECISION_STATES = frozenset(APPLICATION_DECISIONS)


def decides_for_others(
    record_type: str, values: dict[str, Any], stored: dict[str, Any] | None = None
) -> bool:
    """Writes only supervisors and admins may make: a review's decision (an animator's device only
    marks a returned entry "corrected"), a person's erasure or restriction, the RODO registers, and a
    micro-grant application's evaluation (taking it into evaluation, accepting or rejecting it, the
    evaluation's fields).
    The app checks this too; the service must, since a device's own check can be bypassed.
    ``stored``: the record's stored data, where there is one (an action's decision sent again
    unchanged, as a device re-sending what a restored service lost does, is no new decision)."""
    if record_type == "action":
        old = stored or {}
        state = values.get("application_status")
        if state in _DECISION_STATES and state != old.get("application_status"):
            return True
        return any(
            name in values and values[name] not in (None, "") and values[name] != old.get(name)
            for name in EVALUATION_FIELDS
        )
    if record_type == "review":
        allowed = {"state": "corrected"}
        return any(name not in allowed or value != allowed[name] for name, value in values.items())
    if record_type == "contact":
        return bool(values.get("erased_at")) or bool(values.get("restricted_at"))
    return record_type in ("info_clause", "rights_request", "breach")  # the coordinator's registers
