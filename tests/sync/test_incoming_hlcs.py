"""The service's check of pushed HLCs answers as ``hlc.is_valid`` and ``hlc.wall_ms`` do, also
where its shortcut for the common form (lowercase hex, compared as text) does not apply."""

from __future__ import annotations

import pytest

from fieldapp.model import Contact
from sync import hlc
from sync.protocol import RejectCode
from sync.server.incoming import Rejected, checked_change, limit_hlc
from sync.server.push_body import IncomingChange

LIMIT = 0x019A4F3C2B1E


def _reference(stamp: object) -> str | None:
    if not hlc.is_valid(stamp):
        return RejectCode.INVALID_HLC.value
    if hlc.wall_ms(stamp) > LIMIT:  # type: ignore[arg-type]
        return RejectCode.CLOCK_AHEAD.value
    return None


def _answer(stamp: object) -> str | None:
    change = IncomingChange("contact", "c1", fields={"name": "Ala"}, full=True, base_hlc=stamp)  # type: ignore[arg-type]
    try:
        checked_change(change, Contact, LIMIT, limit_hlc(LIMIT))
    except Rejected as exc:
        return exc.code.value
    return None


STAMPS = [
    f"{LIMIT:012x}0000-3f9a12c0",
    f"{LIMIT:012x}ffff-3f9a12c0",
    f"{LIMIT + 1:012x}0000-3f9a12c0",
    f"{LIMIT - 1:012x}ffff-zzserver",
    f"{LIMIT + 1:012X}0000-3f9a12c0",  # uppercase hex: valid, the long way
    f"{LIMIT - 1:012X}0000-3f9a12c0",
    f"{LIMIT:012x}0000-" + "n" * 64,
    f"{LIMIT:012x}0000-" + "n" * 65,
    f"{LIMIT:012x}0000-a-b",
    f"{LIMIT:012x}0000-line\nbreak",
    f"{LIMIT:012x}0000-",
    f"{LIMIT:012x}000-3f9a12c0",
    f"{LIMIT:012x}00000-3f9a12c0",
    f" {LIMIT:011x}0000-3f9a12c0",  # int() takes the space: so does is_valid
    f"{LIMIT:012x}0_00-3f9a12c0",
    f"{LIMIT:012x}000g-3f9a12c0",
    "yesterday",
    "",
    None,
]


@pytest.mark.parametrize("stamp", STAMPS)
def test_a_pushed_hlc_is_judged_as_hlc_decodes_it(stamp: object) -> None:
    assert _answer(stamp) == _reference(stamp)
