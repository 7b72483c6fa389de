"""Input parsing and record look-ups shared by every service.

A service describes its input as ``{field: parser}``; ``parse`` runs every parser, collects all
problems in one ``Errors`` (codes such as ``required``, texts ``error.<code>``) and returns clean
values — so nothing is written unless the whole input is valid. A service family may namespace its
codes with ``prefix`` (the network services use ``network.required`` …).

Parsers come from the model: ``parsers_for(Visit, "address", …)`` reads each field's declared rule
(``fieldapp.model.fields``: lengths, ranges, windows, vocabularies) and turns what a form gives —
numbers and dates typed as text, ``date`` objects, enum members — into the field's value, then asks
the rule (``fields.check``, the very check the sync service compiles) whether it holds. No limit is
written here: a service only names its fields and, where its form asks more than the model (a
required title, a narrower choice), says that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlmodel import select

from fieldapp.errors import Errors, NotFound
from fieldapp.model import Contact, SyncedRecord, utcnow
from fieldapp.model import fields as rules_
from fieldapp.model.fields import FieldRule, Kind, Refused, rule_of
from fieldapp.model.registry import to_wire
from fieldapp.model.rules import record_errors
from fieldapp.store import Store

R = TypeVar("R", bound=SyncedRecord)
Parser = Callable[[Any], Any]
#: A parser's verdict on one value: the error code and its message parameters.
Invalid = Refused
LONG_TEXT = rules_.LONG_TEXT


def _code(prefix: str, code: str) -> str:
    return f"{prefix}.{code}" if prefix else code


# -- parsers from the model's rules -------------------------------------------------------------


def _text(rule: FieldRule, value: Any, required: bool) -> str | None:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise Invalid("required")
    if not value and rule.optional:
        return None
    return rules_.check(rule, value)


def _as_str(value: Any) -> Any:
    """Enum members and other ``str`` subclasses as plain text (the rules compare types)."""
    return str(value) if isinstance(value, str) else value


def _choices(rule: FieldRule, value: Any) -> list[str]:
    values = [value] if isinstance(value, str) else list(value or [])
    rules_.check(rule, [_as_str(v) for v in values])
    return [option for option in rule.values if option in values]


def _ref(rule: FieldRule, value: Any) -> str | None:
    return None if value in (None, "") else rules_.check(rule, str(value))


def _refs(rule: FieldRule, value: Any) -> list[str]:
    """Distinct record ids, in the order given."""
    values = [value] if isinstance(value, str) else list(value or [])
    return list(dict.fromkeys(rules_.check(rule, values)))


def _int(rule: FieldRule, value: Any) -> int | None:
    """A whole number, typed or as text (people, participants, grosze)."""
    if rule.optional and value in (None, ""):
        return None
    if isinstance(value, bool):
        raise Invalid("invalid_number", value=value)
    try:
        number = int(value)
        exact = number == float(value)
    except (TypeError, ValueError, OverflowError):
        raise Invalid("invalid_number", value=value) from None
    if not exact:
        raise Invalid("invalid_number", value=value)
    return rules_.check(rule, number)


def _float(rule: FieldRule, value: Any) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise Invalid("invalid_number", value=value)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise Invalid("invalid_number", value=value) from None
    try:
        return rules_.check(rule, number)
    except Refused as bad:
        raise Invalid(bad.code, **{**bad.params, "value": value}) from None


def _day(rule: FieldRule, value: Any) -> date | None:
    """A calendar date, given as ``date`` or ``"YYYY-MM-DD"``."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    elif not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise Invalid("invalid_date", value=value) from None
    rules_.check_day(value, rule.horizon_days)
    return value


def _moment(rule: FieldRule, value: Any) -> datetime | None:
    """A point in time (aware ``datetime`` or ISO text); naive values are the device's local time.
    A required moment left empty is now."""
    if value in (None, ""):
        return None if rule.optional else utcnow()
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise Invalid("invalid_date", value=value) from None
    try:
        if value.tzinfo is None:
            value = value.astimezone()
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 east of Greenwich, 9999 west of it: no UTC time
        raise Invalid("date_out_of_range", value=value.date().isoformat()) from None
    rules_.check_moment(value)
    return value


def _points(rule: FieldRule, value: Any) -> list[list[float]] | None:
    """``[lat, lon]`` points (the shape is checked in detail by ``geo.zones.zone_shape_errors``)."""
    if value in (None, [], ""):
        return None
    try:
        points = [[float(point[0]), float(point[1])] for point in value]
    except (TypeError, ValueError, IndexError, KeyError):
        raise Invalid("geo_polygon_format") from None
    return rules_.check(rule, points)


def _as_given(rule: FieldRule, value: Any) -> Any:
    return rules_.check(rule, _as_str(value))


_BY_KIND: dict[Kind, Callable[[FieldRule, Any], Any]] = {
    Kind.CODE: _as_given,
    Kind.CHOICE: _as_given,
    Kind.BOOL: _as_given,
    Kind.CHOICES: _choices,
    Kind.REF: _ref,
    Kind.REFS: _refs,
    Kind.INT: _int,
    Kind.FLOAT: _float,
    Kind.DAY: _day,
    Kind.MOMENT: _moment,
    Kind.POINTS: _points,
}
_TEXTS = (Kind.TEXT, Kind.EMAIL, Kind.PHONE, Kind.CLOCK)


