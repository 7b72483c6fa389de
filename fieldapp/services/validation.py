"""Input parsing and record look-ups shared by every service.

A service describes its input as ``{field: parser}``; ``parse`` runs every parser, collects all
problems in one ``Errors`` (codes such as ``required``, texts ``error.<code>``) and returns clean
values — so nothing is written unless the whole input is valid. A service family may namespace its
codes with ``prefix`` (the network services use ``network.required`` …).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import select

from fieldapp.errors import Errors, NotFound
from fieldapp.model import Contact, SyncedRecord, utcnow
from fieldapp.store import Store

R = TypeVar("R", bound=SyncedRecord)
Parser = Callable[[Any], Any]
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s\-()/.]+$")
#: Long free texts (notes, reports) are capped so one field cannot fill a phone.
LONG_TEXT = 10_000
#: Moments before this are typing mistakes, not field work.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
#: A moment this far ahead of the device clock is a mistake (a phone's clock may be a little off).
FUTURE_SLACK = timedelta(days=1)


class Invalid(ValueError):
    """A parser's verdict on one value: the error code and its message parameters."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def _code(prefix: str, code: str) -> str:
    return f"{prefix}.{code}" if prefix else code


# -- parsers ------------------------------------------------------------------------------------


def text(max_length: int | None = LONG_TEXT, *, required: bool = False) -> Parser:
    def parse(value: Any) -> str:
        value = "" if value is None else str(value).strip()
        if required and not value:
            raise Invalid("required")
        if max_length is not None and len(value) > max_length:
            raise Invalid("too_long", max=max_length)
        if "\x00" in value:
            raise Invalid("invalid_text")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates cannot be stored or synced
            raise Invalid("invalid_text") from None
        return value

    return parse


def choice(allowed: Iterable[str]) -> Parser:
    options = tuple(str(a) for a in allowed)

    def parse(value: Any) -> str:
        if value not in options:
            raise Invalid("invalid_choice", value=value, allowed=", ".join(options))
        return str(value)

    return parse


def choices(allowed: Iterable[str]) -> Parser:
    """A list of distinct values from ``allowed`` (kept in the vocabulary's order)."""
    options = tuple(str(a) for a in allowed)

    def parse(value: Any) -> list[str]:
        values = [value] if isinstance(value, str) else list(value or [])
        unknown = [v for v in values if v not in options]
        if unknown:
            raise Invalid("invalid_choice", value=", ".join(map(str, unknown)), allowed=", ".join(options))
        return [option for option in options if option in values]

    return parse


def day(*, required: bool = False) -> Parser:
    """A calendar date, given as ``date`` or ``"YYYY-MM-DD"``."""

    def parse(value: Any) -> date | None:
        if value in (None, ""):
            if required:
                raise Invalid("required")
            return None
        if isinstance(value, datetime):
            value = value.date()
        elif not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value).strip())
            except ValueError:
                raise Invalid("invalid_date", value=value) from None
        if not EARLIEST.date() <= value <= date(2100, 12, 31):
            raise Invalid("date_out_of_range", value=value.isoformat())
        return value

    return parse


def moment(*, default_now: bool = False) -> Parser:
    """A point in time (aware ``datetime`` or ISO text); naive values are the device's local time."""

    def parse(value: Any) -> datetime | None:
        if value in (None, ""):
            return utcnow() if default_now else None
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
        if value < EARLIEST:
            raise Invalid("date_out_of_range", value=value.date().isoformat())
        if value > utcnow() + FUTURE_SLACK:
            raise Invalid("date_in_future", value=value.date().isoformat())
        return value

    return parse


def clock_time(value: Any) -> str:
    value = "" if value is None else str(value).strip()
    if value and not _TIME.match(value):
        raise Invalid("invalid_time", value=value)
    return value


def count(value: Any) -> int:
    """A whole number ≥ 0 (people, participants, grosze)."""
    if isinstance(value, bool):
        raise Invalid("invalid_number", value=value)
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise Invalid("invalid_number", value=value) from None
    try:
        exact = number == float(value)
    except (TypeError, ValueError, OverflowError):
        exact = False
    if number < 0 or not exact or number > 2**53:
        raise Invalid("invalid_number", value=value)
    return number


def optional_count(value: Any) -> int | None:
    return None if value in (None, "") else count(value)


def at_least_one(value: Any) -> int:
    number = count(value)
    if number < 1:
        raise Invalid("invalid_number", value=value)
    return number


def number(low: float, high: float) -> Parser:
    """An optional finite number within ``[low, high]``."""

    def parse(value: Any) -> float | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            raise Invalid("invalid_number", value=value)
        try:
            result = float(value)
        except (TypeError, ValueError, OverflowError):
            raise Invalid("invalid_number", value=value) from None
        if not math.isfinite(result) or not low <= result <= high:
            raise Invalid("number_out_of_range", value=value, min=low, max=high)
        return result

    return parse


latitude = number(-90.0, 90.0)
longitude = number(-180.0, 180.0)


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("invalid_choice", value=value, allowed="true, false")
    return value


def optional_id(value: Any) -> str | None:
    if value in (None, ""):
        return None
    value = str(value)
    if len(value) > 36:
        raise Invalid("unknown_record", record_type="")
    return value


def id_list(value: Any) -> list[str]:
    """Distinct record ids, in the order given."""
    values = [value] if isinstance(value, str) else list(value or [])
    if not all(isinstance(v, str) and 0 < len(v) <= 36 for v in values):
        raise Invalid("unknown_record", record_type="")
    return list(dict.fromkeys(values))


def email(value: Any) -> str:
    value = text(200)(value)
    if value and not _EMAIL.match(value):
        raise Invalid("invalid_email", value=value)
    return value


def phone(value: Any) -> str:
    value = text(40)(value)
    if value and (not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 6):
        raise Invalid("invalid_phone", value=value)
    return value


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


Check = Callable[[Any, Any, dict[str, Any], Errors], None]


def update_record(
    store: Store,
    model: type[R],
    record_id: str,
    changes: dict[str, Any],
    parsers: dict[str, Parser],
    check: Check | None = None,
    after: Callable[[Any, R], Any] | None = None,
) -> R:
    """Validate ``changes``, apply them and write the fields that changed, in one transaction.

    ``check(session, record, clean, errors)`` adds the rules across fields, seeing the record with
    the changes applied; any problem raises ``ValidationFailed`` before anything is written.
    ``after(conn, record)`` runs in the same transaction once changes were written (e.g. a returned
    entry's review becomes "corrected").
    """
    record = get_live(store, model, record_id)
    errors = Errors()
    clean = parse(changes, parsers, errors)
    errors.raise_if_any()
    changed = apply_changes(record, clean)
    if check is not None:
        with store.read() as session:
            check(session, record, clean, errors)
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
