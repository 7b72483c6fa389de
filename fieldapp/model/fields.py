"""Field rules: what every synced field may hold, declared once on the model, read by both ends.

A model's Base (``VisitBase``…) declares each field's rule with pydantic's own constraints
(``Field(max_length=…, ge=…, le=…)``) and, where those cannot say it, a marker from here in the
annotation (``notes: FreeText``, ``outcome: Code``, ``kind: Annotated[str, OneOf(ContactKind)]``).
``rule_of(model, name)`` reads the declaration into a ``FieldRule``; ``check(rule, value)`` says
whether a value in its wire form (``registry.to_wire``: JSON types, ISO text for dates) keeps the
rule, and raises ``Refused`` with the same stable code the app shows (``error.<code>``) when not.

The device's services (``fieldapp.services.validation``) turn typed input into the wire form and
ask ``check``; the sync service (``sync.server.checks``) compiles its per-record check from the
same rules and answers as ``check`` does (``tests/sync/test_rule_parity.py`` holds them together).

The common windows: no date before 2000 or after 2100; a moment (a visit's time) not later than
``FUTURE_SLACK`` ahead of now (phone clocks drift); a follow-up no further than its ``Horizon``.
Single-line text holds no control characters; free text (``FreeText``) may hold newlines and tabs.
"""

from __future__ import annotations

import math
import re
import time
import types
import typing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Annotated, Any

from annotated_types import Ge, Le, MaxLen

#: Long free texts (notes, reports) are capped so one field cannot fill a phone.
LONG_TEXT = 10_000
#: Dates and moments outside these are typing mistakes or attacks, not field work.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2101, 1, 1, tzinfo=UTC)
#: A moment this far ahead of the clock is a mistake (a phone's clock may be a little off).
FUTURE_SLACK = timedelta(days=1)
#: How far ahead a follow-up may be planned.
FOLLOW_UP_DAYS = 2 * 366
#: Counts of people, and amounts of money in grosze, stay below these.
MAX_PEOPLE = 1_000_000
MAX_GROSZE = 100_000_000_000  # a billion PLN
#: Record ids are UUIDs (36 characters); lists of ids stay short.
ID_LENGTH = 36
MAX_IDS = 500
#: Program-defined codes (visit outcomes): lowercase letters, digits and ``_``, a letter first.
CODE_PATTERN = r"[a-z][a-z0-9_]{0,39}"


class Kind(StrEnum):
    """What a field holds, as both ends check it."""

    TEXT = "text"
    CODE = "code"
    CHOICE = "choice"
    CHOICES = "choices"
    REF = "ref"
    REFS = "refs"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DAY = "day"
    MOMENT = "moment"
    CLOCK = "clock"
    EMAIL = "email"
    PHONE = "phone"
    POINTS = "points"


# -- markers (annotation metadata) -----------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    """A rule pydantic's constraints cannot say; ``kind`` replaces the one the type implies."""

    kind: Kind
    multiline: bool = False
    values: tuple[str, ...] = ()
    horizon_days: int | None = None


def OneOf(values: Any) -> Marker:
    """A closed vocabulary (an enum): the value must be one of these."""
    return Marker(Kind.CHOICE, values=tuple(str(v) for v in values))


def SomeOf(values: Any) -> Marker:
    """A list of values from a closed vocabulary."""
    return Marker(Kind.CHOICES, values=tuple(str(v) for v in values))


def Horizon(days: int) -> Marker:
    """A day no later than ``days`` after today (follow-ups, due dates)."""
    return Marker(Kind.DAY, horizon_days=days)


FreeText = Annotated[str, Marker(Kind.TEXT, multiline=True)]
#: An extensible code: programs may add values, so only its shape is checked (``CODE_PATTERN``).
Code = Annotated[str, Marker(Kind.CODE)]
Ref = Annotated[str | None, Marker(Kind.REF)]
RequiredRef = Annotated[str, Marker(Kind.REF)]
Refs = Annotated[list[str], Marker(Kind.REFS)]
ClockTime = Annotated[str, Marker(Kind.CLOCK)]
Email = Annotated[str, Marker(Kind.EMAIL)]
Phone = Annotated[str, Marker(Kind.PHONE)]
Points = Annotated[list[list[float]] | None, Marker(Kind.POINTS)]


# -- the rule of a field ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRule:
    name: str
    kind: Kind
    #: ``None`` is a valid value.
    optional: bool = False
    max_length: int | None = None
    ge: float | None = None
    le: float | None = None
    multiline: bool = False
    values: tuple[str, ...] = ()
    horizon_days: int | None = None


_KIND_OF_TYPE: dict[Any, Kind] = {
    str: Kind.TEXT,
    int: Kind.INT,
    float: Kind.FLOAT,
    bool: Kind.BOOL,
    date: Kind.DAY,
    datetime: Kind.MOMENT,
}


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return annotation, False


