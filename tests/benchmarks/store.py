"""Benchmark of the on-device store at field size: inserts through the services, and the reads.

    .venv/bin/python tests/benchmarks/store.py [--quick]

Full: 50,000 contacts and 200,000 visits; ``--quick``: 5,000 and 20,000 (under a minute).
The store is filled with ``fieldapp.sample.fill`` (Store.insert in chunks) except the last tenth,
which goes through the services a user's taps call, and is timed:

- insert_rows_per_s: rows written per second by ``contacts.create_contact`` (one call per contact,
  with its consent for natural persons) and ``visits.log_visits`` (batches of 100); each contact,
  consent and visit is a row with its outbox entry (and search row for contacts).
- log_visit_ms: one door-knock through ``visits.log_visit`` (what a tap costs), median.
- search_p50_ms / search_p95_ms: ``contacts.search_contacts`` over a mix of queries typed without
  diacritics (a name and surname prefix, a surname prefix, a street and number, a need).
- list_first_page_ms: ``contacts.list_contacts(limit=50)`` (the contact list's first page), median.
- contact_visits_ms: ``contacts.contact_visits`` of one contact (its history), median.
- db_bytes_per_1000_visits: bytes of the visit table and its indexes (dbstat) per 1000 visits;
  the outbox rows of those visits (until they are pushed) are printed apart.
Reads run on a freshly opened store. Prints figures and query plans as it goes; the LAST line is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fieldapp import sample
from fieldapp.services import contacts as contact_service
from fieldapp.services import visits as visit_service
from fieldapp.services import zones as zone_service
from fieldapp.store import Store, raw
from fieldapp.store.text import tokens

SEED = 20_26


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def point_in(spec: sample.ZoneSpec, rng: random.Random) -> tuple[float, float]:
    r = spec.radius_m * 0.9 * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    return (
        round(spec.lat + r * math.cos(angle) / 111_320, 6),
        round(spec.lon + r * math.sin(angle) / (111_320 * math.cos(math.radians(spec.lat))), 6),
    )


def contact_input(
    rng: random.Random, people: sample.People, zone_id: str, spec: sample.ZoneSpec
) -> tuple[dict, dict | None]:
    """What the contact form sends: a resident most of the time, with the answer to consent."""
    kind = rng.choices(list(sample.KIND_WEIGHTS), list(sample.KIND_WEIGHTS.values()))[0]
    street, number = rng.choice(spec.streets), str(rng.randint(1, 160))
    lat, lon = point_in(spec, rng)
    data = {
        "kind": kind,
        "street": street,
        "house_number": number,
        "address": f"{street} {number}",
        "city": "Łódź",
        "lat": lat,
        "lon": lon,
        "zone_id": zone_id,
    }
    if kind not in sample.PERSON_KINDS:
        data.update(name=f"Fundacja „{rng.choice(sample.WORDS)}”", needs=rng.choice(sample.NEEDS))
        return data, None
    if rng.random() < 0.25:
        return data, {"status": "refused", "method": "oral"}
    flat = str(rng.randint(1, 60))
    data.update(
        name=people.name(),
        flat=flat,
        address=f"{street} {number}/{flat}",
        phone=people.phone(),
        needs=rng.choice(sample.NEEDS),
        tags=rng.choice(sample.TAGS),
    )
    consent = {
        "status": "given",
        "method": "oral",
        "scope_contact": True,
        "scope_store": True,
        "adult": True,
        "clause_version": "teren-2026.1",
        "recorded_by": "Ola Animatorka",
    }
    return data, consent


def insert_through_services(store: Store, n_contacts: int, n_visits: int, rng: random.Random) -> dict:
    specs = {spec.name: spec for spec in sample.ZONES}
    zones = [(z.id, specs[z.name]) for z in zone_service.list_zones(store) if z.name in specs]
    made: list[tuple[str, str]] = []  # (contact id, zone id)
    people = sample.People(SEED, rng)
    consents = 0
    start = time.perf_counter()
    for _ in range(n_contacts):
        zone_id, spec = rng.choice(zones)
        data, consent = contact_input(rng, people, zone_id, spec)
        contact = contact_service.create_contact(store, data, consent)
        consents += consent is not None
        made.append((contact.id, zone_id))
    contacts_s = time.perf_counter() - start

    outcomes = list(sample.OUTCOME_WEIGHTS)
    weights = list(sample.OUTCOME_WEIGHTS.values())
    start = time.perf_counter()
    for first in range(0, n_visits, 100):
        items = []
        for _ in range(min(100, n_visits - first)):
            outcome = rng.choices(outcomes, weights)[0]
            if rng.random() < 0.7:
                contact_id, _zone = rng.choice(made)
                items.append(
                    {
                        "outcome": outcome if outcome != "do_not_knock" else "talked",
                        "contact_id": contact_id,
                        "notes": "Zaprosić na festyn",
                    }
                )
            else:
                zone_id, spec = rng.choice(zones)
                street = rng.choice(spec.streets)
                items.append(
                    {
                        "outcome": outcome,
                        "zone_id": zone_id,
                        "street": street,
                        "house_number": str(rng.randint(1, 160)),
                        "address": street,
                    }
                )
        visit_service.log_visits(store, items)
    visits_s = time.perf_counter() - start

    single = []
    for _ in range(50):
        contact_id, _zone = rng.choice(made)
        start = time.perf_counter()
        visit_service.log_visit(store, outcome="talked", contact_id=contact_id)
        single.append(ms(start))
    rows = n_contacts + consents + n_visits
    return {
        "rows": rows + len(single),
        "insert_rows_per_s": rows / (contacts_s + visits_s),
        "create_contact_per_s": n_contacts / contacts_s,
        "log_visits_per_s": n_visits / visits_s,
        "log_visit_ms": statistics.median(single),
    }


def search_queries(store: Store, rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(kind, query) pairs built from the data, typed in lower case without diacritics."""
    with store.engine.connect() as conn:
        names = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT name FROM contact WHERE deleted = 0 AND name != '' ORDER BY random() LIMIT 500"
            )
        ]
        doors = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT street || ' ' || house_number FROM contact ORDER BY random() LIMIT 500"
            )
        ]
    queries = []
    for i in range(count):
        kind = ("name", "surname", "street", "need")[i % 4]
        if kind == "name":
            words = tokens(rng.choice(names))
            query = " ".join(word[: rng.randint(3, 6)] for word in words[:2])
        elif kind == "surname":
            query = tokens(rng.choice(names))[-1][:4]
        elif kind == "street":
            query = " ".join(tokens(rng.choice(doors)))
        else:
            query = " ".join(tokens(rng.choice(sample.NEEDS))[:1])
        queries.append((kind, query))
    return queries


