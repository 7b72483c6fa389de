"""Benchmark of supervisors' reports: the full report and its XLSX export at program size.

    .venv/bin/python tests/benchmarks/reports.py [--quick]

Full: 20,000 contacts and 100,000 visits (target: report < 1 s); ``--quick``: 2,000 and 10,000
(well under a minute). The store is filled with ``fieldapp.sample.fill``. Timed, on a freshly
opened store, the median of three runs:

- report_s: ``build_report`` over every zone for the whole span of the data (the widest report);
- month_report_s: the same for the last calendar month;
- xlsx_export_s / csv_export_s / html_export_s: the exports of the widest report;
- calibration_s: a fixed pure-Python loop (about 0.15 s on an idle modern core), to read the
  figures of a busy machine against.
The LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fieldapp import sample
from fieldapp.reports import build_report
from fieldapp.reports.export import to_csv, to_html, to_xlsx
from fieldapp.store import Store


def median_s(fn, runs: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 4), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    contacts, visits = (2_000, 10_000) if args.quick else (20_000, 100_000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "teren.db"
        store = Store(path)
        started = time.perf_counter()
        summary = sample.fill(store, contacts=contacts, visits=visits)
        print(
            f"filled {summary['contacts']} contacts, {summary['visits']} visits in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        store.close()
        store = Store(path)
        start, end = date.today() - timedelta(days=3 * 365), date.today()
        report_s, report = median_s(lambda: build_report(store, start=start, end=end, zone_ids=None))
        first = date.today().replace(day=1)
        last_month = (first - timedelta(days=1)).replace(day=1), first - timedelta(days=1)
        month_s, _ = median_s(
            lambda: build_report(store, start=last_month[0], end=last_month[1], zone_ids=None)
        )
        print(
            f"report: {report.visits} visits, {len(report.coverage)} zones, "  # type: ignore[attr-defined]
            f"{report.actions} actions; {report_s} s (last month {month_s} s)",
            flush=True,
        )  # type: ignore[attr-defined]
        xlsx_s, data = median_s(lambda: to_xlsx(report))  # type: ignore[arg-type]
        csv_s, _ = median_s(lambda: to_csv(report))  # type: ignore[arg-type]
        html_s, _ = median_s(lambda: to_html(report))  # type: ignore[arg-type]
        store.close()
    calibration_s, _ = median_s(lambda: sum(i * i for i in range(3_000_000)))
    result = {
        "contacts": contacts,
        "visits": visits,
        "report_visits": report.visits,  # type: ignore[attr-defined]
        "report_s": report_s,
        "month_report_s": month_s,
        "xlsx_export_s": xlsx_s,
        "xlsx_bytes": len(data),  # type: ignore[arg-type]
        "csv_export_s": csv_s,
        "html_export_s": html_s,
        "calibration_s": calibration_s,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