@cache
def rule_of(model: type, name: str) -> FieldRule:
    """The declared rule of ``model``'s field ``name`` (its type, constraints and marker)."""
    info = model.model_fields[name]  # type: ignore[attr-defined]
    annotation, optional = _unwrap_optional(info.annotation)
    marker = next((m for m in info.metadata if isinstance(m, Marker)), None)
    kind = marker.kind if marker is not None else _KIND_OF_TYPE.get(annotation)
    if kind is None:
        raise TypeError(f"{model.__name__}.{name}: no rule for {annotation!r} (add a marker)")
    limits: dict[str, Any] = {}
    for item in info.metadata:
        if isinstance(item, MaxLen):
            limits["max_length"] = item.max_length
        elif isinstance(item, Ge):
            limits["ge"] = item.ge
        elif isinstance(item, Le):
            limits["le"] = item.le
    return FieldRule(
        name,
        kind,
        optional,
        multiline=bool(marker and marker.multiline),
        values=marker.values if marker else (),
        horizon_days=marker.horizon_days if marker else None,
        **limits,
    )


def data_rules(model: Any) -> dict[str, FieldRule]:
    """The rules of a synced model's user-editable fields, by name."""
    return {name: rule_of(model, name) for name in model.data_fields()}


# -- checking a wire value -------------------------------------------------------------------------


class Refused(ValueError):
    """A value breaks its field's rule: the error code and its message parameters."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


#: Characters no single-line text may hold: C0 and C1 controls (they break the XLSX export and
#: terminals), DEL, and lone surrogates (no encoding can store them).
BAD_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]").search
#: Free text may also hold tabs and line breaks.
BAD_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]").search
CODE = re.compile(CODE_PATTERN).fullmatch
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d").fullmatch
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+").fullmatch
#: Digits, spaces, ``+ - ( ) / .``, and at least six digits.
PHONE = re.compile(r"\+?(?:[\s\-()/.]*\d){6}[\d\s\-()/.]*").fullmatch


def text_ok(value: str, multiline: bool = False) -> bool:
    """No forbidden characters (``isprintable`` answers most texts at C speed)."""
    if value.isprintable():
        return True
    return (BAD_FREE_TEXT if multiline else BAD_LINE)(value) is None


_limits: list[Any] = [-1.0, None, None]  # refreshed at, moment limit, today


def _refresh() -> None:
    now = time.monotonic()
    if now - _limits[0] >= 30.0:
        clock = datetime.now(UTC)
        _limits[:] = [now, clock + FUTURE_SLACK, clock.date()]


def latest_moment() -> datetime:
    """The latest moment a record may name: now plus ``FUTURE_SLACK`` (re-read every 30 s)."""
    _refresh()
    return _limits[1]


def today() -> date:
    """Today in UTC, as both ends count horizons (re-read every 30 s)."""
    _refresh()
    return _limits[2]


def shown(value: Any) -> Any:
    """A refused value as an error parameter: short (a service answer must not echo megabytes)."""
    if isinstance(value, str):
        return value[:80]
    if value is None or isinstance(value, bool):
        return value
    if (isinstance(value, int) and abs(value) < 2**53) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return repr(value)[:80]  # JSON has no NaN, and not every reader takes big integers


def check(rule: FieldRule, value: Any) -> Any:
    """``value`` (wire form) in its stored wire form, or ``Refused`` with the rule's code."""
    if value is None and rule.optional:
        return None
    return KIND_CHECKS[rule.kind](rule, value)


def _text(rule: FieldRule, value: Any) -> str:
    if type(value) is not str:
        raise Refused("invalid_text")
    if rule.max_length is not None and len(value) > rule.max_length:
        raise Refused("too_long", max=rule.max_length)
    if not text_ok(value, rule.multiline):
        raise Refused("invalid_text")
    return value


def _code(rule: FieldRule, value: Any) -> str:
    if type(value) is not str or CODE(value) is None:
        raise Refused("invalid_code", value=shown(value))
    return value


def _choice(rule: FieldRule, value: Any) -> str:
    if type(value) is not str or value not in rule.values:
        raise Refused("invalid_choice", value=shown(value), allowed=", ".join(rule.values))
    return value


def _list(rule: FieldRule, items: Any, code: str, **params: Any) -> list[Any]:
    if type(items) is not list:
        raise Refused(code, **params)
    if rule.max_length is not None and len(items) > rule.max_length:
        raise Refused("too_long", max=rule.max_length)
    return items


def _choices(rule: FieldRule, value: Any) -> list[str]:
    allowed = ", ".join(rule.values)
    values = _list(rule, value, "invalid_choice", value=shown(value), allowed=allowed)
    unknown = [v for v in values if type(v) is not str or v not in rule.values]
    if unknown:
        raise Refused("invalid_choice", value=shown(", ".join(map(str, unknown))), allowed=allowed)
    return values


def ref_ok(value: Any) -> bool:
    return type(value) is str and len(value) <= ID_LENGTH and value.isprintable()