def plan(store: Store, sql: str, params: tuple = ()) -> str:
    with store.engine.connect() as conn:
        rows = raw(conn).execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return "; ".join(row[-1] for row in rows)


def reads(path: Path, rng: random.Random, repeats: int) -> dict:
    store = Store(path)
    try:
        with store.engine.connect() as conn:
            with_visits = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT contact_id FROM visit WHERE contact_id IS NOT NULL GROUP BY contact_id "
                    "ORDER BY random() LIMIT 400"
                )
            ]
            zone_ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM zone")]

        contact_service.search_contacts(store, "warm")  # first query loads the FTS segments
        search, by_kind = [], {}
        for kind, query in search_queries(store, rng, repeats * 8):
            start = time.perf_counter()
            found = contact_service.search_contacts(store, query, limit=50)
            elapsed = ms(start)
            search.append(elapsed)
            by_kind.setdefault(kind, []).append(elapsed)
            if kind in ("name", "street"):
                assert found, query
        for kind, runs in by_kind.items():
            p50, p95 = statistics.median(runs), percentile(runs, 0.95)
            print(f"search {kind:8s} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")

        first_page = []
        for _ in range(repeats):
            start = time.perf_counter()
            page = contact_service.list_contacts(store, limit=50)
            first_page.append(ms(start))
            assert len(page) == 50
        zone_page = []
        for _ in range(repeats):
            start = time.perf_counter()
            contact_service.list_contacts(store, zone_id=rng.choice(zone_ids), limit=50)
            zone_page.append(ms(start))
        print(
            f"list first page {statistics.median(first_page):.2f} ms; of one zone "
            f"{statistics.median(zone_page):.2f} ms"
        )

        history = []
        for contact_id in with_visits[: repeats * 4]:
            start = time.perf_counter()
            found = contact_service.contact_visits(store, contact_id)
            history.append(ms(start))
            assert found
        p50, p95 = statistics.median(history), percentile(history, 0.95)
        print(f"contact visits median {p50:.2f} ms, p95 {p95:.2f} ms")

        print(
            "plan list:   ",
            plan(
                store,
                "SELECT * FROM contact WHERE deleted = 0 AND erased_at IS NULL ORDER BY name, id LIMIT 50",
            ),
        )
        print(
            "plan visits: ",
            plan(
                store,
                "SELECT * FROM visit WHERE contact_id = ? AND deleted = 0 ORDER BY visited_at DESC LIMIT 100",
                (with_visits[0],),
            ),
        )
        print(
            "plan search: ",
            plan(
                store,
                "SELECT c.id FROM contact_search s JOIN contact c ON c.rowid = s.rowid "
                "WHERE contact_search MATCH '\"kow\"*' AND c.deleted = 0 "
                "ORDER BY bm25(contact_search), c.name LIMIT 50",
            ),
        )
        return {
            "search_p50_ms": statistics.median(search),
            "search_p95_ms": percentile(search, 0.95),
            "list_first_page_ms": statistics.median(first_page),
            "list_zone_page_ms": statistics.median(zone_page),
            "contact_visits_ms": statistics.median(history),
        }
    finally:
        store.close()


