"""The service's field checks (``sync.server.checks``, from the model's rules) against pydantic's
answers for the same field types and constraints (length, range): wherever a check takes a value,
pydantic takes it too and stores the same wire form. The checks are stricter in two ways only: they
take JSON's own types (no ``"5"`` for a number, no ``1`` for true), which is all a device sends, and
they hold the rules pydantic's constraints cannot say (``fieldapp.model.fields``: vocabularies,
codes, date windows, control characters)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

import pytest
from pydantic import TypeAdapter, ValidationError

from fieldapp.model.fields import EARLIEST, Refused, rule_of
from fieldapp.model.registry import RECORD_TYPES, from_wire, to_wire
from sync.server.checks import (
    _checked_one_by_one,
    checked_values,
    field_check,
    record_checks,
    record_values,
    storable,
)

#: Codes of the rules pydantic's constraints do not hold (the models' markers and windows).
CUSTOM_CODES = {
    "invalid_text", "invalid_code", "invalid_choice", "unknown_record", "date_out_of_range",
    "date_in_future", "date_too_far", "invalid_time", "invalid_email", "invalid_phone",
    "geo_position_invalid", "invalid_date",
}

SAMPLES: list[Any] = [
    None, "", "tekst", "Zażółć gęślą jaźń", "x\x00y", 0, 1, -5, 2**63, -(2**63), 1.5, 1.0,
    float("nan"), float("inf"), True, False, "2026-11-23", "2026-11-23T06:00:00",
    "2026-11-23T06:00:00+02:00", "2026-11-23 06:00:00.000000", "23.11.2026", "5", "true",
    "2026-11-23 06:00:00+00:00", "2026-11-23T06:00:00+00:00", "2026-11-23 06:00:00.5+00:00",
    [], ["a", "b"], ["a\x00"], [1], [[51.75, 19.45], [51.76, 19.46]], [[1.0, float("nan")]], {"a": 1},
]
FIELDS = [(model, name) for model in RECORD_TYPES.values() for name in model.data_fields()]


def _outcome(check: Any, value: Any) -> tuple[bool, Any]:
    try:
        return True, check(value)
    except (TypeError, ValueError):
        return False, None


def _pydantic(model: Any, name: str) -> Any:
    """pydantic's check of the field's type and constraints, answering in wire form."""
    info = model.model_fields[name]
    constrained = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    adapter: TypeAdapter[Any] = TypeAdapter(constrained)

    def check(value: Any) -> Any:
        try:
            return to_wire(adapter.validate_python(from_wire(model, name, value)))
        except ValidationError as exc:
            raise ValueError(str(exc)) from exc

    return check


def _refused_code(check: Any, value: Any) -> str | None:
    try:
        check(value)
    except Refused as exc:
        return exc.code
    return None


def _coerced_across_types(value: Any, stored: Any) -> bool:
    """pydantic's lax mode turned one JSON type into another (``"5"`` → 5, ``1.0`` → true), which
    a device never needs."""
    return type(value) is not type(stored)


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=[f"{m.record_type}.{n}" for m, n in FIELDS])
def test_checks_agree_with_pydantic(model: Any, name: str) -> None:
    direct, reference = field_check(model, name), _pydantic(model, name)
    for value in [*SAMPLES, *rule_of(model, name).values]:
        took, stored = _outcome(direct, value)
        ref_took, ref_stored = _outcome(reference, value)
        if took:
            assert ref_took and stored == ref_stored and type(stored) is type(ref_stored), (name, value)
            assert storable(stored)
        elif ref_took:
            custom = _refused_code(direct, value) in CUSTOM_CODES
            assert custom or _coerced_across_types(value, ref_stored), (name, value, ref_stored)


def test_every_writable_field_has_a_check() -> None:
    for model in RECORD_TYPES.values():
        assert set(record_checks(model)) == {*model.data_fields(), "deleted"}


def test_nothing_unstorable_passes() -> None:
    for model, name in FIELDS:
        for value in (float("nan"), float("inf"), "a\x00b", 2**64, [float("-inf")]):
            took, stored = _outcome(field_check(model, name), value)
            assert not took or storable(stored), (name, value)


def _stored_form(model: Any, name: str) -> Any:
    """A sample the field's check keeps as it is (a value in its stored form)."""
    check = record_checks(model)[name]
    for value in [*(rule_of(model, name).values if name != "deleted" else ()), *SAMPLES]:
        took, stored = _outcome(check, value)
        if took and stored == value and type(stored) is type(value):
            return value
    raise AssertionError(f"no stored-form sample for {model.record_type}.{name}")