def _ref(rule: FieldRule, value: Any) -> str:
    if not ref_ok(value):
        raise Refused("unknown_record", record_type="")
    return value


def _refs(rule: FieldRule, value: Any) -> list[str]:
    values = _list(rule, value, "unknown_record", record_type="")
    if not all(ref_ok(v) and v for v in values):
        raise Refused("unknown_record", record_type="")
    return values


def _int(rule: FieldRule, value: Any) -> int:
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int or (rule.ge is not None and value < rule.ge):
        raise Refused("invalid_number", value=shown(value))
    if rule.le is not None and value > rule.le:
        raise Refused("number_out_of_range", value=shown(value), min=rule.ge, max=rule.le)
    return value


def _float(rule: FieldRule, value: Any) -> float:
    if type(value) is int:
        value = float(value) if abs(value) < 2**63 else math.inf
    if type(value) is not float:
        raise Refused("invalid_number", value=shown(value))
    low = -math.inf if rule.ge is None else rule.ge
    high = math.inf if rule.le is None else rule.le
    if not (math.isfinite(value) and low <= value <= high):
        raise Refused("number_out_of_range", value=shown(value), min=rule.ge, max=rule.le)
    return value


def _bool(rule: FieldRule, value: Any) -> bool:
    if type(value) is not bool:
        raise Refused("invalid_choice", value=shown(value), allowed="true, false")
    return value


def check_day(value: date, horizon_days: int | None) -> None:
    """A calendar day within the window (and the horizon, if any)."""
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise Refused("date_out_of_range", value=value.isoformat())
    if horizon_days is not None:
        latest = today() + timedelta(days=horizon_days)
        if value > latest:
            raise Refused("date_too_far", value=value.isoformat(), max=latest.isoformat())


def _day(rule: FieldRule, value: Any) -> str:
    if type(value) is not str:
        raise Refused("invalid_date", value=shown(value))
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise Refused("invalid_date", value=shown(value)) from None
    check_day(parsed, rule.horizon_days)
    return parsed.isoformat()


def check_moment(value: datetime) -> None:
    """An aware moment within the window and not in the future (beyond ``FUTURE_SLACK``)."""
    if not EARLIEST <= value < LATEST:
        raise Refused("date_out_of_range", value=value.date().isoformat())
    if value > latest_moment():
        raise Refused("date_in_future", value=value.date().isoformat())


def utc_seconds(value: str) -> bool:
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


def _moment(rule: FieldRule, value: Any) -> str:
    if type(value) is not str:
        raise Refused("invalid_date", value=shown(value))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Refused("invalid_date", value=shown(value)) from None
    if utc_seconds(value):
        _refresh()  # the common case in few calls: ~1 µs of a visit's checks
        if not EARLIEST <= parsed <= _limits[1]:
            check_moment(parsed)
        return value if value[10] == "T" else f"{value[:10]}T{value[11:]}"
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        in_utc = parsed.astimezone(UTC)  # devices store UTC: year 1 at +01:00 has no UTC time
    except OverflowError:
        raise Refused("date_out_of_range", value=parsed.date().isoformat()) from None
    check_moment(in_utc)
    return parsed.isoformat()


def _clock(rule: FieldRule, value: Any) -> str:
    value = _text(rule, value)
    if value and TIME(value) is None:
        raise Refused("invalid_time", value=shown(value))
    return value


def _email(rule: FieldRule, value: Any) -> str:
    value = _text(rule, value)
    if value and EMAIL(value) is None:
        raise Refused("invalid_email", value=shown(value))
    return value


def _phone(rule: FieldRule, value: Any) -> str:
    value = _text(rule, value)
    if value and PHONE(value) is None:
        raise Refused("invalid_phone", value=shown(value))
    return value


def _points(rule: FieldRule, value: Any) -> list[list[float]]:
    """A polygon: ``[lat, lon]`` pairs of numbers within the globe's ranges (codes as
    ``geo.zones.zone_shape_errors`` gives them)."""
    points = _list(rule, value, "geo_polygon_format")
    if not all(type(p) is list and len(p) == 2 and type(p[0]) in _NUMBER and type(p[1]) in _NUMBER
               for p in points):
        raise Refused("geo_polygon_format")
    if not all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in points):
        raise Refused("geo_position_invalid")
    return [[float(lat), float(lon)] for lat, lon in points]


_NUMBER = (int, float)


KIND_CHECKS: dict[Kind, Any] = {
    Kind.TEXT: _text,
    Kind.CODE: _code,
    Kind.CHOICE: _choice,
    Kind.CHOICES: _choices,
    Kind.REF: _ref,
    Kind.REFS: _refs,
    Kind.INT: _int,
    Kind.FLOAT: _float,
    Kind.BOOL: _bool,
    Kind.DAY: _day,
    Kind.MOMENT: _moment,
    Kind.CLOCK: _clock,
    Kind.EMAIL: _email,
    Kind.PHONE: _phone,
    Kind.POINTS: _points,
}
