"""Reading a push body: JSON bytes → a batch of changes, checked against ``sync.protocol``'s models.

The push body is the service's hottest input (thousands of changes a second), so it is decoded with
orjson and checked here by hand instead of through pydantic (which cost ~17 µs a change). The rules
are those of ``PushRequest`` and ``Change`` (the OpenAPI schema still publishes those models);
``tests/sync/test_push_body.py`` holds both to the same answers. A body that breaks them is refused
whole with 422 ``invalid_request`` naming the first bad place, as FastAPI would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from sync.protocol import MAX_CURSOR, PROTOCOL_VERSION, ErrorCode
from sync.server.errors import ApiError

_OPS = ("upsert", "delete")
#: Marks a missing ``fields``/``hlcs`` key (``null`` is refused, as the published model does).
_EMPTY: dict[str, Any] = {}


@dataclass(slots=True)
class IncomingChange:
    """One change of a push (``sync.protocol.Change``)."""

    record_type: str
    id: str
    op: str = "upsert"
    fields: dict[str, Any] = field(default_factory=dict)
    hlcs: dict[str, str] = field(default_factory=dict)
    full: bool = False
    base_hlc: str | None = None
    created_at: str | None = None
    author_id: str | None = None
    device_id: str | None = None


@dataclass(slots=True)
class PushBatch:
    """A push request (``sync.protocol.PushRequest``)."""

    batch_id: str
    changes: list[IncomingChange]
    protocol: int = PROTOCOL_VERSION
    cursor: int | None = None
    #: The device reads only the results of changes not simply applied (``PushResponse.applied``).
    compact: bool = False


class _Invalid(Exception):
    def __init__(self, where: str, message: str) -> None:
        self.where, self.message = where, message


def _name(value: Any, where: str, *, min_length: int = 0, max_length: int | None = None) -> str:
    if type(value) is not str:
        raise _Invalid(where, "Input should be a valid string")
    if len(value) < min_length:
        raise _Invalid(where, f"String should have at least {min_length} character(s)")
    if max_length is not None and len(value) > max_length:
        raise _Invalid(where, f"String should have at most {max_length} characters")
    if "\x00" in value:
        raise _Invalid(where, "Value error, NUL character")
    return value


def _optional_name(value: Any, where: str, max_length: int | None = None) -> str | None:
    return None if value is None else _name(value, where, max_length=max_length)


def _integer(value: Any, where: str) -> int:
    if type(value) is float and value.is_integer() and abs(value) < 2**63:  # as pydantic takes it
        value = int(value)
    if type(value) is not int:
        raise _Invalid(where, "Input should be a valid integer")
    return value


def _boolean(value: Any, where: str) -> bool:
    if type(value) is not bool:
        raise _Invalid(where, "Input should be a valid boolean")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Invalid(where, "Input should be a valid dictionary")
    return value


def _plain_name(value: Any, max_length: int) -> bool:
    """The common case of an optional name, checked inline (errors take the slow path)."""
    return value is None or (type(value) is str and len(value) <= max_length and "\x00" not in value)


def _plain_stamp(value: Any) -> bool:
    """An HLC of ``hlcs`` that ``_name`` takes (checked without naming its place)."""
    return type(value) is str and "\x00" not in value


def _changes(raw: list[Any]) -> list[IncomingChange]:
    changes = []
    for n, item in enumerate(raw):
        try:
            changes.append(_change(item))
        except _Invalid as exc:  # named here: formatting the place of every change cost ~3% of a push
            raise _Invalid(f"body.changes.{n}{exc.where}", exc.message) from None
    return changes


def _change(item: Any) -> IncomingChange:
    """One change; an _Invalid's place is relative to the change (``.op``, or empty for itself)."""
    where = ""
    if type(item) is not dict:
        raise _Invalid(where, "Input should be a valid dictionary")
    get = item.get
    try:
        record_type, record_id = item["record_type"], item["id"]
    except KeyError as exc:
        raise _Invalid(f"{where}.{exc.args[0]}", "Field required") from None
    op = get("op", "upsert")
    if op not in _OPS:
        raise _Invalid(f"{where}.op", "Input should be 'upsert' or 'delete'")
    hlcs = get("hlcs", _EMPTY)
    if hlcs is not _EMPTY and not (type(hlcs) is dict and all(map(_plain_stamp, hlcs.values()))):
        for key, stamp in _object(hlcs, f"{where}.hlcs").items():  # something is off: named here
            _name(stamp, f"{where}.hlcs.{key}")
    fields = get("fields", _EMPTY)
    full = get("full", False)
    base_hlc, created_at, author_id, device_id = (
        get("base_hlc"),
        get("created_at"),
        get("author_id"),
        get("device_id"),
    )
    if not (
        type(record_type) is str
        and 0 < len(record_type) <= 64
        and "\x00" not in record_type
        and type(record_id) is str
        and 0 < len(record_id) <= 64
        and "\x00" not in record_id
        and type(fields) is dict
        and type(full) is bool
        # _plain_name inline (a call each cost ~4% of parsing a change)
        and (base_hlc is None or (type(base_hlc) is str and "\x00" not in base_hlc))
        and (created_at is None or (type(created_at) is str and len(created_at) <= 40))
        and (author_id is None or (type(author_id) is str and len(author_id) <= 64))
        and (device_id is None or (type(device_id) is str and len(device_id) <= 64))
        and "\x00" not in f"{created_at}{author_id}{device_id}"
    ):
        # Something is off: the checks below name it.
        _name(record_type, f"{where}.record_type", min_length=1, max_length=64)
        _name(record_id, f"{where}.id", min_length=1, max_length=64)
        _object(fields, f"{where}.fields")
        _boolean(full, f"{where}.full")
        _optional_name(base_hlc, f"{where}.base_hlc")
        _optional_name(created_at, f"{where}.created_at", 40)
        _optional_name(author_id, f"{where}.author_id", 64)
        _optional_name(device_id, f"{where}.device_id", 64)
    return IncomingChange(
        record_type,
        record_id,
        op,
        {} if fields is _EMPTY else fields,
        {} if hlcs is _EMPTY else hlcs,
        full,
        base_hlc,
        created_at,
        author_id,
        device_id,
    )


def _batch(raw: Any) -> PushBatch:
    body = _object(raw, "body")
    if "batch_id" not in body:
        raise _Invalid("body.batch_id", "Field required")
    if "changes" not in body:
        raise _Invalid("body.changes", "Field required")
    cursor = body.get("cursor")
    if cursor is not None:
        cursor = _integer(cursor, "body.cursor")
        if not 0 <= cursor <= MAX_CURSOR:
            raise _Invalid("body.cursor", f"Input should be between 0 and {MAX_CURSOR}")
    changes = body["changes"]
    if type(changes) is not list:
        raise _Invalid("body.changes", "Input should be a valid list")
    return PushBatch(
        batch_id=_name(body["batch_id"], "body.batch_id", min_length=8, max_length=64),
        changes=_changes(changes),
        protocol=_integer(body.get("protocol", PROTOCOL_VERSION), "body.protocol"),
        cursor=cursor,
        compact=_boolean(body.get("compact", False), "body.compact"),
    )


def parse_push(body: bytes) -> PushBatch:
    """The batch in a push body; ApiError 422 ``invalid_request`` when it is not one."""
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ApiError(422, ErrorCode.INVALID_REQUEST, f"body: JSON decode error: {exc}") from None
    try:
        return _batch(raw)
    except _Invalid as exc:
        raise ApiError(422, ErrorCode.INVALID_REQUEST, f"{exc.where}: {exc.message}") from None
