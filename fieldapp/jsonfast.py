"""The device's JSON: orjson where it is installed, the standard library's ``json`` otherwise.

orjson is optional on the device (``pyproject.toml``: it is in the phone build's list and the
server extra, not in the base dependencies): the phone gets Flet's mobile build of it where one
exists, any other install may lack it. Both paths write the same compact UTF-8 JSON and read any
JSON. ``TEREN_JSON=stdlib`` in the environment takes the ``json`` path even where orjson is
installed (tests and ``tests/benchmarks/sync.py`` run both).

What the switch costs (``tests/benchmarks/sync.py --quick --no-postgres``, 10,000 records, on a
busy 2-core machine): the device's CPU a record pushing ~23 µs with orjson, ~56 with json (a
stored JSON column is parsed to be written again); pulling ~26 and ~28.
"""

from __future__ import annotations

import json
import os
from typing import Any

try:
    if os.environ.get("TEREN_JSON") == "stdlib":
        raise ImportError("TEREN_JSON=stdlib")
    import orjson
except ImportError:
    orjson = None  # type: ignore[assignment]

#: Whether orjson does the work.
FAST = orjson is not None
#: What a malformed document raises (a ValueError on both paths).
JSONDecodeError: type[ValueError] = orjson.JSONDecodeError if orjson is not None else json.JSONDecodeError

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON of ``value``; ``embedded`` texts go in as they are."""
    if orjson is not None:
        return orjson.dumps(value)
    return _encoder.encode(value).encode()


def dumps_text(value: Any) -> str:
    """``dumps`` as text."""
    if orjson is not None:
        return orjson.dumps(value).decode()
    return _encoder.encode(value)


def loads(document: bytes | str) -> Any:
    """The value of a JSON document; ``JSONDecodeError`` (a ValueError) if it is not one."""
    if orjson is not None:
        return orjson.loads(document)
    return json.loads(document)


def embedded(text: str) -> Any:
    """A JSON text to place inside a ``dumps`` value: orjson copies it unparsed (a Fragment);
    the ``json`` path has to parse it to write it again."""
    if orjson is not None:
        return orjson.Fragment(text)
    return json.loads(text)
