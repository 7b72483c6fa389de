"""Input parsing and record look-ups shared by the network services.

A service describes its input as ``{field: parser}``; ``parse`` runs every parser, collects all
problems in one ``ValidationFailed`` (codes ``network.*``, texts ``error.network.*``) and returns
clean values — so nothing is written unless the whole input is valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from sqlmodel import select

from fieldapp.model import Contact, SyncedRecord
from fieldapp.services.errors import Errors, NotFound
from fieldapp.store import Store

R = TypeVar("R", bound=SyncedRecord)
Parser = Callable[[Any], Any]
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Invalid(ValueError):
    """A parser's verdict on one value: the error code and its message parameters."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def text(max_length: int | None = None, *, required: bool = False) -> Parser:
    def parse(value: Any) -> str:
        value = "" if value is None else str(value).strip()
        if required and not value:
            raise Invalid("network.required")
        if max_length is not None and len(value) > max_length:
            raise Invalid("network.too_long", max=max_length)
        return value

    return parse


def choice(allowed: Iterable[str]) -> Parser:
    options = tuple(str(a) for a in allowed)

    def parse(value: Any) -> str:
        if value not in options:
            raise Invalid("network.invalid_choice", value=value, allowed=", ".join(options))
        return str(value)

    return parse


def choices(allowed: Iterable[str]) -> Parser:
    """A list of distinct values from ``allowed`` (kept in the vocabulary's order)."""
    options = tuple(str(a) for a in allowed)

    def parse(value: Any) -> list[str]:
        values = [value] if isinstance(value, str) else list(value or [])
        unknown = [v for v in values if v not in options]
        if unknown:
            raise Invalid(
                "network.invalid_choice", value=", ".join(map(str, unknown)), allowed=", ".join(options)
            )
        return [option for option in options if option in values]

    return parse


def day(*, required: bool = False) -> Parser:
    """A calendar date, given as ``date`` or ``"YYYY-MM-DD"``."""

    def parse(value: Any) -> date | None:
        if value in (None, ""):
            if required:
                raise Invalid("network.required")
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise Invalid("network.invalid_date", value=value) from None

    return parse


def clock_time(value: Any) -> str:
    value = "" if value is None else str(value).strip()
    if value and not _TIME.match(value):
        raise Invalid("network.invalid_time", value=value)
    return value


def count(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid("network.invalid_number", value=value) from None
    if number < 0 or number != float(value):
        raise Invalid("network.invalid_number", value=value)
    return number


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("network.invalid_choice", value=value, allowed="true, false")
    return value


def optional_id(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def parse(
    data: dict[str, Any],
    parsers: dict[str, Parser],
    errors: Errors,
    *,
    required: Iterable[str] = (),
) -> dict[str, Any]:
    """Clean values of ``data``; problems (unknown or missing fields too) go to ``errors``."""
    clean: dict[str, Any] = {}
    for name, value in data.items():
        parser = parsers.get(name)
        if parser is None:
            errors.add(name, "network.unknown_field", name=name)
            continue
        try:
            clean[name] = parser(value)
        except Invalid as bad:
            errors.add(name, bad.code, **bad.params)
    for name in required:
        if name not in data:
            errors.add(name, "network.required")
    return clean


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
    session: Any, model: type[SyncedRecord], record_id: str | None, field: str, errors: Errors
) -> Any:
    """Add an error unless ``record_id`` (when given) names a live record; return the record."""
    record = live(session, model, record_id)
    if record_id and record is None:
        errors.add(field, "network.unknown_record", record_type=model.record_type)
    return record


def live_contact(session: Any, contact_id: str | None, field: str, errors: Errors) -> Contact | None:
    """A live contact that was not erased; an error otherwise."""
    contact = live(session, Contact, contact_id)
    if contact is None or contact.erased_at is not None:
        errors.add(field, "network.unknown_contact")
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
