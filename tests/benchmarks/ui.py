"""Benchmark of the field app's UI in web mode, measured in headless Chromium on a phone viewport.

    .venv/bin/python tests/benchmarks/ui.py [--quick]

- start_to_usable_s: from starting ``python -m fieldapp --web`` (a store of 50,000 contacts) to the
  home screen shown and usable in the browser (tabs and the walk card on screen), median of runs.
  The browser is already running, as a phone's web view would be.
- contact_list_ms: from the tap on "Kontakty" to the first contact rows on screen, median (the
  click alone: the test harness's pause after a tap is not the app's time).
- search_result_ms: from the last keystroke of a query (without diacritics) to the matching
  contact on screen, median over different queries. Includes the typing pause the screen waits
  before searching (``ui.contacts.SEARCH_DELAY_S``).
- contact_list_service_ms / search_service_ms: the same two reads as plain service calls (no UI).
- first_knock_taps: taps from the start screen to a logged knock ("Zapisano: …" shown), counted by
  the driver: "Zacznij obchód", the first building offered, "Nikogo nie ma". Target ≤ 3.
- outcome_buttons_visible_360: 1 when all five outcome buttons are inside a 360×740 viewport on
  the door screen with a walk in progress, else 0.
- building_200_flats_ms: from the tap on a building of 200 flats (its range set, some knocked) to
  its last flat's tile on screen, median.
- external_requests: requests the browser tried to send to any host but this machine during the
  whole run (refused); must be 0.
Prints figures as it goes; the LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from playwright.sync_api import sync_playwright

from fieldapp.services import buildings as building_service
from fieldapp.services import contacts as contact_service
from fieldapp.services import visits as visit_service
from fieldapp.store import Store
from fieldapp.ui.context import META_WALK
from tests.e2e.harness import CHROMIUM, CHROMIUM_FLAGS, PHONE, AppServer, Phone, block_external_requests
from tests.e2e.sample import bulk_contacts, bulk_zones

CONTACTS = 50_000
SMALL_PHONE = {"width": 360, "height": 740}
OUTCOMES = ("Nikogo nie ma", "Rozmowa", "Wrócić później", "Odmowa", "Nie pukać więcej")
#: A block of 200 flats alone in its zone, so the zone's chip offers it first.
BLOCK = ("Blokowa", "1", "Osiedle Blokowe")
#: Requests the browser tried to send off this machine (all refused).
EXTERNAL: list[str] = []
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
        fill_block(store)
    finally:
        store.close()


def fill_block(store: Store) -> None:
    """A building of 200 flats with its range set and every fifth flat knocked."""
    street, number, zone_name = BLOCK
    [zone_id] = bulk_zones(store, [zone_name])
    building_service.save_building(store, {"street": street, "house_number": number, "flat_first": 1,
                                           "flat_last": 200, "zone_id": zone_id})
    outcomes = ("not_home", "talked", "come_back", "refused")
    before = datetime.now(UTC) - timedelta(days=2)  # not today: the block is still offered
    visit_service.log_visits(store, [
        {"outcome": outcomes[i % 4], "street": street, "house_number": number, "flat": str(i),
         "zone_id": zone_id, "visited_at": before} for i in range(1, 201, 5)
    ])


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


def new_context(browser, viewport: dict[str, int] = PHONE):
    context = browser.new_context(viewport=viewport, locale="pl-PL")
    block_external_requests(context, EXTERNAL)
    return context


def start_to_usable(browser, data_dir: Path) -> tuple[float, AppServer, Phone]:
    context = new_context(browser)
    page = context.new_page()
    server = AppServer(data_dir)
    started = time.perf_counter()
    server.start()
    phone = Phone(page).open(server.url + "/")
    phone.see("Obchód", timeout_ms=60_000)
    return time.perf_counter() - started, server, phone


def door_to_door(browser, server: AppServer, repeats: int) -> tuple[int, int, list[float]]:
    """The first knock's taps, the outcome buttons at 360×740, and opening a block of 200 flats."""
    # The block first: a knock there today would take it off the buildings offered.
    runs = []
    phone = Phone(new_context(browser).new_page()).open(server.url + "/doors")
    last_tile = phone.page.get_by_role("button", name="Mieszkanie 200: jeszcze nie")
    for run in range(repeats + 1):
        phone.see("Nikogo nie ma")
        if run == 0:  # tap the zone, then its building
            phone.tap(BLOCK[2])
            target = phone.button(f"{BLOCK[0]} {BLOCK[1]}", exact=True)
        else:  # step to the next house and back to the block, as a person walking the street does
            phone.page.get_by_label("Następny numer domu", exact=True).first.click()
            phone.see(f"Pukasz: {BLOCK[0]} {int(BLOCK[1]) + 1}")
            last_tile.wait_for(state="detached")
            target = phone.page.get_by_label("Poprzedni numer domu", exact=True).first
        target.wait_for()
        start = time.perf_counter()
        target.click()
        last_tile.wait_for()
        elapsed = (time.perf_counter() - start) * 1000
        if run > 0:  # the first drawing also warms the page up (fonts, first layout)
            runs.append(elapsed)
        print(f"block of 200 flats: {elapsed:.0f} ms" + (" (first, not counted)" if run == 0 else ""))
    phone.page.context.close()
    with server.store() as store:
        store.set_meta(META_WALK, None)  # a new user: no walk to continue
    phone = Phone(new_context(browser).new_page()).open(server.url + "/")
    phone.taps = 0
    phone.tap("Zacznij obchód")
    phone.see("Budynki do odwiedzenia")
    # The first building offered (a chip named "<street> <number>").
    chip = phone.page.get_by_role("button", name=re.compile(r"^[^\d]+ \d+\w*$")).first
    chip.click()
    phone.taps += 1
    phone.see("Pukasz:")
    phone.tap("Nikogo nie ma", exact=True)
    phone.see("Zapisano: Nikogo nie ma")
    taps = phone.taps
    phone.page.context.close()

    small = Phone(new_context(browser, SMALL_PHONE).new_page()).open(server.url + "/doors")
    small.see("Pukasz:")
    small.page.wait_for_timeout(500)  # the layout settles
    visible = 1
    for name in OUTCOMES:
        box = small.button(name, exact=True).bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > SMALL_PHONE["height"]:
            visible = 0
    small.page.context.close()

    return taps, visible, runs


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
            phone.page.get_by_role("tab", name="Kontakty").click()
            phone.page.get_by_role("button", name="Stare Polesie").first.wait_for()  # a contact row
            list_runs.append((time.perf_counter() - start) * 1000)
            phone.see("kontaktów")  # the summary line came with the rows

            name, query = TARGETS[i % len(TARGETS)]
            phone.fill("Szukaj kontaktu", query[:-1])
            start = time.perf_counter()
            phone.page.keyboard.type(query[-1])  # the last keystroke
            phone.page.get_by_role("button", name=name).first.wait_for()
            search_runs.append((time.perf_counter() - start) * 1000)
            print(f"list {list_runs[-1]:.0f} ms, search '{query}' {search_runs[-1]:.0f} ms")
        phone.page.context.close()

        taps, visible, block_runs = door_to_door(browser, server, repeats)
        server.stop()
        browser.close()

    result = {
        "start_to_usable_s": round(statistics.median(start_runs), 2),
        "contact_list_ms": round(statistics.median(list_runs), 1),
        "search_result_ms": round(statistics.median(search_runs), 1),
        "contact_list_service_ms": round(list_service, 2),
        "search_service_ms": round(search_service, 2),
        "first_knock_taps": taps,
        "outcome_buttons_visible_360": visible,
        "building_200_flats_ms": round(statistics.median(block_runs), 1),
        "external_requests": len(EXTERNAL),
        "contacts": CONTACTS,
    }
    if EXTERNAL:
        print(f"requests that would have left the machine: {sorted(set(EXTERNAL))[:5]}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
