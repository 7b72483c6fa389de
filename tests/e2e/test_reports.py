"""Raporty: a supervisor opens the reports of this month, reads the key figures and saves a CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from fieldapp.services import actions, visits, zones
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


def test_reports_show_this_month_and_save_a_csv(app: AppServer, phone: Phone) -> None:
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

    phone.tap("Zapisz CSV")
    phone.see("Zapisano plik:")
    start, end = month_period("this_month", date.today())
    path = app.data_dir / "raporty" / f"raport_{start.isoformat()}_{end.isoformat()}.csv"
    assert path.exists()
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert ["Rozmowa", "4"] in rows and ["Nikogo nie ma", "2"] in rows and ["Odmowa", "1"] in rows
    assert ["Wizyty (pukanie do drzwi)", "7"] in rows
    assert ["Stare Polesie", "7", "7", "100.0", "7"] in rows
    assert not any(row and row[0] == "Księży Młyn" for row in rows)

    # Custom dates with nothing in them: the figures drop to zero; the XLSX is saved too.
    phone.tap("Własne daty")
    phone.fill("Od dnia", "1.01.2020")
    phone.fill("Do dnia", "31.01.2020")
    phone.tap("Pokaż raport")
    phone.see("Okres: 01.01.2020 – 31.01.2020")
    phone.not_see("Rozmowa: 4")
    phone.tap("Zapisz XLSX")
    phone.see("raport_2020-01-01_2020-01-31.xlsx")
    assert (app.data_dir / "raporty" / "raport_2020-01-01_2020-01-31.xlsx").stat().st_size > 0
    assert app.errors_logged() == []
