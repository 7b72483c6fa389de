"""Record checksums, computed the same way on both ends (PowerSync's bucket checksums, in integers).

A record's hash is the first 8 bytes (little-endian) of BLAKE2b over its canonical JSON:
``[record_type, id, values]`` with ``values`` the record's data fields in name order (a field the
record lacks counts as its model's default; floats written as Python's repr, the same with or
without orjson), or ``null`` for a deleted record (a tombstone's values
may be scrubbed on one end and not the other). A kind's checksum is ``(count, sum of hashes mod
2**64)``: order-independent and additive, so the service keeps it per scope as records are written
(``sync.server.record_sums``) and the device sums its own records to compare (``fieldapp.sync.verify``).

Both ends must know the same fields (``fieldapp.model.registry.schema_signature``); otherwise the
service gives no checksum. Integers only: float sums drift past a few million records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import to_wire

try:
    import orjson

    def canonical(value: Any) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)

except ImportError:  # the phone without orjson: the same bytes for the values records hold
    import json

    def canonical(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


MASK = (1 << 64) - 1
_SIGN = 1 << 63


@cache
def hashed_fields(model: type[SyncedRecord]) -> tuple[str, ...]:
    """The data fields a hash covers, in name order."""
    return tuple(sorted(model.data_fields()))


@cache
def wire_defaults(model: type[SyncedRecord]) -> dict[str, Any]:
    """Wire defaults of the optional data fields (what a record lacking one holds on a device)."""
    defaults: dict[str, Any] = {}
    for name in model.data_fields():
        info = model.model_fields[name]
        if not info.is_required():
            defaults[name] = to_wire(info.get_default(call_default_factory=True))
    return defaults


def _floats_as_text(value: Any) -> Any:
    """Floats as Python's shortest repr: orjson and json write some differently (1e-05 is
    ``0.00001`` in one, ``1e-05`` in the other)."""
    kind = type(value)
    if kind is float:
        return repr(value)
    if kind is list:
        return [_floats_as_text(item) for item in value]
    if kind is dict:
        return {key: _floats_as_text(item) for key, item in value.items()}
    return value


_PLAIN = (str, int, bool, type(None))


def digest(record_type: str, record_id: str, values: Sequence[Any] | None) -> int:
    """The hash of one record given its values in ``hashed_fields`` order (None: deleted)."""
    if values is not None:
        values = [value if type(value) in _PLAIN else _floats_as_text(value) for value in values]
    data = canonical([record_type, record_id, values])
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


@cache
def _taker(model: type[SyncedRecord]) -> tuple[dict[str, Any], Any]:
    """Every hashed field's default (None for required ones), and the getter of the values in
    ``hashed_fields`` order from a dict holding them all (two C calls instead of a loop)."""
    defaults = {name: None for name in hashed_fields(model)} | wire_defaults(model)
    names = hashed_fields(model)
    getter = itemgetter(*names) if len(names) > 1 else (lambda d: (d[names[0]],))
    return defaults, getter


def record_hash(model: type[SyncedRecord], record_id: str, data: Mapping[str, Any], deleted: bool) -> int:
    """The hash of a record stored as wire values (the service's ``record.data``)."""
    if deleted:
        return digest(model.record_type, record_id, None)
    defaults, take = _taker(model)
    return digest(model.record_type, record_id, list(take({**defaults, **data})))


def to_signed(value: int) -> int:
    """An unsigned 64-bit sum as a signed BIGINT (both databases' 64-bit integer)."""
    value &= MASK
    return value - (1 << 64) if value & _SIGN else value


def to_unsigned(value: int) -> int:
    return value & MASK
