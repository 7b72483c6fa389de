"""What a push sends: outbox rows grouped per record, and the records read into wire changes.

Reading is the device's share of a push (a phone may hold tens of thousands of changes after a
week offline), so it is done with raw SQL and per-model plans built once: the columns a change
needs, which of them go out as stored (taken with one ``itemgetter``) and which need a reader
(``codec.wire_readers``: booleans, datetimes, JSON text). Reading a record's ~28 columns through
``sqlite3`` costs ~7 µs of the ~9 µs a change takes here; building it once cost ~18 µs.

This is the push's "fetch local" phase, so it lives with the sync engine, not in the store: it
turns records into the protocol's wire form (``sync.protocol.Change``), which the store need not
know, and it reads record tables only (the outbox rows come from ``fieldapp.store.outbox``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from fieldapp import jsonfast
from fieldapp.model.base import SyncedRecord
from fieldapp.store import codec
from fieldapp.store.outbox import WHOLE

Groups = dict[tuple[str, str], dict[str, Any]]
#: Record ids per SELECT (SQLite's default limit of host parameters is 999 on old builds).
CHUNK = 500
_META = ("id", "base_hlc", "field_hlcs", "created_at", "author_id", "device_id", "deleted")


def group_outbox(rows: Iterable[tuple[Any, ...]]) -> Groups:
    """Outbox rows grouped per record, in the order of their first row, with their seqs and the
    names of the fields they queued (``*``: the whole record)."""
    groups: Groups = {}
    for seq, record_type, record_id, names in rows:
        key = (record_type, record_id)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"seqs": [], "names": set()}
        group["seqs"].append(seq)
        if names == WHOLE:
            group["names"].add("*")
        else:
            group["names"].update(json.loads(names))
    return groups


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one model's rows become wire changes (positions in ``select``'s columns)."""

    select: str
    writable: tuple[str, ...]
    #: Fields sent as stored, and the getter of their values (a tuple, in ``plain`` order).
    plain: tuple[str, ...]
    take_plain: Any
    #: Fields with a reader: (name, position, reader).
    converted: tuple[tuple[str, int, Any], ...]
    #: Every writable field's position (partial changes pick from these).
    position: dict[str, int]


@cache
def _plan(model: type[SyncedRecord]) -> _Plan:
    table = model.__tablename__  # type: ignore[attr-defined]
    readers = codec.wire_readers(model)
    writable = (*model.data_fields(), "deleted")
    names = (*_META, *(n for n in writable if n not in _META))
    position = {name: index for index, name in enumerate(names)}
    plain = tuple(n for n in writable if readers[n] is codec.as_stored)
    getter = itemgetter(*(position[n] for n in plain))
    take_plain = getter if len(plain) > 1 else (lambda row: (getter(row),))
    converted = tuple((n, position[n], readers[n]) for n in writable if readers[n] is not codec.as_stored)
    columns = ", ".join(f'"{name}"' for name in names)
    return _Plan(
        select=f"SELECT {columns} FROM {table} WHERE id IN ",
        writable=writable,
        plain=plain,
        take_plain=take_plain,
        converted=converted,
        position={n: position[n] for n in writable},
    )


def read_changes(
    db: Any, model: type[SyncedRecord], ids: list[str], groups: Groups
) -> Iterator[dict[str, Any]]:
    """Wire changes of these records of one type (``sync.protocol.Change`` as a dict), values read
    from the records now (``db``: a sqlite3 connection); records gone from the device are left
    out. A new record's fields share its ``base_hlc``: only HLCs of later edits are sent."""
    plan = _plan(model)
    record_type = model.record_type
    read_created = codec.wire_readers(model)["created_at"]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = f"{plan.select}({','.join('?' * len(chunk))})"
        for row in db.execute(query, chunk):
            record_id, base, stamps_json, created_at, author_id, device_id, deleted = row[:7]
            asked = groups[(record_type, record_id)]["names"]
            full = "*" in asked
            if full:
                fields = dict(zip(plan.plain, plan.take_plain(row), strict=True))
                for name, index, read in plan.converted:
                    fields[name] = read(row[index])
            else:
                fields = {}
                for name in plan.writable:
                    if name in asked:
                        fields[name] = _read(model, name, row[plan.position[name]])
            stamps: dict[str, str] = jsonfast.loads(stamps_json) if stamps_json else {}
            change: dict[str, Any] = {
                "record_type": record_type,
                "id": record_id,
                "fields": fields,
                "base_hlc": base,
                "created_at": read_created(created_at),
                "author_id": author_id,
                "device_id": device_id,
            }
            if full:
                change["full"] = True
                change["hlcs"] = {n: h for n, h in stamps.items() if n in plan.position and h != base}
            else:
                change["hlcs"] = {n: stamps.get(n, base) for n in fields}
            if deleted and "deleted" in fields:
                change["op"] = "delete"
            yield change


def _read(model: type[SyncedRecord], name: str, value: Any) -> Any:
    return codec.wire_readers(model)[name](value)
