"""Benchmark of supervisors' reports: the full report and its exports at program size.

    .venv/bin/python tests/benchmarks/reports.py [--quick]

Full: 20,000 contacts, 100,000 visits and 2,000 actions (targets: report ≤ 1 s, XLSX ≤ 2 s);
``--quick``: 2,000 contacts, 10,000 visits, 200 actions (well under a minute). The store is filled
with ``fieldapp.sample.fill`` and ``report_data.fill_program`` (groups, partnerships, meetings of
every kind with attendance, training series, volunteers with hours). Timed, on a freshly opened
store, the median of three runs:

- report_s: ``build_report`` over every zone for the whole span of the data (the widest report),
  every section with the comparison with the previous period;
- month_report_s: the same for the last calendar month;
- xlsx_export_s / csv_export_s / html_export_s: the exports of the widest report;
- report_cpu_s / xlsx_export_cpu_s: the CPU time of the same runs (this process only);
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
from tests.benchmarks.report_data import fill_program

#: CPU seconds of the last ``median_s`` runs' median run (this process only): on a shared machine the
#: wall-clock figures grow with the others' load, the CPU time much less.
CPU: dict[str, float] = {}


def median_s(fn, runs: int = 3, name: str = "") -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, cpu, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    if name:
        CPU[name] = round(statistics.median(cpu), 4)
    return round(statistics.median(times), 4), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    contacts, visits, actions = (2_000, 10_000, 200) if args.quick else (20_000, 100_000, 2_000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "teren.db"
        store = Store(path)
        started = time.perf_counter()
        summary = sample.fill(store, contacts=contacts, visits=visits)
        program = fill_program(store, actions=actions)
        print(
            f"filled {summary['contacts']} contacts, {summary['visits']} visits, {program} in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        store.close()
        store = Store(path)
        start, end = date.today() - timedelta(days=3 * 365), date.today()
        report_s, report = median_s(
            lambda: build_report(store, start=start, end=end, zone_ids=None), name="report_cpu_s"
        )
        first = date.today().replace(day=1)
        last_month = (first - timedelta(days=1)).replace(day=1), first - timedelta(days=1)
        month_s, _ = median_s(
            lambda: build_report(store, start=last_month[0], end=last_month[1], zone_ids=None)
        )
        figures = report["summary"]  # type: ignore[index]
        print(
            f"report: {figures.visits} visits, {len(report['zones'].zones)} zones, "  # type: ignore[index]
            f"{figures.actions} actions; {report_s} s (last month {month_s} s)",
            flush=True,
        )
        xlsx_s, data = median_s(lambda: to_xlsx(report), name="xlsx_export_cpu_s")  # type: ignore[arg-type]
        csv_s, _ = median_s(lambda: to_csv(report))  # type: ignore[arg-type]
        html_s, _ = median_s(lambda: to_html(report))  # type: ignore[arg-type]
        store.close()
    calibration_s, _ = median_s(lambda: sum(i * i for i in range(3_000_000)), name="calibration_cpu_s")
    result = {
        "contacts": contacts,
        "visits": visits,
        "actions": actions,
        "report_visits": figures.visits,
        "report_actions": figures.actions,
        "report_s": report_s,
        "month_report_s": month_s,
        "xlsx_export_s": xlsx_s,
        "xlsx_bytes": len(data),  # type: ignore[arg-type]
        "csv_export_s": csv_s,
        "html_export_s": html_s,
        **CPU,
        "calibration_s": calibration_s,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
