"""Logic of the UI that needs no browser: routes, door numbers, dates, enrollment text."""

from __future__ import annotations

from datetime import date

import pytest

from fieldapp.ui import registry
from fieldapp.ui.doors import next_house_number
from fieldapp.ui.sync_screen import enrollment_text
from fieldapp.ui.widgets import parse_date


def test_every_screen_module_imports_and_registers() -> None:
    registry.load_screens()
    patterns = {spec.pattern for spec in registry.routes()}
    assert {tab.route for tab in registry.TABS} <= patterns
    assert {
        "/contacts/new",
        "/contacts/:contact_id",
        "/contacts/:contact_id/edit",
        "/doors",
        "/zone/diagnoses/:diagnosis_id",
        "/zone/actions/:action_id",
        "/more/sync",
    } <= patterns
    assert len(registry.TABS) <= 5
    # One screen per module: the map, the walk and the place settings each in their own.
    modules = {spec.pattern: spec.factory.__module__ for spec in registry.routes()}
    assert modules["/zone/map"] == "fieldapp.ui.map_screen"
    assert modules["/zone/walk"] == "fieldapp.ui.walk_screen"
    assert modules["/more/places"] == "fieldapp.ui.place_settings"


def test_literal_routes_win_over_parameters() -> None:
    spec, params = registry.match("/contacts/new")
    assert spec.pattern == "/contacts/new" and params == {}
    spec, params = registry.match("/contacts/0199-abc?from=doors")
    assert spec.pattern == "/contacts/:contact_id" and params == {"contact_id": "0199-abc"}
    assert spec.tab == "/contacts" and not spec.is_tab_root
    assert registry.match("/nowhere") is None


def test_query_params_are_decoded() -> None:
    assert registry.query_params("/doors?street=%C5%81%C4%85kowa&house_number=3") == {
        "street": "Łąkowa",
        "house_number": "3",
    }
    assert registry.query_params("/doors") == {}


def test_screens_open_under_their_tab() -> None:
    assert registry.tab_of("/zone/actions/:action_id") == "/zone"
    assert registry.tab_of("/supervisor/queue") == "/more"


@pytest.mark.parametrize(
    ("number", "step", "expected"),
    [
        ("12", 1, "13"),
        ("12", 2, "14"),
        ("12a", 1, "13"),
        ("", 1, ""),
        ("bud. A", 1, "bud. A"),
        ("3", -1, "2"),
    ],
)
def test_next_house_number(number: str, step: int, expected: str) -> None:
    assert next_house_number(number, step) == expected


def test_dates_typed_in_polish_or_iso_form() -> None:
    assert parse_date("15.06.2025") == date(2025, 6, 15)
    assert parse_date("2025-06-15") == date(2025, 6, 15)
    assert parse_date("  ") is None
    with pytest.raises(ValueError):
        parse_date("32.01.2025")
    with pytest.raises(ValueError):
        parse_date("jutro")


def test_enrollment_text_from_qr_or_code_and_server() -> None:
    qr = "teren://enroll?server=https%3A%2F%2Fteren.example.pl&code=AB12"
    assert enrollment_text(qr, "https://ignored") == qr
    assert enrollment_text(" AB12 ", "https://teren.example.pl/api") == (
        "teren://enroll?server=https%3A%2F%2Fteren.example.pl%2Fapi&code=AB12"
    )
    assert enrollment_text("AB12", "") == "AB12"
