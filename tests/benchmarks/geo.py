"""Benchmark of the geo module: walk-list ordering and nearby queries.

    .venv/bin/python tests/benchmarks/geo.py [--quick]

- walk_N_ms: ordering N doors spread over ~2 × 2 km of central Łódź into a walk from a start
  point (``plan_walk``: nearest neighbour + 2-opt/Or-opt + geodesic legs), median of runs.
- nearby_ms: contacts and resources within 500 m of a random point with 50,000 contacts in the
  store (R*Tree + exact distances), median of many queries; nearby_plain_ms: the same with the
  plain (lat, lon) index that SQLite builds without R*Tree use; nearby_scan_ms: no index (baseline).
Prints figures as it goes; the LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fieldapp.geo.distance import LocalFrame
from fieldapp.geo.route import route_length_m
from fieldapp.geo.spatial import nearby
from fieldapp.geo.walk import Door, plan_walk
from fieldapp.model import Contact
from fieldapp.store import Store, codec, raw

CENTRE = (51.7658, 19.4572)  # Łódź, City Hall on Piotrkowska


def timed_ms(fn, repeats: int) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), result


def bench_walk(n: int, repeats: int, rng: random.Random) -> tuple[float, float]:
    doors = [
        Door(f"d{i}", f"Door {i}", 51.755 + rng.random() * 0.018, 19.445 + rng.random() * 0.03)
        for i in range(n)
    ]
    start = (51.7684, 19.4567)
    ms, stops = timed_ms(lambda: plan_walk(doors, start), repeats)
    points = [d.point for d in doors]
    frame = LocalFrame.for_points([*points, start])
    shuffled = list(range(n))
    rng.shuffle(shuffled)
    random_m = route_length_m(points, shuffled, start, frame.distance_m)
    ratio = stops[-1].total_m / random_m
    print(f"walk {n:5d} doors: {ms:8.1f} ms  route {stops[-1].total_m / 1000:6.2f} km "
          f"({ratio:.1%} of a random order)")
    return ms, ratio


def fill_contacts(store: Store, count: int, rng: random.Random) -> None:
    """Bulk-insert contacts over ~10 × 8 km of Łódź (the spatial index fills through its triggers)."""
    rows = []
    for i in range(count):
        contact = Contact(
            kind="resident", name=f"Osoba {i}", address=f"Ulica {i % 700} {i % 90 + 1}",
            lat=51.72 + rng.random() * 0.09, lon=19.40 + rng.random() * 0.14, position_status="ok",
            base_hlc="0", updated_hlc="0",
        )
        rows.append(codec.row(Contact, contact.__dict__))
    with store.write() as conn:
        raw(conn).executemany(codec.insert_sql(Contact), rows)


def bench_nearby(store: Store, queries: int, rng: random.Random) -> tuple[float, float]:
    points = [(51.74 + rng.random() * 0.05, 19.42 + rng.random() * 0.08) for _ in range(queries)]
    found = []
    with store.engine.connect() as conn:
        nearby(conn, *CENTRE, 500)  # warm the page cache
        runs = []
        for lat, lon in points:
            start = time.perf_counter()
            found.append(len(nearby(conn, lat, lon, 500, limit=None)))
            runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), statistics.median(found)


def drop_rtree(store: Store) -> None:
    with store.write() as conn:
        db = raw(conn)
        for name in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER geo_contact_{name}")
        db.execute("DROP TABLE geo_contact")
        db.execute("CREATE INDEX ix_contact_lat_lon ON contact (lat, lon)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (finishes well under 60 s)")
    args = parser.parse_args()
    rng = random.Random(2026)
    repeats = {50: 3, 200: 3, 1000: 1} if args.quick else {50: 9, 200: 7, 1000: 5}
    result: dict[str, float] = {}
    for n, times in repeats.items():
        ms, ratio = bench_walk(n, times, rng)
        result[f"walk_{n}_ms"] = round(ms, 1)
        result[f"walk_{n}_vs_random"] = round(ratio, 3)

    contacts = 50_000
    queries = 60 if args.quick else 300
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        started = time.perf_counter()
        fill_contacts(store, contacts, rng)
        print(f"inserted {contacts} contacts with positions in {time.perf_counter() - started:.1f} s")
        ms, hits = bench_nearby(store, queries, rng)
        print(f"nearby 500 m, {contacts} contacts (R*Tree): median {ms:.2f} ms, {hits:.0f} found")
        result["nearby_ms"] = round(ms, 2)
        result["nearby_found"] = hits
        drop_rtree(store)
        plain_ms, _ = bench_nearby(store, queries, rng)
        print(f"nearby 500 m, {contacts} contacts (plain lat/lon index): median {plain_ms:.2f} ms")
        result["nearby_plain_ms"] = round(plain_ms, 2)
        with store.write() as conn:  # no spatial help at all: the baseline both indexes improve on
            raw(conn).execute("DROP INDEX ix_contact_lat_lon")
        scan_ms, _ = bench_nearby(store, max(10, queries // 6), rng)
        print(f"nearby 500 m, {contacts} contacts (no index, full scan): median {scan_ms:.2f} ms")
        result["nearby_scan_ms"] = round(scan_ms, 2)
        store.close()
    result["contacts"] = contacts
    result["quick"] = args.quick
    print(json.dumps(result))


if __name__ == "__main__":
    main()
