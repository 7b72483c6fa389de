"""Checks of pushed records, compiled once per record type from the model's declared rules.

Every field's rule is declared once, on the model (``fieldapp.model.fields``: types, lengths,
ranges, date windows, vocabularies, codes, text without control characters); the device's services
validate input against the same rules. Here a pushed value is held to its rule in the wire form
the field has (``registry.to_wire`` of a valid value: text for ``str``, a finite number for
``float``, ISO text for dates and datetimes, a list of text for ``list[str]``…), and a refused
value is named with the rule's stable code (the one the app shows, ``error.<code>``): a rejected
change's result says which field broke which rule (``sync.protocol.ChangeResult.errors``). Devices
send JSON's own types, so nothing is coerced here (no ``"5"`` for a number, no ``1`` for true).

Record-level rules (``fieldapp.model.rules``: an action's lifecycle, what a status needs, a
corrected review) are run by the merge on the record as it leaves it (``record_refusals``).

Why compiled: a push holds thousands of records of ~17 fields each, and a TypeAdapter round trip
per field (Python value, validation, back to JSON form) cost half the service's push time.
``checked_values`` runs the checks of a change's fields. Its common case (a whole record, every
value already in its stored form) goes through one function generated per record type
(``record_values``) that reads each field by name and tests its rule inline, without a call, a
``get`` or a dict write per field (~3x faster than the loop); it answers exactly as the per-field
loop does (held to it by ``tests/sync/test_checks.py``) and leaves everything else (edits of a few
fields, refused values, values it would convert) to the loop, which also names what was refused.

Cost of the rules (2026-12-05, in-process, device-shaped records, minimum of 7 runs): the generated
check of a contact ~1.4 µs (was ~0.8 with type checks only: lengths, control characters, ranges,
vocabularies and the phone's shape are new), of a visit ~1.8 (was ~1.3: the time window, the
outcome's shape), the record-level rules ~0.2 a record. ``tests/benchmarks/sync.py --quick``, three
interleaved runs each, medians: service CPU per pushed record 20 → 22 µs (SQLite), 27 → 27
(PostgreSQL); push rate 24,400 → 23,400 records/s (SQLite), 14,000 → 14,100 (PostgreSQL), within the
runs' spread (19,300-29,000).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache, partial
from typing import Any

from fieldapp.model import fields as f
from fieldapp.model.base import SyncedRecord
from fieldapp.model.fields import FieldRule, Kind, Refused, rule_of
from fieldapp.model.rules import record_errors

Check = Callable[[Any], Any]
#: A refused value or record as a change result names it: ``{field, code, params}``.
Problem = dict[str, Any]
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


def _deleted(value: Any) -> bool:
    if type(value) is not bool:
        raise Refused("invalid_choice", value=f.shown(value), allowed="true, false")
    return value


@cache
def field_check(model: type[SyncedRecord], name: str) -> Check:
    """The check of one field: the value in its stored wire form, or ``Refused`` (a ValueError)
    with the rule's code when it does not keep its rule."""
    return partial(f.check, rule_of(model, name))


@cache
def record_checks(model: type[SyncedRecord]) -> dict[str, Check]:
    """Every writable field's check (``deleted`` included), by name."""
    checks = {name: field_check(model, name) for name in model.data_fields()}
    checks["deleted"] = _deleted
    return checks


def problem(name: str, refused: Refused) -> Problem:
    return {"field": name, "code": refused.code, "params": refused.params}


