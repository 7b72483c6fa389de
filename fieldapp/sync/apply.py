"""Pulled records into the device's tables: field-level last-writer-wins, new records in bulk.

The rule is the service's (``sync.lww``); only HLCs decide. Records this device does not
hold yet are inserted a type and page at a time (``codec.insert_rows``), their rows built by a function
compiled per model (``sync.stored_rows.row_builder``, which the service uses too for a first pull in
columns).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from functools import cache
from operator import itemgetter
from typing import Any

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import RECORD_TYPES
from fieldapp.store import bulk, codec
from fieldapp.store.spatial_index import insert_new_rows
from fieldapp.sync.errors import SyncError
from sync import lww
from sync.stored_rows import now as _now
from sync.stored_rows import row_builder as _builder
from sync.stored_rows import wire_defaults as _wire_defaults
from sync.stored_rows import writable as _writable

log = logging.getLogger(__name__)

#: Columns every synced table has besides the data fields: they come from the pulled record's
#: envelope, not from its ``fields``.
_ENVELOPE = frozenset(
    ("id", "created_at", "base_hlc", "updated_hlc", "field_hlcs", "author_id", "device_id", "deleted")
)


def merge_page(db: Any, records: list[dict[str, Any]], *, bulk_min: int | None = None) -> list[str]:
    """Field-level LWW of pulled records into the local tables (sqlite3 connection ``db``), a
    record type at a time: one SELECT for the local copies, one INSERT for the new records.
    Returns the ids of the contacts that changed (their search rows need updating).

    ``bulk_min``: on a device's first pull, a type whose table is still empty and that comes with at
    least this many records is loaded in bulk (``fieldapp.store.bulk``: its secondary indexes,
    search and spatial rows are built once at the end of the pull)."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_type.setdefault(record["record_type"], []).append(record)
    contacts: list[str] = []
    for record_type, remotes in by_type.items():
        model = RECORD_TYPES.get(record_type)
        if model is None:
            continue  # a type this app version does not know
        table = model.__tablename__  # type: ignore[attr-defined]
        if bulk_min is not None and len(remotes) >= bulk_min and bulk.is_empty(db, table):
            bulk.begin(db, table)
        changed = _merge_type(db, model, remotes)
        if record_type == "contact":
            contacts.extend(changed)
    return contacts


def insert_columns(
    db: Any, record_type: str, rows: list[list[Any]], *, bulk_min: int | None = None
) -> list[str] | None:
    """A first pull's rows of one type as the service sent them in columns
    (``sync.protocol.ColumnPage``, already in the stored form of ``codec.columns``), straight into
    the table with no Python per record; the ids written, or None (nothing written) when the table
    holds one of the records already (then the page is merged as records instead: LWW against the
    copy held, e.g. a record edited here meanwhile). ``bulk_min`` as for ``merge_page``."""
    model = RECORD_TYPES.get(record_type)
    if model is None or not rows:
        return []
    table = str(model.__tablename__)
    if bulk_min is not None and len(rows) >= bulk_min and bulk.is_empty(db, table):
        bulk.begin(db, table)
    ids = list(map(itemgetter(0), rows))
    db.execute("SAVEPOINT teren_columns")
    try:
        insert_new_rows(db, model, rows, ids)
    except sqlite3.IntegrityError:
        db.execute("ROLLBACK TO teren_columns")
        db.execute("RELEASE teren_columns")
        return None
    except (sqlite3.ProgrammingError, sqlite3.InterfaceError) as exc:  # a value SQLite cannot bind
        db.execute("ROLLBACK TO teren_columns")
        db.execute("RELEASE teren_columns")
        raise SyncError("bad_response", f"the server's {record_type} rows cannot be stored: {exc}") from exc
    db.execute("RELEASE teren_columns")
    return ids


