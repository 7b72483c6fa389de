"""Raporty: a supervisor opens this month's report on a 360 px phone, reads the figures and charts
section by section and gets the XLSX, CSV, PDF and HTML as downloads from the browser, which open
as a spreadsheet program (or a PDF reader) would."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import openpyxl
from playwright.sync_api import Download
from pypdf import PdfReader

from fieldapp.i18n.format import format_date
from fieldapp.services import actions, contacts, visits, zones
from fieldapp.services.cooperation import create_meeting
from fieldapp.store import Store
from fieldapp.ui.reports import month_period
from tests.e2e.harness import AppServer, Phone

KNOCKS = [("talked", 4), ("not_home", 2), ("refused", 1)]


def prefill_store(store: Store) -> None:
    zone = zones.create_zone(store, {"name": "Stare Polesie", "kind": "sas"})
    number = 0
    for outcome, count in KNOCKS:
        for _ in range(count):
            number += 1
            visits.log_visit(
                store, outcome=outcome, street="Więckowskiego", house_number=str(number), zone_id=zone.id
            )
    other = zones.create_zone(store, {"name": "Księży Młyn", "kind": "quarter"})
    for number in (1, 2):
        visits.log_visit(
            store, outcome="not_home", street="Tymienieckiego", house_number=str(number), zone_id=other.id
        )
    actions.create_action(
        store, {"title": "Festyn sąsiedzki", "zone_id": zone.id, "grant_requested_gr": 312_550}
    )
    # Reported with nobody named as its organiser: it still counts among who carried out actions.
    done = actions.create_action(
        store,
        {
            "title": "Sprzątanie",
            "zone_id": zone.id,
            "starts_on": date.today(),
            "participants": 12,
            "report": "Posprzątane",
        },
    )
    for status in ("planned", "done", "reported"):
        actions.advance_action(store, done.id, status)
    contacts.create_contact(
        store,
        {"kind": "resident", "name": "Renata Pomocna", "zone_id": zone.id},
        {
            "status": "given",
            "method": "oral",
            "scope_contact": True,
            "scope_store": True,
            "adult": True,
            "clause_version": "teren-2026.1",
            "recorded_by": "Ola",
        },
    )
    create_meeting(
        store,
        {
            "topic": "Konsultacje parku",
            "kind": "consultation",
            "held_on": date.today(),
            "zone_id": zone.id,
            "anonymous_count": 9,
            "outcome": "Ławki przy placu zabaw",
        },
    )


def saved(download: Download, folder: Path) -> Path:
    """The downloaded file, kept under the name the browser offered."""
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_reports_show_this_month_and_download_xlsx_and_csv(
    app: AppServer, phone: Phone, tmp_path: Path
) -> None:
    phone.page.set_viewport_size({"width": 360, "height": 800})  # a small phone: the charts still read
    phone.tap_tab("Więcej")
    phone.tap("Raporty dla koordynatora")
    phone.see("Wizyty (pukanie do drzwi)")
    phone.see("Rozmowa: 4")
    phone.see("Nikogo nie ma: 4")
    phone.see(re.compile(r"3\s125,50"))  # micro-grant requested, in złoty

    # Only Stare Polesie: Księży Młyn's two knocks leave the figures.
    phone.tap("Księży Młyn", role="checkbox")
    phone.see("Nikogo nie ma: 2")
    phone.see("Rozmowa: 4")
    phone.see("Nie wskazano realizatora")

    with phone.page.expect_download() as xlsx_download:
        phone.tap("Pobierz XLSX")
    start, end = month_period("this_month", date.today())
    name = f"raport_{format_date(start, 'pl')}-{format_date(end, 'pl')}"
    assert xlsx_download.value.suggested_filename == f"{name}.xlsx"
    book = openpyxl.load_workbook(saved(xlsx_download.value, tmp_path))
    assert book.sheetnames == [
        "Podsumowanie", "Strefy", "Współpraca", "Ludzie", "Diagnoza", "Program",
        "Miejsca aktywności", "Animacja OWES", "Kto brał udział", "Porównanie",
    ]
    summary = {row[0]: row[1] for row in book["Podsumowanie"].iter_rows(values_only=True)}
    assert summary["Wizyty (pukanie do drzwi)"] == 7
    assert summary["Mikrogranty — wnioskowana kwota (zł)"] == 3125.5
    zone_row = next(r for r in book["Strefy"].iter_rows() if r[0].value == "Stare Polesie")
    assert [c.value for c in zone_row[2:6]] == [7, 7, 100.0, 7] and zone_row[4].number_format == "0.0"
    consultation = next(r for r in book["Współpraca"].iter_rows() if r[1].value == "Konsultacje parku")
    assert consultation[0].is_date and consultation[0].value.date() == date.today()
    assert consultation[2].value == "Ławki przy placu zabaw"
    phone.see(f"Plik gotowy: {name}.xlsx")

    with phone.page.expect_download() as csv_download:
        phone.tap("Pobierz CSV")
    assert csv_download.value.suggested_filename == f"{name}.csv"
    data = saved(csv_download.value, tmp_path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert ["Rozmowa", "4"] in rows and ["Nikogo nie ma", "2"] in rows and ["Odmowa", "1"] in rows
    assert ["Wizyty (pukanie do drzwi)", "7"] in rows
    assert ["Mikrogranty — wnioskowana kwota (zł)", "3125,50"] in rows
    assert next(r for r in rows if r and r[0] == "Stare Polesie")[:7] == [
        "Stare Polesie",
        "Działania",
        "7",
        "7",
        "100,0",
        "7",
        "4",
    ]
    assert not any(row and row[0] == "Księży Młyn" for row in rows)

    with phone.page.expect_download() as pdf_download:
        phone.tap("Pobierz PDF")
    assert pdf_download.value.suggested_filename == f"{name}.pdf"
    pdf = PdfReader(saved(pdf_download.value, tmp_path))
    text = "\n".join(page.extract_text() for page in pdf.pages).replace("\u00a0", " ")
    assert "Stare Polesie" in text and "3 125,50" in text and "Konsultacje parku" in text

    # Custom dates with nothing in them: the figures drop to zero.
    phone.tap("Własne daty")
    phone.fill("Od dnia", "1.01.2020")
    phone.fill("Do dnia", "31.01.2020")
    phone.tap("Pokaż raport")
    phone.see("Okres: 01.01.2020 – 31.01.2020")
    phone.not_see("Rozmowa: 4")
    with phone.page.expect_download() as html_download:
        phone.tap("Pobierz do druku (HTML)")
    assert html_download.value.suggested_filename == "raport_01.01.2020-31.01.2020.html"
    page = saved(html_download.value, tmp_path).read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in page and "Okres: 01.01.2020 – 31.01.2020" in page
    assert app.errors_logged() == []


def test_a_training_session_and_volunteering_hours_reach_the_report(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Strefa")
    phone.tap("Sieć współpracy")
    phone.tap("Spotkania")
    phone.tap("Nowe spotkanie")
    phone.fill("Temat", "Szkolenie z pisania wniosków")
    phone.choose("Rodzaj: Forum sąsiedzkie", "Szkolenie")
    phone.fill("Czas trwania (godziny)", "1,5")
    phone.fill("Nazwa nowego cyklu (jeśli zaczynasz cykl)", "Szkoła liderów")
    phone.tap("Zapisz")
    phone.see("Godziny: 1,50")
    phone.type("Dodaj uczestnika (szukaj)", "Renata")
    phone.tap("Renata Pomocna")
    phone.see("Na liście: Renata Pomocna")

    phone.tap("Renata Pomocna")
    phone.tap("Wolontariat")
    phone.fill("Czym się zajmuje", "Kącik czytelniczy")
    phone.tap("Dodaj rolę wolontariusza")
    phone.see("Zapisano wolontariat")
    phone.fill("Godziny", "2")
    phone.tap("Zapisz")
    phone.see(re.compile(r"godziny razem: 2,00"))

    phone.open(app.url + "/more/reports")
    phone.see("Szkoła liderów")
    phone.see(re.compile(r"Spotkania: 1 · Godziny: 1,50 · Obecności: 1"))
    phone.see(re.compile(r"Wolontariusze i wolontariuszki: 1 · Godziny: 2,00"))
    assert app.errors_logged() == []
