"""Addresses, money, dates and distances as a person reads them, in Polish and English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from fieldapp.errors import FieldError
from fieldapp.i18n import error_text, t
from fieldapp.i18n.format import (
    NBSP,
    Money,
    address_of,
    format_address,
    format_date,
    format_distance,
    format_distance_direction,
    format_money,
    format_money_figure,
    format_number,
    parse_money,
)


def spaced(text: str) -> str:
    """The text with its no-break spaces as plain ones (easier to read in an assertion)."""
    return text.replace(NBSP, " ")


# -- addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("street", "number", "flat", "line"),
    [
        ("Piotrkowska", "12", "3", "Piotrkowska 12/3"),
        ("Piotrkowska", "12", "", "Piotrkowska 12"),
        ("Piotrkowska", "12", None, "Piotrkowska 12"),
        ("Piotrkowska", "", "3", "Piotrkowska/3"),  # the flat stays with what locates it
        ("", "12", "3", "12/3"),
        ("", "", "3", ""),  # a flat alone locates nothing
        (None, None, None, ""),
        (" Piotrkowska ", " 12a ", " 3 ", "Piotrkowska 12a/3"),
        ("6 Sierpnia", "5", "", "6 Sierpnia 5"),
    ],
)
def test_address_line_from_its_parts(street, number, flat, line) -> None:
    assert format_address(street, number, flat) == line


def test_address_of_a_record_prefers_its_stored_line() -> None:
    visit = SimpleNamespace(address="Piotrkowska 12 m. 3", street="Piotrkowska", house_number="12", flat="3")
    assert address_of(visit) == "Piotrkowska 12 m. 3"
    visit.address = ""
    assert address_of(visit) == "Piotrkowska 12/3"
    door = SimpleNamespace(street="Tuwima", house_number="10")  # no flat, no stored line
    assert address_of(door) == "Tuwima 10"


# -- money --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grosze", "pl", "en"),
    [
        (150_000, "1 500,00 zł", "PLN 1,500.00"),
        (312_550, "3 125,50 zł", "PLN 3,125.50"),
        (1_234_567_89, "1 234 567,89 zł", "PLN 1,234,567.89"),
        (99, "0,99 zł", "PLN 0.99"),
        (5, "0,05 zł", "PLN 0.05"),
        (0, "0,00 zł", "PLN 0.00"),
        (-2_500, "-25,00 zł", "PLN -25.00"),
    ],
)
def test_money_in_both_languages(grosze: int, pl: str, en: str) -> None:
    assert spaced(format_money(grosze, "pl")) == pl
    assert spaced(format_money(grosze, "en")) == en


def test_money_never_breaks_a_line_inside_an_amount() -> None:
    assert format_money(150_000, "pl") == f"1{NBSP}500,00{NBSP}zł"
    assert format_money(150_000, "en") == f"PLN{NBSP}1,500.00"
    assert " " not in format_money(123_456_789, "pl") + format_money(123_456_789, "en")
    assert format_money(None, "pl") == ""


def test_a_figure_without_the_currency_reads_back_as_the_same_amount() -> None:
    assert spaced(format_money_figure(250_050, "pl")) == "2 500,50"
    assert format_money_figure(250_050, "en") == "2,500.50"
    assert format_money_figure(None, "en") == ""
    for lang in ("pl", "en"):
        for grosze in (0, 5, 150_000, 250_050, 123_456_789):
            assert parse_money(format_money_figure(grosze, lang), lang) == grosze
            assert parse_money(format_money(grosze, lang), lang) == grosze


@pytest.mark.parametrize(
    ("text", "lang", "grosze"),
    [
        ("2 500", "pl", 250_000),
        ("2500,50", "pl", 250_050),
        ("2500.50", "pl", 250_050),
        ("1.500,00", "pl", 150_000),
        ("  ", "pl", None),
        ("2,500", "en", 250_000),
        ("2500.5", "en", 250_050),
        ("0,015", "pl", 2),  # half a grosz rounds to even
    ],
)
def test_parsing_typed_amounts(text: str, lang: str, grosze: int | None) -> None:
    assert parse_money(text, lang) == grosze


@pytest.mark.parametrize("text", ["dużo", "1,2,3", "NaN", "Infinity", "2 5 0 0 zł zł x"])
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_money(text, "pl")


def test_numbers_of_a_table() -> None:
    assert spaced(format_number(Decimal("7500.5"), "pl")) == "7 500,50"
    assert format_number(Decimal("7500.5"), "en") == "7,500.50"
    assert format_number(42.25, "pl", 1) == "42,2" and format_number(42.25, "en", 1) == "42.2"


def test_money_in_a_message_follows_the_reader() -> None:
    error = FieldError("grant_granted_gr", "grant_above_request", {"granted": Money(700_000),
                                                                    "requested": Money(600_000)})
    assert spaced(error_text(error, "pl")) == "Przyznano więcej (7 000,00 zł), niż wnioskowano (6 000,00 zł)."
    assert spaced(error_text(error, "en")) == "More was granted (PLN 7,000.00) than requested (PLN 6,000.00)."
    assert spaced(str(Money(150_000))) == "1 500,00 zł"


# -- dates --------------------------------------------------------------------------------------


def test_dates_in_both_languages() -> None:
    assert format_date(date(2025, 3, 5), "pl") == "05.03.2025"
    assert format_date(date(2025, 3, 5), "en") == "2025-03-05"
    assert format_date(None, "pl") == ""


def test_date_times_are_shown_in_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Warsaw")
    import time

    time.tzset()
    try:
        moment = datetime(2025, 3, 5, 13, 30, tzinfo=UTC)  # 14:30 in Warsaw (winter time)
        assert format_date(moment, "pl") == "05.03.2025 14:30"
        assert format_date(moment, "en") == "2025-03-05 14:30"
        summer = datetime(2025, 7, 1, 22, 15, tzinfo=UTC)  # past midnight in Warsaw (summer time)
        assert format_date(summer, "pl") == "02.07.2025 00:15"
    finally:
        monkeypatch.undo()
        time.tzset()


# -- distances ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meters", "pl", "en"),
    [
        (None, "—", "—"),
        (0, "0 m", "0 m"),
        (8.4, "8 m", "8 m"),
        (19.6, "20 m", "20 m"),
        (123, "125 m", "125 m"),
        (997, "995 m", "995 m"),
        (1_234, "1,2 km", "1.2 km"),
        (12_345, "12,3 km", "12.3 km"),
        (1_234_567, "1 234,6 km", "1,234.6 km"),
    ],
)
def test_distances(meters: float | None, pl: str, en: str) -> None:
    assert spaced(format_distance(meters, "pl")) == pl
    assert spaced(format_distance(meters, "en")) == en
    if meters is not None:
        assert " " not in format_distance(meters, "pl")  # never broken between number and unit


def test_distance_with_a_direction() -> None:
    assert spaced(format_distance_direction(955, "s", "pl")) == "955 m na południe"
    assert spaced(format_distance_direction(955, "s", "en")) == spaced(
        t("geo.distance_direction", "en", distance=format_distance(955, "en"), direction=t("geo.dir.s", "en"))
    )
    assert format_distance_direction(3, "s", "pl") == "tutaj"
    assert spaced(format_distance_direction(40, None, "pl")) == "40 m"
    assert format_distance_direction(None, "s", "pl") == ""
