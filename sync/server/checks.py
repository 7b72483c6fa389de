"""Checks of pushed field values, compiled once per record type and field.

The service stores a value only in the wire form the field's type has (``registry.to_wire`` of a
valid value): text for ``str``, a finite number for ``float``, ISO text for dates and datetimes
(datetimes in UTC with an offset), a list of text for ``list[str]``… Every value must also fit every
database and device: no NaN or infinity, integers within 64 bits, no NUL in text.

Why not pydantic per field: a push holds thousands of records of ~17 fields each, and a TypeAdapter
round trip per field (Python value, validation, back to JSON form) cost half the service's push
time. The common field types get a direct check here; any other type still goes through pydantic.
``tests/sync/test_checks.py`` holds both paths to the same answers.

``checked_values`` runs the checks of a change's fields. Its common case (a whole record, every
value already in its stored form) goes through one function generated per record type
(``record_values``) that reads each field by name and tests it inline, without a call, a ``get`` or a
dict write per field (~3x faster than the loop); it answers exactly as the per-field loop does (held
to it by the same test module) and leaves everything else (edits of a few fields, bad values) to it.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import from_wire, to_wire

Check = Callable[[Any], Any]
_INT64 = (-(2**63), 2**63)


def storable(value: Any) -> bool:
    """Fits every database and device: no NaN/infinity, integers within 64 bits, no NUL in text."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return _INT64[0] <= value < _INT64[1]
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list):
        return all(storable(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and "\x00" not in k and storable(v) for k, v in value.items())
    return False


def _text(value: Any) -> str:
    if type(value) is not str or "\x00" in value:
        raise ValueError("text expected")
    return value


def _number(value: Any) -> float:
    if type(value) is float:
        if not math.isfinite(value):
            raise ValueError("a finite number expected")
        return value
    if type(value) is int and _INT64[0] <= value < _INT64[1]:
        return float(value)
    raise ValueError("a number expected")


def _integer(value: Any) -> int:
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int or not _INT64[0] <= value < _INT64[1]:
        raise ValueError("an integer expected")
    return value


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError("true or false expected")
    return value


def _day(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("a date expected")
    return date.fromisoformat(value).isoformat()


def _moment(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("a date and time expected")
    parsed = datetime.fromisoformat(value)
    if _utc_seconds(value):
        return value if value[10] == "T" else f"{value[:10]}T{value[11:]}"
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)  # devices store UTC: year 1 at +01:00 has no UTC time
    except OverflowError as exc:
        raise ValueError("a time outside the range of UTC") from exc
    return parsed.isoformat()


def _utc_seconds(value: str) -> bool:
    """``YYYY-MM-DD HH:MM:SS+00:00`` (or with ``T``), as devices send datetimes: once
    ``fromisoformat`` took it, its ISO form is the same text with ``T`` (``isoformat`` costs ~2 µs:
    as much as the rest of a visit's field checks)."""
    return (
        len(value) == 25
        and value.endswith("+00:00")
        and value[10] in " T"
        and value[4] == value[7] == "-"
        and value[13] == value[16] == ":"
    )


def _texts(value: Any) -> list[str]:
    if type(value) is not list:
        raise ValueError("a list of text expected")
    return [_text(item) for item in value]


_DIRECT: dict[Any, Check] = {
    str: _text,
    float: _number,
    int: _integer,
    bool: _boolean,
    date: _day,
    datetime: _moment,
    list[str]: _texts,
}


def _optional(check: Check) -> Check:
    def optional(value: Any) -> Any:
        return None if value is None else check(value)

    optional.optional_of = check  # type: ignore[attr-defined]  # read by record_values
    return optional


def _through_pydantic(model: type[SyncedRecord], name: str) -> Check:
    adapter: TypeAdapter[Any] = TypeAdapter(model.model_fields[name].annotation)

    def check(value: Any) -> Any:
        try:
            checked = to_wire(adapter.validate_python(from_wire(model, name, value)))
        except ValidationError as exc:
            raise ValueError(str(exc)) from exc
        if not storable(checked):
            raise ValueError("a value no database or device can store")
        return checked

    return check


@cache
def field_check(model: type[SyncedRecord], name: str) -> Check:
    """The check of one field: the value in its stored wire form, or ValueError (TypeError too for
    odd input) when it does not fit."""
    annotation = model.model_fields[name].annotation
    direct = _DIRECT.get(annotation)
    if direct is not None:
        return direct
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1 and rest[0] in _DIRECT:
            return _optional(_DIRECT[rest[0]])
    return _through_pydantic(model, name)


@cache
def record_checks(model: type[SyncedRecord]) -> dict[str, Check]:
    """Every writable field's check (``deleted`` included), by name."""
    checks = {name: field_check(model, name) for name in model.data_fields()}
    checks["deleted"] = _boolean
    return checks


def checked_values(model: type[SyncedRecord], fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The known fields' values in their stored form (in the order given), and whether any value
    was refused (it is then left out). Fields the model does not know are ignored."""
    values = record_values(model)(fields)
    if values is not None:
        return values, False
    return _checked_one_by_one(record_checks(model), fields)


def _checked_one_by_one(checks: dict[str, Check], fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    values: dict[str, Any] = {}
    bad_value = False
    for name, value in fields.items():
        check = checks.get(name)
        if check is None:
            continue  # a field this service does not know (newer or older app): ignored
        try:
            values[name] = check(value)
        except (TypeError, ValueError):
            bad_value = True
    return values, bad_value


Values = Callable[[dict[str, Any]], dict[str, Any] | None]
#: Inline tests of a value ``v`` that the check would return unchanged (True: it would not);
#: checks not named here are called, and their answer replaces the value.
_INLINE_REFUSES: dict[Check, str] = {
    _text: "type(v) is not str or '\\x00' in v",
    _number: "type(v) is not float or v - v != 0.0",  # ints become floats: the loop's case
    _integer: "type(v) is not int or not -9223372036854775808 <= v <= 9223372036854775807",
    _boolean: "v is not True and v is not False",
}


@cache
def record_values(model: type[SyncedRecord]) -> Values:
    """The model's generated check of a whole record (every field given, as devices push new
    records): the values in stored form (a new dict, in the order given), or None when a field is
    missing, a value is refused or needs converting another way than its check's call (the
    per-field loop then answers)."""
    checks = record_checks(model)
    scope: dict[str, Any] = {"_KNOWN": frozenset(checks), "_COUNT": len(checks)}
    lines = ["def values(fields):", "    fixed = {}"]
    for n, (name, check) in enumerate(checks.items()):
        optional = getattr(check, "optional_of", None)
        refuses = _INLINE_REFUSES.get(optional or check)
        unless_none = "" if optional is None else "v is not None and "
        lines.append(f"    v = fields[{name!r}]")
        if refuses is None:
            scope[f"_check{n}"] = optional or check
            lines.append(f"    if {unless_none}True: fixed[{name!r}] = _check{n}(v)")
        else:
            lines.append(f"    if {unless_none}({refuses}): return None")
    lines += [
        "    if len(fields) == _COUNT:",  # every field, and only those
        "        values = fields.copy()",
        "    else:",
        "        values = {k: v for k, v in fields.items() if k in _KNOWN}",
        "    if fixed:",
        "        values.update(fixed)",
        "    return values",
    ]
    exec("\n".join(lines), scope)
    generated: Values = scope["values"]

    def checked(fields: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return generated(fields)
        except (KeyError, TypeError, ValueError):
            return None

    return checked
