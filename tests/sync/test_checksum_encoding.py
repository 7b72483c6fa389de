"""A record's hash is the same on a phone without orjson: with floats written as Python's repr,
the standard library's json writes the canonical bytes as orjson does for the values records hold."""

from __future__ import annotations

import json

import orjson

from fieldapp.model import Contact, Visit, Zone
from sync import checksum

VALUES = [
    ["Żółć gęślą jaźń", "", None, True, False, 0, -17, 2**53, 51.7523, 19.4, 1e-05, 0.1 + 0.2, 1.5e-7],
    {"b": [1, 2.5, {"z": "ą", "a": None}], "a": "\u2014 „cytat”", "emoji": "🙂"},
    [[51.7, 19.4], [51.8, 19.5]],
]


def _stdlib(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def test_both_encoders_write_the_same_bytes() -> None:
    for value in VALUES:
        plain = checksum._floats_as_text(value)
        assert orjson.dumps(plain, option=orjson.OPT_SORT_KEYS) == _stdlib(plain)
    # Without the floats as text they would not: some small numbers are written differently.
    assert orjson.dumps(1e-05) != _stdlib(1e-05)


def test_record_hash_uses_defaults_for_missing_fields() -> None:
    full = Contact(kind="resident", name="Ala")
    data = {name: getattr(full, name) for name in Contact.data_fields()}
    sparse = {"kind": "resident", "name": "Ala"}
    assert checksum.record_hash(Contact, "c1", data, False) == checksum.record_hash(
        Contact, "c1", sparse, False
    )
    assert checksum.record_hash(Contact, "c1", data, True) != checksum.record_hash(Contact, "c1", data, False)
    assert checksum.record_hash(Contact, "c1", data, False) != checksum.record_hash(
        Contact, "c2", data, False
    )
    zone = {"name": "SAS", "kind": "sas", "polygon": [[51.7, 19.4]], "workers": []}
    assert 0 <= checksum.record_hash(Zone, "z1", zone, False) < 2**64
    assert checksum.hashed_fields(Visit) == tuple(sorted(Visit.data_fields()))


def test_signed_and_unsigned() -> None:
    for value in (0, 1, 2**63 - 1, 2**63, 2**64 - 1):
        assert -(2**63) <= checksum.to_signed(value) < 2**63
        assert checksum.to_unsigned(checksum.to_signed(value)) == value
