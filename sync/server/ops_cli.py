"""``teren-sync`` commands for operators: ``backup``, ``restore`` and ``migrate``.

None of them migrates first, unlike the other commands: a backup copies the database as it is,
a restore migrates what it restored, and ``migrate`` is the migration itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sync.server.backup import BackupError, backup, restore
from sync.server.db import Database
from sync.server.settings import database_location


def register(sub: Any) -> None:
    """Add the commands to ``teren-sync``'s subparsers."""
    made = sub.add_parser(
        "backup",
        help="copy the database to a file while the service runs (SQLite backup API, pg_dump)",
        description=(
            "Write a consistent copy of the service's database: SQLite through its online backup "
            "API (a single .db file), PostgreSQL through pg_dump (custom format, for pg_restore). "
            "The service may keep running. The file holds personal data: it is written 0600. "
            "Prints what was written as JSON."
        ),
    )
    made.add_argument("--db", default=argparse.SUPPRESS)
    made.add_argument("target", nargs="?", default=".",
                      help="a new file, or a folder for teren-sync-<UTC time>.db|.dump (default: .)")
    made.set_defaults(func=_backup)

    back = sub.add_parser(
        "restore",
        help="replace the database with a backup (stop the service first)",
        description=(
            "Replace everything in the service's database with a backup made by `teren-sync "
            "backup`, in one step that either completes or changes nothing, then migrate it and "
            "give it a new epoch: devices that synced after the backup pull everything again and "
            "send again what they wrote. Stop every teren-sync serve using the database first "
            "(exits 1 otherwise, changing nothing)."
        ),
    )
    back.add_argument("--db", default=argparse.SUPPRESS)
    back.add_argument("source", help="the backup file")
    back.add_argument("--yes", action="store_true", help="confirm: everything in the database is replaced")
    back.set_defaults(func=_restore)

    migrate = sub.add_parser(
        "migrate",
        help="the database schema: upgrade, downgrade, current",
        description=(
            "Every teren-sync serve upgrades the schema when it starts, unless started with "
            "--no-migrate; this runs migrations by hand (e.g. before starting a new version, "
            "or back to an older revision before going back to an older version)."
        ),
    )
    migrate.add_argument("--db", default=argparse.SUPPRESS)
    steps = migrate.add_subparsers(dest="step", required=True)
    upgrade = steps.add_parser("upgrade", help="to the newest revision, or to REVISION")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = steps.add_parser("downgrade", help="back to REVISION (e.g. 0004, -1; base drops every table)")
    downgrade.add_argument("revision")
    steps.add_parser("current", help="the schema's revision and the newest one known (exits 1 when behind)")
    migrate.set_defaults(func=_migrate)


def _database(args: argparse.Namespace) -> Database:
    return Database(database_location(getattr(args, "db", None)))


def _print(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _backup(args: argparse.Namespace) -> int:
    db = _database(args)
    try:
        _print(backup(db, Path(args.target)).as_dict())
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0


def _restore(args: argparse.Namespace) -> int:
    if not args.yes:
        print("error: restore replaces everything in the database; add --yes to go on", file=sys.stderr)
        return 2
    db = _database(args)
    try:
        _print({"restored": True, **restore(db, Path(args.source)).as_dict()})
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    db = _database(args)
    try:
        if args.step in ("upgrade", "downgrade"):
            before = db.revision()
            db.migrate(args.revision, downgrade=args.step == "downgrade")
            print(f"{before or 'empty'} -> {db.revision() or 'empty'}")
            return 0
        current, head = db.revision(), db.head_revision()
        print(f"current: {current or 'empty'}\nhead:    {head}")
        return 0 if current == head else 1
    finally:
        db.dispose()