def visit_bytes(path: Path, visits: int) -> tuple[float, float]:
    store = Store(path)
    try:
        with store.engine.connect() as conn:
            db = raw(conn)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'visit'")]
            marks = ",".join("?" * len(names))
            table = db.execute(f"SELECT sum(pgsize) FROM dbstat WHERE name IN ({marks})", names).fetchone()[0]
            outbox_share = db.execute(
                "SELECT (SELECT sum(pgsize) FROM dbstat WHERE name IN ('outbox', 'ix_outbox_record')) "
                "* 1.0 * (SELECT count(*) FROM outbox WHERE record_type = 'visit') / "
                "(SELECT count(*) FROM outbox)"
            ).fetchone()[0]
    finally:
        store.close()
    return table / visits * 1000, outbox_share / visits * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="5,000 contacts and 20,000 visits")
    args = parser.parse_args()
    n_contacts, n_visits = (5_000, 20_000) if args.quick else (50_000, 200_000)
    repeats = 25 if args.quick else 50
    service_contacts, service_visits = n_contacts // 10, n_visits // 10
    rng = random.Random(SEED)
    started = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "teren.db"
        store = Store(path)
        summary = sample.fill(
            store, n_contacts - service_contacts, n_visits - service_visits, seed=SEED, chunk=5_000
        )
        written = sum(summary[k] for k in ("zones", "contacts", "consents", "visits", "needs", "resources"))
        print(
            f"sample fill: {written} records in {summary['seconds']:.1f} s "
            f"({written / summary['seconds']:.0f}/s through Store.insert and Store.save)"
        )
        inserted = insert_through_services(store, service_contacts, service_visits, rng)
        store.close()
        print(
            f"services: {inserted['insert_rows_per_s']:.0f} rows/s (create_contact "
            f"{inserted['create_contact_per_s']:.0f}/s, log_visits {inserted['log_visits_per_s']:.0f}/s), "
            f"one log_visit {inserted['log_visit_ms']:.2f} ms"
        )
        total_visits = n_visits + 50
        per_1000, outbox_per_1000 = visit_bytes(path, total_visits)
        print(
            f"visits: {per_1000:.0f} bytes per 1000 (+ {outbox_per_1000:.0f} in the outbox until pushed); "
            f"file {path.stat().st_size / 1e6:.1f} MB"
        )
        figures = reads(path, rng, repeats)

    result = {
        "contacts": n_contacts,
        "visits": total_visits,
        "insert_rows_per_s": round(inserted["insert_rows_per_s"]),
        "search_p50_ms": round(figures["search_p50_ms"], 2),
        "search_p95_ms": round(figures["search_p95_ms"], 2),
        "list_first_page_ms": round(figures["list_first_page_ms"], 2),
        "contact_visits_ms": round(figures["contact_visits_ms"], 2),
        "db_bytes_per_1000_visits": round(per_1000),
        "outbox_bytes_per_1000_visits": round(outbox_per_1000),
        "list_zone_page_ms": round(figures["list_zone_page_ms"], 2),
        "log_visit_ms": round(inserted["log_visit_ms"], 2),
        "create_contact_per_s": round(inserted["create_contact_per_s"]),
        "log_visits_per_s": round(inserted["log_visits_per_s"]),
        "sample_fill_rows_per_s": round(written / summary["seconds"]),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
