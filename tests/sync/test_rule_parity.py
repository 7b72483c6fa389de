"""The two ends hold a field to the same rule: the device's parser (``fieldapp.services.validation``,
from the model's declaration) and the service's compiled check (``sync.server.checks``) accept and
refuse the same values with the same codes, for every field kind.

Values are drawn in the wire form a device sends (JSON's types: text, numbers, booleans, ISO dates,
lists), as stored by the app: text already trimmed (the device trims what is typed), datetimes with
an offset. Only where the device coerces typed input (``"5"`` for a number, a naive time in the
phone's zone) may the two differ, and those values are not drawn here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.model.fields import CODE_PATTERN, FOLLOW_UP_DAYS, Kind, Refused, rule_of
from fieldapp.model.registry import RECORD_TYPES, to_wire
from fieldapp.services.validation import field_parser
from sync.server.checks import field_check

FIELDS = [(model, name) for model in RECORD_TYPES.values() for name in model.data_fields()]
#: Characters that make text interesting: controls (C0, C1, DEL), line breaks, tabs, NUL, a lone
#: surrogate, non-breaking and zero-width spaces, Polish letters.
ODD = "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x85\x9f\xa0\u200b\u2028\ud800ąęłóśżźćńĄŁŻ"
TEXT = st.text(st.one_of(st.sampled_from(ODD), st.characters(codec="utf-8")), max_size=30)
#: Fixed for the run: a strategy must draw alike each time hypothesis replays an example.
NOW = datetime.now().replace(second=0, microsecond=0)
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-11, minutes=-30))])


def _text(rule: Any) -> st.SearchStrategy[str]:
    longest = rule.max_length or 50
    near_limit = st.builds(
        lambda c, n: c * n, st.sampled_from("aż\n\x1b"), st.integers(longest - 2, longest + 2)
    )
    kind_shaped = {
        Kind.CLOCK: st.from_regex(r"\d{1,2}:\d{2}", fullmatch=True),
        Kind.EMAIL: st.from_regex(r"[a-z.@ ]{1,12}", fullmatch=True),
        Kind.PHONE: st.from_regex(r"\+?[0-9 ()x-]{0,14}", fullmatch=True),
    }.get(rule.kind, st.nothing())
    return st.one_of(TEXT, near_limit, kind_shaped, st.just(""))


def _number(rule: Any) -> st.SearchStrategy[Any]:
    low = -1e6 if rule.ge is None else rule.ge
    high = 1e6 if rule.le is None else rule.le
    edges = st.sampled_from([low, high, low - 1, high + 1, 0, -0.5, 2**63, -(2**70)])
    return st.one_of(
        st.integers(int(low) - 5, int(high) + 5), st.floats(allow_nan=True, allow_infinity=True), edges
    )


def _day(rule: Any) -> st.SearchStrategy[str]:
    near = NOW.date() + timedelta(days=FOLLOW_UP_DAYS)
    days = st.one_of(
        st.dates(date(1990, 1, 1), date(2110, 12, 31)),
        st.dates(near - timedelta(days=3), near + timedelta(days=3)),
    )
    odd = st.sampled_from(["2026-02-30", "26-01-01", "20261123", "jutro"])
    return st.one_of(days.map(date.isoformat), odd)


def _moment(rule: Any) -> st.SearchStrategy[str]:
    moments = st.one_of(
        st.datetimes(datetime(1990, 1, 1), datetime(2110, 1, 1), timezones=ZONES),
        st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31), timezones=ZONES),
        st.datetimes(NOW - timedelta(days=3), NOW + timedelta(days=3), timezones=ZONES),
    )
    odd = st.sampled_from(["2026-13-01 00:00:00+00:00"])
    return st.one_of(moments.map(lambda m: m.isoformat(sep=" ")), odd)


def values(rule: Any) -> st.SearchStrategy[Any]:
    """Wire values of the rule's kind: valid ones, and ones just outside each limit."""
    kind = rule.kind
    if kind in (Kind.TEXT, Kind.CLOCK, Kind.EMAIL, Kind.PHONE):
        drawn = _text(rule)
    elif kind is Kind.CODE:
        near_codes = st.from_regex(r"[a-zA-Z0-9_ !]{0,42}", fullmatch=True)
        drawn = st.one_of(st.from_regex(CODE_PATTERN, fullmatch=True), near_codes)
    elif kind is Kind.CHOICE:
        drawn = st.one_of(st.sampled_from(rule.values), TEXT)
    elif kind is Kind.CHOICES:
        drawn = st.lists(st.one_of(st.sampled_from(rule.values), TEXT), max_size=4)
    elif kind is Kind.REF:
        drawn = st.one_of(st.uuids().map(str), TEXT, st.text("ab", min_size=35, max_size=38))
    elif kind is Kind.REFS:
        drawn = st.lists(st.one_of(st.uuids().map(str), TEXT), max_size=4)
    elif kind in (Kind.INT, Kind.FLOAT):
        drawn = _number(rule)
    elif kind is Kind.BOOL:
        drawn = st.booleans()
    elif kind is Kind.DAY:
        drawn = _day(rule)
    elif kind is Kind.MOMENT:
        drawn = _moment(rule)
    else:  # Kind.POINTS
        point = st.lists(st.floats(-200, 200), min_size=2, max_size=2)
        drawn = st.lists(point, max_size=5)
    return st.one_of(st.none(), drawn) if rule.optional else drawn


def _answer(check: Any, value: Any) -> tuple[str, Any]:
    try:
        return "took", check(value)
    except Refused as refused:
        return refused.code, None


def _trimmed(value: Any) -> bool:
    """As the app stores it: the device trims typed text before its rules see it."""
    if isinstance(value, str):
        return value == value.strip()
    if isinstance(value, list):
        return all(_trimmed(v) for v in value)
    return True


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=[f"{m.record_type}.{n}" for m, n in FIELDS])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_device_and_the_service_agree(model: Any, name: str, data: st.DataObject) -> None:
    rule = rule_of(model, name)
    value = data.draw(values(rule).filter(_trimmed), label=name)
    device, stored = _answer(field_parser(model, name), value)
    service, wire = _answer(field_check(model, name), value)
    assert device == service, (value, device, service)
    if device == "took" and value not in (None, "", []) and rule.kind is not Kind.MOMENT:
        assert _same(to_wire(stored), wire), (value, stored, wire)


def _same(device: Any, service: Any) -> bool:
    """The same value; the device keeps a list's items once (in its vocabulary's order)."""
    if isinstance(service, list):
        return set(map(repr, device)) == set(map(repr, service))
    return device == service
