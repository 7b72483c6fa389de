"""Erasure (RODO art. 17) in a push: it beats every edit of a person's personal fields.

A record with ``erased_at`` set has its personal fields reset to their defaults under a fresh HLC,
so every device replaces what it holds. Records that name an erased contact (``contact_id``) get
the same treatment when written, and no conflict-log row of either keeps a removed value.
``erased_contact`` lists the erased contacts (added to in each erasing push's transaction).

Erasure is final: a later change that would bring personal data back (``undoes_erasure``: clearing
``erased_at``, a personal field with a value) is refused with ``erased`` whatever its HLC, and the
service restamps the fields it named (``overrule``) so the device that sent it gets the erased state
back. No push takes a contact off ``erased_contact``; only an admin's ``teren-sync restore-erased``
does (``sync.server.restore``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticUndefined

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import RECORD_TYPES, to_wire
from sync import hlc as hlcs_
from sync.lww import DELETED
from sync.server.db import among, param_mark
from sync.server.incoming import Incoming

SERVER_NODE = "zzserver"  # sorts after every hex node id
#: Up to this many erased contacts are read whole (one short statement, no parameters); with more,
#: only the ids a batch names are looked up.
ERASED_READ_WHOLE = 1000

Key = tuple[str, str]


def _bump(stamp: str) -> str:
    ts = hlcs_.decode(stamp)
    return hlcs_.encode(ts.wall_ms, min(ts.counter + 1, hlcs_.MAX_COUNTER), SERVER_NODE)


def enforce_erasure(
    model: type[SyncedRecord], data: dict[str, Any], stamps: dict[str, str], base: str
) -> bool:
    """Reset personal fields of an erased record; True if anything changed."""
    if not data.get("erased_at") or "erased_at" not in model.model_fields:
        return False
    return bool(reset_personal(model, data, stamps, base, stamps.get("erased_at", base)))


@cache
def personal_defaults(model: type[SyncedRecord]) -> dict[str, Any]:
    """The empty (default) wire value of each personal field of ``model`` (strings or None)."""
    fields = model.model_fields
    defaults = {name: fields[name].get_default(call_default_factory=True) for name in model.personal_fields}
    # A required text (a task's title) has no default: its empty value is "".
    return {name: "" if value is PydanticUndefined else to_wire(value) for name, value in defaults.items()}


def reset_personal(
    model: type[SyncedRecord], data: dict[str, Any], stamps: dict[str, str], base: str, floor: str
) -> list[str]:
    """Put the personal fields back to their defaults with HLCs above what was written and above
    ``floor``; the names reset (a true value when anything changed)."""
    reset = []
    for name, default in personal_defaults(model).items():
        if data.get(name, default) != default:
            data[name] = default
            stamps[name] = _bump(max(stamps.get(name, base), floor))
            reset.append(name)
    return reset


def undoes_erasure(model: type[SyncedRecord], values: dict[str, Any]) -> bool:
    """Whether a change to an erased record would bring personal data back: it clears ``erased_at``
    or gives a personal field anything but its empty value (empty values, another erasure's
    ``erased_at`` and fields that are not personal are harmless)."""
    if "erased_at" in values and not values["erased_at"]:
        return True
    return any(name in values and values[name] != empty for name, empty in personal_defaults(model).items())


def overrule(row: dict[str, Any], incoming: Incoming, seq: int) -> None:
    """After refusing ``incoming`` (``undoes_erasure``): the fields it named get HLCs above its own,
    their stored values unchanged, and the record ``seq``. The device that sent it pulls the record
    again and, by last-writer-wins, replaces its own newer values with the stored ones.

    A deletion in it is the one part taken: a tombstone is final on every device, the sender's
    included, so refusing it would leave that device apart for good (and it writes no personal data).
    """
    base = row["base_hlc"]
    stamps, field_seqs = dict(row["hlcs"]), dict(row["field_seqs"])
    deleted = row["deleted"]
    for name in incoming.values:
        stamp = incoming.stamp(name)
        if not hlcs_.is_valid(stamp):
            continue
        if name == DELETED:
            if incoming.values[name] and not deleted:
                deleted, stamps[name], field_seqs[name] = True, stamp, seq
            continue
        if hlcs_.decode(stamp) >= hlcs_.decode(stamps.get(name, base)):
            stamps[name] = _bump(stamp)
        field_seqs[name] = seq
    updated = max([row["updated_hlc"], *stamps.values()])
    row.update(hlcs=stamps, field_seqs=field_seqs, updated_hlc=updated, seq=seq, deleted=deleted)


def erased_before(rows: dict[Key, dict[str, Any]]) -> set[str]:
    """The ids of the stored contacts among ``rows`` that are erased (as ``erased_contact`` lists them)."""
    return {key[1] for key, row in rows.items() if key[0] == "contact" and row["data"].get("erased_at")}


def forget_erased_people(
    conn: sa.Connection, rows: dict[Key, dict[str, Any]], written: Iterable[Key], was_erased: set[str]
) -> tuple[set[Key], bool]:
    """Records of a batch that name an erased person lose their personal fields too (a visit's
    note written offline before the erasure was known); contacts the batch erased join
    ``erased_contact`` (none leaves it: ``undoes_erasure`` refused every change that would clear one).

    ``rows``: the batch's records as it leaves them (changed in place), ``written``: the keys of
    those it wrote, ``was_erased``: ``erased_before`` the batch. Returns the keys of the written
    records that are erased or name an erased person (the conflict log keeps nothing of theirs),
    and whether any record was reset here. The erased contact's own fields are reset by
    ``enforce_erasure``; this covers the records that point at it.
    """
    named: dict[Key, str] = {}
    erased_records: set[Key] = set()
    for key in written:
        data = rows[key]["data"]
        if data.get("erased_at"):
            erased_records.add(key)
        elif key[0] != "contact" and isinstance(contact_id := data.get("contact_id"), str):
            named[key] = contact_id
    _note_erased_contacts(
        conn, sorted(key[1] for key in erased_records if key[0] == "contact" and key[1] not in was_erased)
    )
    if not named:
        return erased_records, False
    # Contacts read with the batch are known (stored state, or as this batch leaves them): only
    # the others are looked up (a visit usually names a contact pushed in the same batch).
    known = {key[1]: row for key, row in rows.items() if key[0] == "contact"}
    erased = {contact_id for contact_id, row in known.items() if row["data"].get("erased_at")}
    erased |= _erased_contacts(conn, set(named.values()) - known.keys())
    hits = {key for key, contact_id in named.items() if contact_id in erased}
    any_reset = False
    for key in hits:
        row = rows[key]
        model = RECORD_TYPES[key[0]]
        stamps = dict(row["hlcs"])
        reset = reset_personal(model, row["data"], stamps, row["base_hlc"], row["updated_hlc"])
        if reset:
            row["hlcs"] = stamps
            row["updated_hlc"] = max([row["updated_hlc"], *stamps.values()])
            row["field_seqs"] = {**row["field_seqs"], **dict.fromkeys(reset, row["seq"])}
            any_reset = True
    return hits | erased_records, any_reset


def _erased_contacts(conn: sa.Connection, ids: set[str]) -> set[str]:
    """Which of these contacts are erased, as ``erased_contact`` lists them: written in the
    transaction of every erasure, and read here under the push's counter lock, so an erasure another
    process committed is always seen (nothing is cached between pushes)."""
    if not ids:
        return set()
    listed = conn.exec_driver_sql(f"SELECT id FROM erased_contact LIMIT {ERASED_READ_WHOLE + 1}").all()
    if len(listed) <= ERASED_READ_WHOLE:
        return ids.intersection(row[0] for row in listed)
    where, params = among(conn, "id", sorted(ids))
    found = conn.exec_driver_sql(f"SELECT id FROM erased_contact WHERE {where}", tuple(params))
    return {row[0] for row in found}


def _note_erased_contacts(conn: sa.Connection, erased: list[str]) -> None:
    """Add the contacts a batch erased to ``erased_contact``."""
    if erased:
        mark = param_mark(conn)
        conn.exec_driver_sql(
            f"INSERT INTO erased_contact (id) VALUES ({mark}) ON CONFLICT DO NOTHING", [(i,) for i in erased]
        )