def _pushed_fields(model: Any) -> Iterator[dict[str, Any]]:
    """A whole record in stored form, then that record with one field changed to each sample, left
    out, or joined by a field the service does not know; also in reverse order."""
    whole = {name: _stored_form(model, name) for name in record_checks(model)}
    yield whole
    yield dict(reversed(whole.items()))
    yield {**whole, "from_a_newer_app": "x"}
    for name in whole:
        yield {key: value for key, value in whole.items() if key != name}
        for value in SAMPLES:
            yield {**whole, name: value}
        for value in ("a\x0bb", "x" * 10_001, -1, 10**12, 91.0, "0999-01-01", "9999-12-31T00:00:00+00:00"):
            yield {**whole, name: value}


@pytest.mark.parametrize("model", RECORD_TYPES.values(), ids=list(RECORD_TYPES))
def test_generated_record_check_answers_as_the_field_checks(model: Any) -> None:
    generated, checks = record_values(model), record_checks(model)
    answered = 0
    for fields in _pushed_fields(model):
        expected = _checked_one_by_one(checks, fields)
        values = generated(fields)
        if values is not None:
            answered += 1
            assert not expected[1], fields  # never takes what a check refuses
            assert list(values.items()) == list(expected[0].items()), fields  # same order too
            assert [type(v) for v in values.values()] == [type(v) for v in expected[0].values()]
            assert values is not fields
        assert checked_values(model, fields) == expected
    assert generated({name: _stored_form(model, name) for name in checks}) is not None
    assert answered > len(checks)  # the generated path answers the common case itself


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-23 06:00:00+00:00", "2026-11-23T23:59:59+00:00", "0001-01-01 00:00:00+00:00",
        "2024-02-29 12:00:00+00:00", "2026-02-29 12:00:00+00:00", "2026-11-23 24:00:00+00:00",
        "2026-11-23 06:00:60+00:00", "2026-W47-1 06:00:00+00:00", "20261123T060000+00:00",
        "2026-11-23 06:00:00-00:00", "2026-11-23 06:00:00+00:01", "2026-11-23x06:00:00+00:00",
        "2026-11-23 06:00+00:00:00", "2026-11-2306:00:00+00:00 ",
    ],
)
def test_a_datetime_in_a_device_s_form_is_checked_as_any_other(value: str) -> None:
    """``_moment``'s shortcut for ``YYYY-MM-DD HH:MM:SS+00:00`` answers as ``isoformat`` does."""
    moment = field_check(RECORD_TYPES["visit"], "visited_at")
    try:
        parsed = datetime.fromisoformat(value)
        expected: Any = parsed.isoformat() if parsed >= EARLIEST else ValueError  # the window
    except ValueError:
        expected = ValueError
    assert _outcome(moment, value) == ((True, expected) if expected is not ValueError else (False, None))


def test_generated_check_takes_a_device_s_visit() -> None:
    """A visit as the app sends it (every field): its ``visited_at`` is converted (to the ``T``
    form) on the generated path, not left to the loop."""
    visit = RECORD_TYPES["visit"]
    fields = {
        "contact_id": "c1", "zone_id": None, "address": "", "street": "Zielona", "house_number": "2",
        "flat": "", "visited_at": "2026-11-17 19:37:33+00:00", "lat": 51.75, "lon": 19.45,
        "accuracy_m": None, "outcome": "talked", "notes": "", "next_step": "", "follow_up_on": None,
        "animator_id": "u1", "deleted": False,
    }
    assert record_values(visit)(fields) == {**fields, "visited_at": "2026-11-17T19:37:33+00:00"}
