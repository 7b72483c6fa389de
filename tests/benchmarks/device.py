"""Benchmark of the app as a phone runs it: start-up, memory, search without FTS5, native packages.

    .venv/bin/python tests/benchmarks/device.py [--quick]

- cold_import_s: importing the app's modules (``fieldapp.app``: the shell and every screen) in a
  fresh Python process, median of runs (``--quick``: 3, else 7); ``interpreter_s``: a bare
  ``python -c pass`` beside it.
- rss_mb_50k: resident memory (VmRSS) of a fresh process that imported the app, opened a store of
  50,000 contacts and built the contact list's first page (the rows the screen shows);
  ``peak_rss_mb_50k``: its VmHWM.
- search_p95_ms_no_fts5 / search_p50_ms_no_fts5: the store benchmark's search queries
  (tests/benchmarks/store.py: name and surname prefixes, street and number, a need, typed without
  diacritics) at 5,000 sample contacts, on SQLite built without FTS5 and R*Tree
  (``.ci/sqlite-minimal``, loaded through LD_LIBRARY_PATH): the word-list index.
  ``search_p95_ms_fts5``: the same queries on the same kind of data with this machine's SQLite.
  ``search_cpu_p95_ms_*``: the process's CPU time per query (steadier on a shared machine).
  ``nearby_ms_no_rtree`` / ``nearby_ms_rtree``: contacts within 500 m of 100 contacts' doors in the
  same stores (the plain (lat, lon) index, the R*Tree), median.
- native_packages: the device runtime's packages that are not pure Python, with the version the
  phone gets, and ``native_packages_in_flet_index``: whether Flet's mobile index provides each in
  that version (tests/device_runtime.py).
Each measurement runs in a child process of its own. The LAST line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import device_runtime  # noqa: E402

SEARCH_CONTACTS = 5_000
MEMORY_CONTACTS = 50_000

IMPORT = "import time; t = time.perf_counter(); import fieldapp.app; print(time.perf_counter() - t)"

MEMORY = """
import json, sys
from pathlib import Path
import flet as ft
import fieldapp.app
from fieldapp.services import contacts as contact_service
from fieldapp.store import Store
from fieldapp.ui.contacts import PAGE

store = Store(Path(sys.argv[1]))
first = contact_service.list_contacts(store, limit=PAGE)
total = contact_service.count_contacts(store)
rows = [ft.ListTile(title=ft.Text(c.name), subtitle=ft.Text(c.address or "")) for c in first]
assert len(rows) == PAGE and total >= len(rows)
status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
print(json.dumps({k: int(status[k].split()[0]) for k in ("VmRSS", "VmHWM")}))
"""

SEARCH = """
import json, random, statistics, sys, tempfile, time
from pathlib import Path
from fieldapp import sample
from fieldapp.geo.spatial import nearby
from fieldapp.services import contacts as contact_service
from fieldapp.store import Store, raw, search, spatial_index
from tests.benchmarks.store import percentile, search_queries

contacts, queries = int(sys.argv[1]), int(sys.argv[2])
with tempfile.TemporaryDirectory() as folder:
    store = Store(Path(folder) / "search.db")
    sample.fill(store, contacts=contacts, visits=contacts, seed=7)
    store.close()
    store = Store(Path(folder) / "search.db")
    with store.engine.connect() as conn:
        fts5 = search.uses_fts5(raw(conn))
        rtree = spatial_index.has_rtree_table(raw(conn), "contact")
        points = conn.exec_driver_sql(
            "SELECT lat, lon FROM contact WHERE lat IS NOT NULL ORDER BY random() LIMIT 100"
        ).all()
    rng = random.Random(2026)
    contact_service.search_contacts(store, "warm")
    runs, cpu = [], []
    for _kind, query in search_queries(store, rng, queries):
        started, used = time.perf_counter(), time.process_time()
        contact_service.search_contacts(store, query, limit=50)
        runs.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    near = []
    for lat, lon in points:
        started = time.perf_counter()
        nearby(store, lat, lon, 500)
        near.append((time.perf_counter() - started) * 1000)
    store.close()
