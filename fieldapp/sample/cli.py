"""``teren-sample``: fill a store with sample data.

    teren-sample [DB] [--data-dir DIR] [--contacts N] [--visits M] [--seed S] [--zones Z] [--quiet]

Prints progress and a rate to stderr, and the summary as one JSON line to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from fieldapp.sample.data.zones import ZONES
from fieldapp.sample.neighbourhood import fill
from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME, default_db_path

#: The summary's counts of written records.
RECORD_COUNTS = ("zones", "contacts", "consents", "visits", "diagnoses", "needs", "resources", "actions")


def records_written(summary: dict[str, Any]) -> int:
    return sum(int(summary[key]) for key in RECORD_COUNTS)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="teren-sample", description="Fill a Teren store with sample data.")
    parser.add_argument("db", nargs="?", type=Path, help="the SQLite file (default: the app's data folder)")
    parser.add_argument("--data-dir", type=Path, help=f"folder of the device's data ({DB_FILENAME} inside)")
    parser.add_argument("--contacts", type=int, default=1_000, help="number of contacts (default 1000)")
    parser.add_argument("--visits", type=int, default=4_000, help="number of visits (default 4000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--zones", type=int, default=None, help=f"number of zones, 1–{len(ZONES)}")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    if args.db is not None and args.data_dir is not None:
        parser.error("give either a database file or --data-dir, not both")
    if args.contacts < 0 or args.visits < 0:
        parser.error("--contacts and --visits must not be negative")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    path = args.db or (args.data_dir / DB_FILENAME if args.data_dir else default_db_path())

    def progress(what: str, done: int) -> None:
        if not args.quiet:
            print(f"  {what}: {done}", file=sys.stderr, flush=True)

    store = Store(path)
    try:
        summary = fill(store, args.contacts, args.visits, args.seed, zones=args.zones, progress=progress)
    finally:
        store.close()
    if not args.quiet:
        written = records_written(summary)
        rate = written / max(summary["seconds"], 1e-9)
        print(f"{path}: {written} records in {summary['seconds']} s ({rate:.0f}/s)", file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