def field_parser(model: type[Any], name: str, *, required: bool = False) -> Parser:
    """The parser of ``model``'s field ``name``, from its declared rule; ``required``: a value
    left empty is refused (``required``)."""
    rule = rule_of(model, name)
    if rule.kind in _TEXTS:
        return lambda value: _text(rule, value, required)
    parse_kind = _BY_KIND[rule.kind]
    if not required:
        return lambda value: parse_kind(rule, value)

    def parse_required(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise Invalid("required")
        return parse_kind(rule, value)

    return parse_required


def parsers_for(model: type[Any], *names: str, required: Iterable[str] = ()) -> dict[str, Parser]:
    """Parsers of the fields ``names`` (every user-editable field when none are named)."""
    needed = set(required)
    return {
        name: field_parser(model, name, required=name in needed)
        for name in names or model.data_fields()
    }


def choice(allowed: Iterable[str]) -> Parser:
    """One of ``allowed``: a form that offers fewer values than the model's vocabulary."""
    options = tuple(str(a) for a in allowed)

    def parse(value: Any) -> str:
        if value not in options:
            raise Invalid("invalid_choice", value=value, allowed=", ".join(options))
        return str(value)

    return parse


# -- running the parsers ------------------------------------------------------------------------


def parse(
    data: dict[str, Any],
    parsers: dict[str, Parser],
    errors: Errors,
    *,
    required: Iterable[str] = (),
    prefix: str = "",
) -> dict[str, Any]:
    """Clean values of ``data``; problems (unknown or missing fields too) go to ``errors``."""
    clean: dict[str, Any] = {}
    for name, value in data.items():
        parser = parsers.get(name)
        if parser is None:
            errors.add(name, _code(prefix, "unknown_field"), name=name)
            continue
        try:
            clean[name] = parser(value)
        except Invalid as bad:
            errors.add(name, _code(prefix, bad.code), **bad.params)
    for name in required:
        if name not in data:
            errors.add(name, _code(prefix, "required"))
    return clean


# -- records ------------------------------------------------------------------------------------


def live(session: Any, model: type[R], record_id: str | None) -> R | None:
    """The record if it exists and is not tombstoned."""
    if not record_id:
        return None
    record = session.get(model, record_id)
    return None if record is None or record.deleted else record


def get_live(store: Store, model: type[R], record_id: str) -> R:
    """The live record, or ``NotFound``."""
    with store.read() as session:
        record = live(session, model, record_id)
    if record is None:
        raise NotFound(model.record_type, record_id)
    return record


def check_exists(
    session: Any,
    model: type[SyncedRecord],
    record_id: str | None,
    field: str,
    errors: Errors,
    *,
    prefix: str = "",
) -> Any:
    """Add an error unless ``record_id`` (when given) names a live record; return the record."""
    record = live(session, model, record_id)
    if record_id and record is None:
        errors.add(field, _code(prefix, "unknown_record"), record_type=model.record_type)
    return record


def live_contact(
    session: Any, contact_id: str | None, field: str, errors: Errors, *, prefix: str = ""
) -> Contact | None:
    """A live contact that was not erased; an error otherwise."""
    contact = live(session, Contact, contact_id)
    if contact is None or contact.erased_at is not None:
        errors.add(field, _code(prefix, "unknown_contact"))
        return None
    return contact


def live_rows(session: Any, model: type[R], *conditions: Any) -> list[R]:
    """Live rows of ``model`` matching ``conditions``, oldest first."""
    statement = select(model).where(model.deleted == False, *conditions)  # noqa: E712
    return list(session.exec(statement.order_by(model.base_hlc, model.id)).all())


def apply_changes(record: SyncedRecord, clean: dict[str, Any]) -> list[str]:
    """Set the values that differ; the names of the fields that changed."""
    changed = []
    for name, value in clean.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


def wire_of(record: SyncedRecord) -> dict[str, Any]:
    """The record's user-editable fields in wire form (as the record-level rules read them)."""
    return {name: to_wire(getattr(record, name)) for name in record.data_fields()}


def check_record(
    before: dict[str, Any] | None, record: SyncedRecord, errors: Errors, *, prefix: str = ""
) -> None:
    """Add the errors of the record kind's rules (``fieldapp.model.rules``) when ``before`` (wire
    form, None for a new record) becomes ``record``."""
    for error in record_errors(record.record_type, before, wire_of(record)):
        errors.add(error.field, _code(prefix, error.code), **error.params)


Check = Callable[[Any, Any, dict[str, Any], Errors], None]


def update_record(
    store: Store,
    model: type[R],
    record_id: str,
    changes: dict[str, Any],
    parsers: dict[str, Parser],
    check: Check | None = None,
    after: Callable[[Any, R], Any] | None = None,
    *,
    prefix: str = "",
) -> R:
    """Validate ``changes``, apply them and write the fields that changed, in one transaction.

    ``check(session, record, clean, errors)`` adds the rules across fields, seeing the record with
    the changes applied, as do the record kind's rules (``check_record``); any problem raises
    ``ValidationFailed`` before anything is written. ``after(conn, record)`` runs in the same
    transaction once changes were written (e.g. a returned entry's review becomes "corrected").
    """
    record = get_live(store, model, record_id)
    errors = Errors()
    clean = parse(changes, parsers, errors, prefix=prefix)
    errors.raise_if_any()
    before = wire_of(record)
    changed = apply_changes(record, clean)
    if check is not None:
        with store.read() as session:
            check(session, record, clean, errors)
    check_record(before, record, errors, prefix=prefix)
    errors.raise_if_any()
    if changed:
        with store.write() as conn:
            store.save(conn, record, changed)
            if after is not None:
                after(conn, record)
    return record


def delete_record(store: Store, model: type[SyncedRecord], record_id: str) -> None:
    """Tombstone a live record (the deletion syncs); ``NotFound`` if there is none."""
    record = get_live(store, model, record_id)
    with store.write() as conn:
        store.delete(conn, record)