print(json.dumps({"fts5": fts5, "p50": statistics.median(runs), "p95": percentile(runs, 0.95),
                  "cpu_p50": statistics.median(cpu), "cpu_p95": percentile(cpu, 0.95),
                  "rtree": rtree, "nearby_p50": statistics.median(near)}))
"""


def child(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout.strip().splitlines()[-1]


def cold_import(runs: int) -> tuple[float, float]:
    imports, bare = [], []
    for _ in range(runs):
        imports.append(float(child(IMPORT)))
        started = time.perf_counter()
        child("print(0)")
        bare.append(time.perf_counter() - started)
    return statistics.median(imports), statistics.median(bare)


def memory_with(contacts: int, folder: Path) -> dict[str, int]:
    from fieldapp.store import Store
    from tests.e2e.sample import bulk_contacts, bulk_zones

    path = folder / "memory.db"
    store = Store(path)
    try:
        zones = bulk_zones(store, ["Stare Polesie", "Księży Młyn", "Bałuty Centrum"])
        bulk_contacts(store, contacts, zone_ids=zones)
    finally:
        store.close()
    return json.loads(child(MEMORY, str(path)))


def minimal_sqlite() -> Path:
    built = subprocess.run(
        ["bash", str(ROOT / ".ci" / "sqlite-minimal")], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return (ROOT / built.stdout.strip().splitlines()[-1]).resolve()


def search_times(queries: int, library: Path | None) -> dict:
    env = {"LD_LIBRARY_PATH": str(library)} if library else {}
    return json.loads(child(SEARCH, str(SEARCH_CONTACTS), str(queries), env=env))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and queries (about a minute)")
    args = parser.parse_args()
    result: dict = {}

    imported, bare = cold_import(3 if args.quick else 7)
    print(f"cold import of fieldapp.app: {imported:.2f} s (interpreter alone {bare:.2f} s)", flush=True)
    result.update(cold_import_s=round(imported, 3), interpreter_s=round(bare, 3))

    with tempfile.TemporaryDirectory(prefix="teren-device-bench-") as folder:
        started = time.perf_counter()
        memory = memory_with(MEMORY_CONTACTS, Path(folder))
        print(
            f"{MEMORY_CONTACTS} contacts, first page shown: RSS {memory['VmRSS'] / 1024:.1f} MB, "
            f"peak {memory['VmHWM'] / 1024:.1f} MB ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    result.update(
        rss_mb_50k=round(memory["VmRSS"] / 1024, 1), peak_rss_mb_50k=round(memory["VmHWM"] / 1024, 1)
    )

    queries = 100 if args.quick else 400
    without = search_times(queries, minimal_sqlite())
    if without["fts5"] or without["rtree"]:
        raise SystemExit("the minimal SQLite has FTS5 or R*Tree: not the library .ci/sqlite-minimal builds")
    with_fts5 = search_times(queries, None)
    print(
        f"search at {SEARCH_CONTACTS} contacts: without FTS5 p50 {without['p50']:.2f} ms p95 "
        f"{without['p95']:.2f} ms; with FTS5 p50 {with_fts5['p50']:.2f} ms p95 {with_fts5['p95']:.2f} ms; "
        f"nearby 500 m p50 {without['nearby_p50']:.2f} ms without R*Tree, {with_fts5['nearby_p50']:.2f} with",
        flush=True,
    )
    result.update(
        search_p50_ms_no_fts5=round(without["p50"], 2),
        search_p95_ms_no_fts5=round(without["p95"], 2),
        search_p95_ms_fts5=round(with_fts5["p95"], 2),
        search_cpu_p95_ms_no_fts5=round(without["cpu_p95"], 2),
        search_cpu_p95_ms_fts5=round(with_fts5["cpu_p95"], 2),
        nearby_ms_no_rtree=round(without["nearby_p50"], 2),
        nearby_ms_rtree=round(with_fts5["nearby_p50"], 2),
    )

    native = device_runtime.native_packages()
    in_index = all(device_runtime.FLET_MOBILE_INDEX.get(name) == version for name, version in native.items())
    print(f"native packages: {native} (all in Flet's mobile index: {in_index})")
    result.update(native_packages=native, native_packages_in_flet_index=in_index)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
