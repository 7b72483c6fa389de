"""Exports: CSV parses back, XLSX opens with sheets and numbers, HTML shows figures and links nowhere."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from fieldapp.reports.compute import CarriedBy, NeedRank, Report, ZoneCoverage
from fieldapp.reports.export import to_csv, to_html, to_xlsx, write_report

SHEETS = [
    "Podsumowanie",
    "Pukanie do drzwi",
    "Dotarliśmy",
    "Pokrycie stref",
    "Liderzy",
    "Potrzeby",
    "Działania",
    "Realizatorzy",
]


@pytest.fixture
def report() -> Report:
    return Report(
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        zone_ids=["z1", "z2"],
        zone_names=["Księży Młyn", "Stare Polesie"],
        visits=17,
        knocks_by_outcome={"talked": 9, "not_home": 7, "leaflet": 1},
        contacts_by_kind={"resident": 6, "ngo": 2},
        coverage=[
            ZoneCoverage("z1", "Księży Młyn", 40, 10, 11),
            ZoneCoverage("z2", "Stare Polesie", 0, 0, 6),
        ],
        active_leaders=3,
        leaders_by_activity={"door": 2, "meeting": 1, "action": 1, "group": 0},
        needs=[NeedRank("Ławki na podwórku", 23, 2, 3), NeedRank("Zieleń", 4, 1, 1)],
        actions=4,
        actions_by_status={"idea": 1, "planned": 0, "funded": 0, "done": 2, "reported": 1, "dropped": 0},
        grant_requested_gr=750_050,
        grant_granted_gr=500_000,
        grants_requested=3,
        grants_granted=2,
        action_participants=160,
        meetings=2,
        meeting_participants=31,
        carried_out_by=[CarriedBy("ngo", 2, 3), CarriedBy("activity_group", 1, 1)],
    )


def sections(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """CSV rows split at blank rows: section title → its rows (header first)."""
    found: dict[str, list[list[str]]] = {}
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if not row:
            blocks.append([])
        else:
            blocks[-1].append(row)
    for block in blocks[1:]:
        found[block[0][0]] = block[1:]
    return found


def test_csv_parses_back_with_bom_and_polish_letters(report: Report) -> None:
    data = to_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Raport z pracy w terenie"]
    assert rows[1] == ["Okres: 01.03.2026 – 31.03.2026"]
    found = sections(rows)
    assert found["Pukanie do drzwi według wyniku"] == [
        ["Wynik", "Liczba"],
        ["Rozmowa", "9"],
        ["Nikogo nie ma", "7"],
        ["leaflet", "1"],
    ]
    summary = dict(map(tuple, found["Podsumowanie"][1:]))
    assert summary["Mikrogranty — wnioskowana kwota (zł)"] == "7500.50"
    assert summary["Uczestnicy razem"] == "191"
    coverage = found["Pokrycie stref"]
    assert coverage[1] == ["Księży Młyn", "40", "10", "25.0", "11"]
    assert ["Ławki na podwórku", "23", "2", "3"] in found["Potrzeby — ranking we wszystkich strefach"]
    assert ["Grupa Aktywności Lokalnej", "1", "1"] in found["Kto zrealizował działania"]


def test_csv_in_english(report: Report) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(report, "en").decode("utf-8-sig"))))
    found = sections(rows)
    assert ["Talked", "9"] in found["Door-knocks by outcome"]
    assert ["NGO", "2", "3"] in found["Who carried out the actions"]


def test_xlsx_has_a_sheet_per_table_with_numbers(report: Report) -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    assert book.sheetnames == SHEETS

    def table(name: str) -> list[tuple]:
        rows = list(book[name].iter_rows(values_only=True))
        return [r for r in rows[5:] if any(v is not None for v in r)]

    assert ("Rozmowa", 9) in table("Pukanie do drzwi")
    summary = {r[0]: r[1] for r in table("Podsumowanie")}
    assert summary["Mikrogranty — wnioskowana kwota (zł)"] == pytest.approx(7500.50)
    assert summary["Wizyty (pukanie do drzwi)"] == 17
    assert ("Księży Młyn", 40, 10, 25.0, 11) in table("Pokrycie stref")
    assert ("Stare Polesie", 0, 0, 0.0, 6) in table("Pokrycie stref")
    assert book["Potrzeby"]["A1"].value == "Potrzeby — ranking we wszystkich strefach"
    assert openpyxl.load_workbook(io.BytesIO(to_xlsx(report, "en"))).sheetnames[1] == "Door-knocks"


def test_html_is_self_contained_and_shows_the_figures(report: Report) -> None:
    page = to_html(report)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="pl">' in page
    for figure in (
        "7\u00a0500,50",
        "5\u00a0000,00",
        "Księży Młyn",
        "25,0",
        "Ławki na podwórku",
        "Rozmowa",
        "191",
    ):
        assert figure in page
    assert not re.search(r"(?i)(https?:|//[a-z]|src=|<link|@import|url\()", page)
    english = to_html(report, "en")
    assert "Door-knocks by outcome" in english and "7,500.50" in english


def test_an_empty_report_still_exports(report: Report, tmp_path: Path) -> None:
    empty = Report(date(2026, 1, 1), date(2026, 1, 31), None, [])
    assert "Brak danych w tym okresie" in to_html(empty)
    assert "Wszystkie strefy" in to_html(empty)
    for fmt in ("csv", "xlsx", "html"):
        path = write_report(empty, tmp_path / "raporty", fmt)
        assert path.name == f"raport_2026-01-01_2026-01-31.{fmt}" and path.stat().st_size > 0
    assert not list((tmp_path / "raporty").glob("*.part"))
    assert Decimal("0.00") == empty.grant_granted_pln
