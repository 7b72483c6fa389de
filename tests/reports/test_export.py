"""Exports opened as a spreadsheet program or a browser would: the Polish CSV with ``;`` and decimal
commas (plain CSV as an option), the XLSX with a sheet per section, real numbers and dates, Polish
number formats and native charts, the HTML escaped and self-contained."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from fieldapp.reports import Report, build_report
from fieldapp.reports.comparison import Change, Comparison
from fieldapp.reports.cooperation import Cooperation, GroupRow, MeetingKindRow, PartnershipRow, TrainingRow
from fieldapp.reports.diagnosis import Diagnoses, NeedRank
from fieldapp.reports.export import render, to_csv, to_html, to_xlsx
from fieldapp.reports.people import People, ZonePeople
from fieldapp.reports.sections import SECTIONS
from fieldapp.reports.summary import CarriedBy, Summary
from fieldapp.reports.zones import ZoneFigures, Zones
from fieldapp.store import Store

SHEETS = ["Podsumowanie", "Strefy", "Współpraca", "Ludzie", "Diagnoza", "Porównanie"]


@pytest.fixture
def report() -> Report:
    figures = {
        "summary": Summary(
            visits=17,
            knocks_by_outcome={"talked": 9, "not_home": 7, "leaflet": 1},
            contacts_by_kind={"resident": 6, "ngo": 2},
            active_leaders=3,
            leaders_by_activity={"door": 2, "meeting": 1, "action": 1, "group": 0},
            actions=4,
            actions_by_status={"idea": 1, "planned": 0, "funded": 0, "done": 2, "reported": 1, "dropped": 0},
            grant_requested_gr=750_050,
            grant_granted_gr=500_000,
            grants_requested=3,
            grants_granted=2,
            action_participants=160,
            meetings=2,
            meeting_participants=31,
            carried_out_by=[
                CarriedBy("ngo", 2, 3),
                CarriedBy("activity_group", 1, 1),
                CarriedBy("not_named", 0, 1),
            ],
        ),
        "zones": Zones(
            [
                ZoneFigures("z1", "Księży Młyn", 40, 10, 11, 5, 1, 4, 2, 1, "actions"),
                ZoneFigures("z2", "Stare Polesie", 0, 0, 6, 0, 0, 0, 0, 0, "door_to_door"),
            ]
        ),
        "cooperation": Cooperation(
            groups=[GroupRow("Ogrodnicy", "theme", "active", date(2026, 3, 4), 12, 2, True)],
            partnerships=[
                PartnershipRow("Razem dla Bałut", "norming", ("public", "civic", "business"), 4, True)
            ],
            meetings=[MeetingKindRow("forum", 1, 25, 120), MeetingKindRow("training", 2, 30, 330)],
            consultations=[(date(2026, 3, 12), "Park", "Ławki przy placu zabaw")],
            trainings=[TrainingRow("Liderzy 2026", 2, 330, 30, 10)],
        ),
        "people": People(
            [ZonePeople("Księży Młyn", 4, 1, 2, 3, 450)],
            20,
            {"none": 12, "met": 5, "meeting": 1, "action": 1, "co_organised": 0, "leads_group": 1},
            {"met": 6, "meeting": 2, "action": 1, "co_organised": 0, "leads_group": 0},
        ),
        "diagnosis": Diagnoses(needs=[NeedRank("Ławki na podwórku", 23, 2, 3), NeedRank("Zieleń", 4, 1, 1)]),
        "comparison": Comparison(date(2026, 2, 1), date(2026, 2, 28), [Change("summary", "visits", 17, 10)]),
    }
    return Report(
        date(2026, 3, 1), date(2026, 3, 31), ["z1", "z2"], ["Księży Młyn", "Stare Polesie"], SECTIONS, figures
    )


def blocks(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """CSV rows split at blank rows: table title → its rows (header first)."""
    found: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for row in [*rows, []]:
        if not row:
            if current:
                found[current[0][0]] = current[1:]
            current = []
        else:
            current.append(row)
    return found


def read_csv(data: bytes, delimiter: str = ";") -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_polish_csv_opens_in_columns_with_decimal_commas(report: Report) -> None:
    rows = read_csv(to_csv(report))
    assert rows[0] == ["Raport z pracy w terenie"]
    assert rows[1] == ["Okres: 01.03.2026 – 31.03.2026"]
    found = blocks(rows)
    assert found["Pukanie do drzwi według wyniku"] == [
        ["Wynik", "Liczba"],
        ["Rozmowa", "9"],
        ["Nikogo nie ma", "7"],
        ["leaflet", "1"],
    ]
    summary = dict(map(tuple, found["Podsumowanie"][1:]))
    assert summary["Mikrogranty — wnioskowana kwota (zł)"] == "7500,50"
    assert summary["Uczestnicy razem"] == "191"
    zones = found["Strefy: pokrycie i praca"]
    assert zones[1][:7] == ["Księży Młyn", "Działania", "40", "10", "25,0", "11", "5"]
    assert ["Ławki na podwórku", "23", "2", "3"] in found["Potrzeby — ranking we wszystkich strefach"]
    carried = found["Kto zrealizował działania"]
    assert ["Grupa Aktywności Lokalnej", "1", "1"] in carried
    assert ["Nie wskazano realizatora", "", "1"] in carried
    assert ["12.03.2026", "Park", "Ławki przy placu zabaw"] in found["Konsultacje i ich wynik"]
    assert ["Liderzy 2026", "2", "10", "5,50", "30"] in found["Szkolenia: cykle, spotkania i godziny"]
    assert ["Księży Młyn", "3", "7,50"] in found["Wolontariat"]
    assert ["Wizyty (pukanie do drzwi)", "17", "10", "7", "70,0"] in found["Porównanie z poprzednim okresem"]


def test_plain_csv_is_an_option(report: Report) -> None:
    rows = read_csv(to_csv(report, plain=True), ",")
    found = blocks(rows)
    summary = dict(map(tuple, found["Podsumowanie"][1:]))
    assert summary["Mikrogranty — wnioskowana kwota (zł)"] == "7500.50"
    assert ["2026-03-12", "Park", "Ławki przy placu zabaw"] in found["Konsultacje i ich wynik"]


def test_csv_in_english(report: Report) -> None:
    found = blocks(read_csv(to_csv(report, "en")))
    assert ["Talked", "9"] in found["Door-knocks by outcome"]
    assert ["NGO", "2", "3"] in found["Who carried out the actions"]


def sheet_rows(book: openpyxl.Workbook, name: str) -> list[tuple]:
    """The sheet's rows without the empty cells at their ends."""
    rows = []
    for row in book[name].iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if values:
            rows.append(tuple(values))
    return rows


