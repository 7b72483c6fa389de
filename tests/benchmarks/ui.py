"""Benchmark of the field app's UI in web mode, measured in headless Chromium on a phone viewport.

    .venv/bin/python tests/benchmarks/ui.py [--quick]

- start_to_usable_s: from starting ``python -m fieldapp --web`` (a store of 50,000 contacts) to the
  home screen shown and usable in the browser (tabs and the walk card on screen), median of runs.
  The browser is already running, as a phone's web view would be.
- contact_list_ms: from the tap on "Kontakty" to the first contact rows on screen, median.
- search_result_ms: from typing a query (without diacritics) in the search field to the matching
  contact on screen, median over different queries. Includes the 150 ms typing pause the screen
  waits before searching.
- contact_list_service_ms / search_service_ms: the same two reads as plain service calls (no UI).
Prints figures as it goes; the LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from playwright.sync_api import sync_playwright

from fieldapp.services import contacts as contact_service
from fieldapp.store import Store
from tests.e2e.harness import CHROMIUM, CHROMIUM_FLAGS, PHONE, AppServer, Phone
from tests.e2e.sample import bulk_contacts, bulk_zones

CONTACTS = 50_000
#: Contacts with names that only one query finds: (name as stored, query typed without diacritics).
TARGETS = [
    ("Bogumiła Źdźbło-Świątek", "zdzblo swiatek"),
    ("Grzegorz Łęcki-Żurawski", "lecki zuraw"),
    ("Hieronim Ćwikła", "cwikla hier"),
    ("Jadwiga Ślązak-Pęcherz", "slazak pecherz"),
    ("Mściwój Gałązka", "msciwoj galazka"),
]


def fill(path: Path, count: int) -> None:
    store = Store(path)
    try:
        zones = bulk_zones(store, ["Stare Polesie", "Księży Młyn", "Bałuty Centrum"])
        started = time.perf_counter()
        bulk_contacts(store, count - len(TARGETS), zone_ids=zones)
        from fieldapp.model import Contact

        with store.write() as conn:
            for name, _query in TARGETS:
                store.save(conn, Contact(kind="resident", name=name, address="Zielona 5", zone_id=zones[0]))
        print(f"filled {count} contacts in {time.perf_counter() - started:.1f} s")
    finally:
        store.close()


def service_timings(path: Path, repeats: int) -> tuple[float, float]:
    store = Store(path)
    try:
        list_runs, search_runs = [], []
        for i in range(repeats):
            start = time.perf_counter()
            found = contact_service.list_contacts(store, limit=50)
            list_runs.append((time.perf_counter() - start) * 1000)
            assert len(found) == 50
            name, query = TARGETS[i % len(TARGETS)]
            start = time.perf_counter()
            hits = contact_service.search_contacts(store, query, limit=50)
            search_runs.append((time.perf_counter() - start) * 1000)
            assert hits and hits[0].name == name, (query, [h.name for h in hits[:3]])
        return statistics.median(list_runs), statistics.median(search_runs)
    finally:
        store.close()


def start_to_usable(browser, data_dir: Path) -> tuple[float, AppServer, Phone]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    server = AppServer(data_dir)
    started = time.perf_counter()
    server.start()
    phone = Phone(page).open(server.url + "/")
    phone.see("Obchód", timeout_ms=60_000)
    return time.perf_counter() - started, server, phone


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats (under a minute)")
    args = parser.parse_args()
    starts = 1 if args.quick else 3
    repeats = 3 if args.quick else 7

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        fill(data_dir / "teren.db", CONTACTS)
        list_service, search_service = service_timings(data_dir / "teren.db", repeats * 3)
        print(f"service: list {list_service:.1f} ms, search {search_service:.1f} ms")

        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        start_runs = []
        server = phone = None
        for run in range(starts):
            seconds, server, phone = start_to_usable(browser, data_dir)
            start_runs.append(seconds)
            print(f"start {run + 1}: {seconds:.2f} s to the usable home screen")
            if run < starts - 1:
                server.stop()
                phone.page.context.close()
        assert server is not None and phone is not None

        list_runs, search_runs = [], []
        for i in range(repeats):
            phone.tap_tab("Dziś")
            phone.see("Obchód")
            start = time.perf_counter()
            phone.tap_tab("Kontakty")
            phone.see("Kontaktów: 50")  # the summary line, shown with the first page of rows
            phone.page.get_by_role("button", name="Stare Polesie").first.wait_for()  # a contact row
            list_runs.append((time.perf_counter() - start) * 1000)

            name, query = TARGETS[i % len(TARGETS)]
            start = time.perf_counter()
            phone.fill("Szukaj kontaktu", query)
            phone.page.get_by_role("button", name=name).first.wait_for()
            search_runs.append((time.perf_counter() - start) * 1000)
            print(f"list {list_runs[-1]:.0f} ms, search '{query}' {search_runs[-1]:.0f} ms")
        server.stop()
        browser.close()

    result = {
        "start_to_usable_s": round(statistics.median(start_runs), 2),
        "contact_list_ms": round(statistics.median(list_runs), 1),
        "search_result_ms": round(statistics.median(search_runs), 1),
        "contact_list_service_ms": round(list_service, 2),
        "search_service_ms": round(search_service, 2),
        "contacts": CONTACTS,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