def checked_values(
    model: type[SyncedRecord], fields: dict[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The known fields' values in their stored form (in the order given), and what was refused
    (those fields are left out). Fields the model does not know are ignored."""
    values = record_values(model)(fields)
    if values is not None:
        return values, []
    return _checked_one_by_one(record_checks(model), fields)


def _checked_one_by_one(
    checks: dict[str, Check], fields: dict[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    refused: list[Problem] = []
    for name, value in fields.items():
        check = checks.get(name)
        if check is None:
            continue  # a field this service does not know (newer or older app): ignored
        try:
            values[name] = check(value)
        except Refused as exc:
            refused.append(problem(name, exc))
    return values, refused


def record_refusals(
    record_type: str, before: dict[str, Any] | None, after: dict[str, Any]
) -> list[Problem]:
    """What breaks the record kind's rules when the stored record ``before`` (None: a new one)
    becomes ``after`` as the merge leaves it (wire dicts)."""
    broken = record_errors(record_type, before, after)
    return [{"field": e.field, "code": e.code, "params": e.params} for e in broken] if broken else []


# -- the generated check of a whole record ---------------------------------------------------------

Values = Callable[[dict[str, Any]], dict[str, Any] | None]


def _bounds(rule: FieldRule) -> str:
    low = "" if rule.ge is None else f"{rule.ge!r} <= "
    high = "" if rule.le is None else f" <= {rule.le!r}"
    return f"not {low}v{high}" if low or high else ""


def _text_test(rule: FieldRule) -> str:
    """Empty text (most fields of a record) is passed at the first test."""
    limit = f"len(v) > {rule.max_length} or " if rule.max_length is not None else ""
    ok = "_free_ok" if rule.multiline else "_line_ok"
    return f"type(v) is not str or (v != '' and ({limit}not (v.isprintable() or {ok}(v))))"


def _inline(rule: FieldRule, n: int, scope: dict[str, Any]) -> str | None:
    """A test of ``v`` that is true when the rule's check would refuse ``v`` or return another
    value; None when the check is called instead."""
    kind = rule.kind
    if kind is Kind.TEXT:
        return _text_test(rule)
    if kind in _SHAPES:
        return f"{_text_test(rule)} or (v != '' and {_SHAPES[kind]}(v) is None)"
    if kind is Kind.CODE:
        limit = f" or len(v) > {rule.max_length}" if rule.max_length is not None else ""
        return f"type(v) is not str or _CODE(v) is None{limit}"
    if kind is Kind.CHOICE:
        scope[f"_values{n}"] = frozenset(rule.values)
        return f"type(v) is not str or v not in _values{n}"
    if kind is Kind.REF:
        return f"type(v) is not str or len(v) > {f.ID_LENGTH} or not v.isprintable()"
    if kind is Kind.INT:
        bounds = _bounds(rule) or f"not {_INT64[0]} <= v < {_INT64[1]}"
        return f"type(v) is not int or {bounds}"
    if kind is Kind.FLOAT:
        bounds = _bounds(rule)  # NaN fails every comparison; ints become floats: the loop's case
        return "type(v) is not float or " + (bounds or "v - v != 0.0")
    if kind is Kind.BOOL:
        return "v is not True and v is not False"
    return None


#: Texts of a shape: the name of the pattern's ``fullmatch`` in the generated code's scope.
_SHAPES = {Kind.EMAIL: "_EMAIL", Kind.PHONE: "_PHONE", Kind.CLOCK: "_TIME"}


@cache
def record_values(model: type[SyncedRecord]) -> Values:
    """The model's generated check of a whole record (every field given, as devices push new
    records): the values in stored form (a new dict, in the order given), or None when a field is
    missing, a value is refused or needs converting another way than its check's call (the
    per-field loop then answers)."""
    checks = record_checks(model)
    scope: dict[str, Any] = {
        "_KNOWN": frozenset(checks),
        "_COUNT": len(checks),
        "_CODE": f.CODE,
        "_line_ok": partial(f.text_ok, multiline=False),
        "_free_ok": partial(f.text_ok, multiline=True),
        "_EMAIL": f.EMAIL,
        "_PHONE": f.PHONE,
        "_TIME": f.TIME,
    }
    lines = ["def values(fields):", "    fixed = {}"]
    for n, name in enumerate(checks):
        rule = rule_of(model, name) if name != "deleted" else FieldRule("deleted", Kind.BOOL)
        refuses = _inline(rule, n, scope)
        unless_none = "v is not None and " if rule.optional else ""
        lines.append(f"    v = fields[{name!r}]")
        if refuses is None:
            scope[f"_check{n}"] = partial(f.KIND_CHECKS[rule.kind], rule)  # None is handled here
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