def test_xlsx_has_a_sheet_per_section_with_numbers_dates_formats_and_charts(report: Report) -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    assert book.sheetnames == SHEETS
    summary = {r[0]: r[1] for r in sheet_rows(book, "Podsumowanie") if len(r) == 2}
    assert summary["Mikrogranty — wnioskowana kwota (zł)"] == pytest.approx(7500.50)
    assert summary["Wizyty (pukanie do drzwi)"] == 17
    assert ("Rozmowa", 9) in sheet_rows(book, "Podsumowanie")
    zones = sheet_rows(book, "Strefy")
    assert ("Księży Młyn", "Działania", 40, 10, 25.0, 11, 5, 1, 4, 2, 1) in zones
    cells = {c.value: c for row in book["Współpraca"].iter_rows() for c in row if c.value is not None}
    founded = next(c for c in cells.values() if c.is_date)
    assert founded.value.date() == date(2026, 3, 4) and founded.number_format == "dd.mm.yyyy"
    money = next(
        c for row in book["Podsumowanie"].iter_rows() for c in row if c.value == pytest.approx(7500.5)
    )
    assert money.data_type == "n" and money.number_format == "#,##0.00"
    share = next(c for row in book["Strefy"].iter_rows() for c in row if c.value == 25.0)
    assert share.number_format == "0.0"
    count = next(c for row in book["Strefy"].iter_rows() for c in row if c.value == 40)
    assert count.number_format == "#,##0"
    assert book["Podsumowanie"]["A1"].value == "Praca w okresie"
    assert len(book["Podsumowanie"]._charts) == 2 and len(book["Współpraca"]._charts) == 2
    assert openpyxl.load_workbook(io.BytesIO(to_xlsx(report, "en"))).sheetnames[1] == "Zones"


def test_html_is_self_contained_escaped_and_shows_the_figures(report: Report) -> None:
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
        "12.03.2026",
        "5,50",
    ):
        assert figure in page
    assert not re.search(r"(?i)(https?:|//[a-z]|src=|<link|@import|url\()", page)
    english = to_html(report, "en")
    assert "Door-knocks by outcome" in english and "7,500.50" in english and "2026-03-12" in english


def test_html_escapes_what_people_typed(report: Report) -> None:
    report.zone_names[0] = '<script>alert("x")</script>'
    report["zones"].zones[0] = ZoneFigures("z1", "<b onmouseover=x>Bałuty</b>", 1, 1, 1)
    page = to_html(report)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b onmouseover" not in page and "&lt;b onmouseover=x&gt;Bałuty&lt;/b&gt;" in page


def test_an_empty_report_still_exports(store: Store) -> None:
    empty = build_report(store, start=date(2026, 1, 1), end=date(2026, 1, 31), zone_ids=None)
    page = to_html(empty)
    assert "Wszystkie strefy" in page and "Brak danych w tym okresie" in page
    for fmt in ("csv", "xlsx", "html"):
        made = render(empty, fmt)
        assert made.name == f"raport_01.01.2026-31.01.2026.{fmt}" and made.data
    assert render(empty, "xlsx", "en").name == "report_2026-01-01_2026-01-31.xlsx"
    assert Decimal("0.00") == Summary().grant_granted_pln


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_made_on_the_device_with_polish_letters_and_figures(report: Report) -> None:
    made = render(report, "pdf")
    assert made.name == "raport_01.03.2026-31.03.2026.pdf" and made.media_type == "application/pdf"
    assert made.data.startswith(b"%PDF-")
    text = pdf_text(made.data)
    for figure in (
        "Raport z pracy w terenie",
        "Księży Młyn",
        "Ławki na podwórku",
        "7 500,50",
        "25,0",
        "12.03.2026",
        "Nie wskazano realizatora",
        "Wykres: pukanie do drzwi według wyniku",
    ):
        assert figure in text.replace("\u00a0", " "), figure
    assert "Door-knocks by outcome" in pdf_text(render(report, "pdf", "en").data)
