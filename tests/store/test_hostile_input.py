"""Hostile input on the device, through the app's services into a real SQLite store: every value gets a
clear per-field error code (shown in plain words) and nothing already stored changes. FTS5 search
syntax is covered in test_search.py; the sync service's side in tests/security/test_hostile_input.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import catalogs, errors_by_field
from fieldapp.services import contacts, visits
from fieldapp.store import Store

EAST = timezone(timedelta(hours=1))
WEST = timezone(timedelta(hours=-14))


def _contact(**fields: Any) -> Callable[[Store], Any]:
    return lambda store: contacts.create_contact(store, {"kind": "ngo", "name": "Fundacja", **fields})


def _visit(**fields: Any) -> Callable[[Store], Any]:
    return lambda store: visits.log_visit(store, **{"outcome": "talked", **fields})


CASES: list[tuple[str, Callable[[Store], Any], str, str]] = [
    ("lone high surrogate", _contact(name="Ewa \ud800"), "name", "invalid_text"),
    ("lone low surrogate", _contact(notes="a\udfffb"), "notes", "invalid_text"),
    ("NUL in a name", _contact(name="Fun\x00dacja"), "name", "invalid_text"),
    ("a 100 kB name", _contact(name="ż" * 100_000), "name", "too_long"),
    ("2 MB of notes", _contact(notes="n" * 2_000_000), "notes", "too_long"),
    ("NaN latitude", _contact(lat=float("nan")), "lat", "number_out_of_range"),
    ("+inf longitude", _visit(lat=52.0, lon=float("inf")), "lon", "number_out_of_range"),
    ("-inf latitude", _visit(lat=float("-inf"), lon=19.0), "lat", "number_out_of_range"),
    ("year 1", _visit(visited_at=datetime(1, 1, 1, tzinfo=UTC)), "visited_at", "date_out_of_range"),
    ("year 1 east of UTC, as text", _visit(visited_at="0001-01-01T00:00:00+01:00"), "visited_at",
     "date_out_of_range"),
    ("year 1 east of UTC", _visit(visited_at=datetime(1, 1, 1, tzinfo=EAST)), "visited_at",
     "date_out_of_range"),
    ("year 9999 west of UTC", _visit(visited_at=datetime(9999, 12, 31, 23, tzinfo=WEST)), "visited_at",
     "date_out_of_range"),
    ("naive year 1", _visit(visited_at="0001-01-01T00:00:00"), "visited_at", "date_out_of_range"),
    ("follow-up in year 9999", _visit(follow_up_on=date(9999, 12, 31)), "follow_up_on", "date_out_of_range"),
    ("follow-up in year 99999", _visit(follow_up_on="99999-01-01"), "follow_up_on", "invalid_date"),
    ("follow-up in year 0", _visit(follow_up_on="0000-01-01"), "follow_up_on", "invalid_date"),
]


def _state(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as conn:
        return {
            table: conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY rowid").all()
            for table in ("contact", "visit", "outbox")
        }


@pytest.fixture
def filled(store: Store) -> Store:
    """A store that already holds a contact and a visit."""
    ewa = contacts.create_contact(store, {"kind": "ngo", "name": "Ewa Nowak"})
    visits.log_visit(store, outcome="talked", contact_id=ewa.id)
    return store


@pytest.mark.parametrize(("label", "write", "field", "code"), CASES, ids=[c[0] for c in CASES])
def test_hostile_values_are_refused_by_field_and_nothing_changes(
    filled: Store, label: str, write: Callable[[Store], Any], field: str, code: str
) -> None:
    before = _state(filled)
    with pytest.raises(ValidationFailed) as failed:
        write(filled)
    assert [e.code for e in failed.value.errors if e.field == field] == [code], label
    assert all(f"error.{code}" in catalogs()[lang] for lang in ("pl", "en"))
    assert all(errors_by_field(failed.value, language)[field] for language in ("pl", "en"))
    assert _state(filled) == before
    assert [c.name for c in contacts.list_contacts(filled)] == ["Ewa Nowak"]
    assert len(visits.recent_visits(filled)) == 1