def _merge_type(db: Any, model: type[SyncedRecord], remotes: list[dict[str, Any]]) -> list[str]:
    table = model.__tablename__  # type: ignore[attr-defined]
    selected = ", ".join(
        ("id", "base_hlc", "updated_hlc", "field_hlcs", "deleted", *(f'"{n}"' for n in model.data_fields()))
    )
    local: dict[str, tuple[Any, ...]] = {}
    ids = [remote["id"] for remote in remotes]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for found in db.execute(f"SELECT {selected} FROM {table} WHERE id IN ({marks})", chunk):
            local[found[0]] = found[1:]
    build = _builder(model)
    inserts: list[tuple[Any, ...]] = []
    inserted: list[str] = []
    changed: list[str] = []
    for remote in remotes:
        mine = local.get(remote["id"])
        if mine is None:
            row = build(remote)
            if row is None:
                log.warning("remote %s %s lacks required fields", remote["record_type"], remote["id"])
            else:
                inserts.append(row)
                inserted.append(remote["id"])
        elif _merge_into(db, model, remote, mine):
            changed.append(remote["id"])
    if inserts:
        insert_new_rows(db, model, inserts, inserted)
    return [*changed, *inserted]


def _new_row(model: type[SyncedRecord], remote: dict[str, Any]) -> tuple[Any, ...] | None:
    """The insert parameters of a record this device does not hold (fields it lacks: defaults);
    None when it lacks a required field."""
    return _builder(model)(remote)


def _reference_row(model: type[SyncedRecord], remote: dict[str, Any]) -> tuple[Any, ...] | None:
    """``_new_row`` the plain way (one converter call per column from a dict of values): the
    definition the compiled builders must match (tests compare the two)."""
    defaults, required = _wire_defaults(model)
    fields = remote["fields"]
    if not required <= fields.keys():
        return None
    base = remote["base_hlc"]
    writable = _writable(model)
    values = {**defaults, **fields}
    values.update(
        id=remote["id"],
        created_at=remote.get("created_at") or _now(),
        base_hlc=base,
        updated_hlc=remote["updated_hlc"],
        field_hlcs={k: v for k, v in remote["hlcs"].items() if v != base and k in writable},
        author_id=remote.get("author_id"),
        device_id=remote.get("device_id"),
        deleted=remote.get("deleted", False),
    )
    return codec.row(model, values)


@cache
def _held_positions(model: type[SyncedRecord]) -> dict[str, int]:
    """Each data field's position in a local copy as ``_merge_type`` selects it."""
    return {name: index for index, name in enumerate(model.data_fields(), start=4)}


def _merge_into(db: Any, model: type[SyncedRecord], remote: dict[str, Any], local: tuple[Any, ...]) -> bool:
    """The remote record merged into the local copy ``local`` (base_hlc, updated_hlc, field_hlcs,
    deleted, then every data field) by ``sync.lww``, the service's rule; True if anything changed.

    A value with the same HLC as the local one but a different content (a tie) is taken: one HLC
    is one write, so the local copy lacks it (a column this app version added after it pulled the
    record). Values compare in their stored form. The shared rule's callbacks (three Python calls a
    field) cost ~2.7 µs a record more than the loop written out here before (``merge_page`` over
    5,000 contacts the store holds, CPU a record, best of 8, three runs: ~9.9 -> ~12.6 unchanged,
    ~19.3 -> ~22.1 one field newer); new records and the first pull do not come here.
    """
    base, updated, stamps_json, deleted = local[:4]
    stamps: dict[str, str] = json.loads(stamps_json) if stamps_json else {}
    fields, their_base = remote["fields"], remote["base_hlc"]
    their_stamp = remote["hlcs"].get
    position = _held_positions(model)
    convert = codec.converters(model)
    incoming = [
        (name, value, their_stamp(name, their_base)) for name, value in fields.items() if name in position
    ]
    their_tombstone = their_stamp(lww.DELETED, remote["updated_hlc"])
    incoming.append((lww.DELETED, bool(remote.get("deleted")), their_tombstone))
    outcome = lww.merge(
        incoming,
        held_stamp=lambda name: stamps.get(name, base),
        held_value=lambda name: local[position[name]],
        held_deleted=bool(deleted),
        same=lambda name, theirs, mine: convert[name](theirs) == mine,
    )
    changed = outcome.taken
    changed.update((name, fields[name]) for name in outcome.ties)
    if not changed:
        return False
    stamps.update(outcome.stamps)
    source = {**changed, "field_hlcs": stamps, "updated_hlc": max(updated, remote["updated_hlc"])}
    columns = (*changed.keys(), "field_hlcs", "updated_hlc")
    db.execute(codec.update_sql(model, columns), [*codec.values(model, columns, source), remote["id"]])
    return True
