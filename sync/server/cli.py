"""``teren-sync``: run the service and administer programs, teams, users and devices.

The database is ``--db`` (a SQLite path or a ``postgresql://`` URL), else ``$TEREN_SYNC_DB``, else
``teren-sync.db`` in the current folder. Every command migrates the database first, except
``repage``, which migrates after (see ``_repage``), and the operators' ``backup``, ``restore`` and
``migrate`` (``sync.server.ops_cli``). ``serve`` and its settings are ``sync.server.serve``.

``repage`` rewrites an existing SQLite file with the page size new files get (16 KiB): stop every
``teren-sync serve`` using the file first.

Addresses that go into enrollment QR codes (``enroll --server``, ``reissue --server``, ``serve
--public-url``) must be https, or http on loopback; ``--insecure-http`` allows plain http elsewhere
(a lab network, never residents' data). An address with user-info (``name@host``) is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from fieldapp.model.enums import Role
from sync.server import accounts, enrollments, ops_cli, phones, scope_moves, serve
from sync.server import tables as t
from sync.server.db import SQLITE_PAGE_SIZE, Database, SQLiteBusyError, database_url, repage_sqlite
from sync.server.restore import restore_erased
from sync.server.settings import database_location

INSECURE_HELP = "allow a plain-http address off loopback (a lab, never residents' data)"


def _location(args: argparse.Namespace) -> str:
    return database_location(args.db)


def _db(args: argparse.Namespace) -> Database:
    db = Database(_location(args))
    db.migrate()
    return db


def _create_team(args: argparse.Namespace) -> int:
    team_id = accounts.create_team(_db(args), args.name, program=args.program)
    print(team_id)
    return 0


def _create_user(args: argparse.Namespace) -> int:
    user_id = accounts.create_user(
        _db(args), args.name, args.role, team_id=args.team, program_id=args.program
    )
    print(user_id)
    return 0


def _enroll(args: argparse.Namespace) -> int:
    ttl = timedelta(hours=args.ttl_hours)
    made = accounts.create_enrollment(
        _db(args), args.user, args.server, ttl=ttl, insecure_http=args.insecure_http
    )
    return _print_code(made, args.png)


def _reissue(args: argparse.Namespace) -> int:
    ttl = timedelta(hours=args.ttl_hours) if args.ttl_hours else None
    made = enrollments.reissue(
        _db(args), args.code, server_url=args.server, ttl=ttl, insecure_http=args.insecure_http
    )
    print(f"replaced: {accounts.split_code(args.code)[0]} (no longer accepted)")
    return _print_code(made, args.png)


def _print_code(made: accounts.Enrollment, png: str | None) -> int:
    print(accounts.qr_ascii(made.uri))
    print(f"code:    {made.code}")
    print(f"uri:     {made.uri}")
    print(f"expires: {made.expires_at.isoformat(timespec='minutes')}")
    if png:
        Path(png).write_bytes(accounts.qr_png(made.uri))
        print(f"png:     {png}")
    return 0


def _enrollments(args: argparse.Namespace) -> int:
    listed = enrollments.codes(_db(args), everything=args.all)
    if args.json:
        print(json.dumps([code.as_json() for code in listed], indent=2, ensure_ascii=False))
        return 0
    if not listed:
        print("no enrollment codes waiting")
    for code in listed:
        line = (
            f"{code.lookup}  {code.state:<8}  {code.user} ({code.role}, {code.user_id})  "
            f"expires {code.expires_at.isoformat(timespec='minutes')}  wrong tries {code.wrong_attempts}"
        )
        if code.blocked_until:
            line += f"  guessers wait until {code.blocked_until.isoformat(timespec='seconds')}"
        print(line)
        if code.needs_reissue:
            print(f"    someone guessed at this code: replace it with 'teren-sync reissue {code.lookup}'")
    return 0


def _restore_erased(args: argparse.Namespace) -> int:
    done = restore_erased(_db(args), args.contact, args.admin)
    print(f"contact {done.contact_id}: taken off the erased list (erased at {done.erased_at or '?'}).")
    print("Devices clear its erasure at their next sync; its fields may be filled in again.")
    print("What the erasure removed is not brought back. Audit log: restored_erasure by " + args.admin)
    return 0


def _zones_import(args: argparse.Namespace) -> int:
    from sync.server.zones_import import import_zones

    text = Path(args.file).read_text(encoding="utf-8")
    made = import_zones(_db(args), args.team, text, args.animator)
    for zone in made:
        workers = ", ".join(zone.animators) or "no animator"
        print(f"zone {zone.id}: {zone.name} ({workers})")
    print(f"imported {len(made)} zone(s); the team's devices get them at their next sync")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    count = accounts.revoke(_db(args), args.device)
    print(f"revoked {count} device(s)")
    return 0 if count else 1


def _move_user(args: argparse.Namespace) -> int:
    scope_moves.move_user(_db(args), args.user, args.team)
    print(f"user {args.user} is in team {args.team}; their phones follow at their next sync")
    return 0


def _reassign_zone(args: argparse.Namespace) -> int:
    moved = scope_moves.reassign_zone(_db(args), args.zone, args.team)
    print(f"zone {args.zone}: {moved} record(s) moved to team {args.team}; phones follow at their next sync")
    return 0


def _status(args: argparse.Namespace) -> int:
    db = _db(args)
    with db.read() as conn:
        counts = {
            "programs": conn.execute(sa.select(sa.func.count()).select_from(t.program)).scalar_one(),
            "teams": conn.execute(sa.select(sa.func.count()).select_from(t.team)).scalar_one(),
            "users": conn.execute(sa.select(sa.func.count()).select_from(t.account)).scalar_one(),
            "records": conn.execute(sa.select(sa.func.count()).select_from(t.record)).scalar_one(),
            "conflicts": conn.execute(sa.select(sa.func.count()).select_from(t.conflict)).scalar_one(),
            "change_seq": conn.execute(
                sa.select(t.counter.c.value).where(t.counter.c.name == "change")
            ).scalar_one(),
        }
    codes = enrollments.codes(db)
    counts["enrollments"] = {
        "active": sum(code.state == "active" for code in codes),
        "needs_reissue": [code.lookup for code in codes if code.needs_reissue],
    }
    counts["devices"] = phones.phones(db)
    counts["stalled_phones"] = [phone["id"] for phone in counts["devices"] if phone["stalled"]]
    print(json.dumps({"database": db.kind, **counts}, indent=2, ensure_ascii=False))
    return 0


def _phones(args: argparse.Namespace) -> int:
    listed = phones.phones(_db(args))
    if args.json:
        print(json.dumps(listed, indent=2, ensure_ascii=False))
        return 0
    for phone in listed:
        print(phone_line(phone))
    stalled = [phone for phone in listed if phone["stalled"]]
    if stalled:
        print(f"ALERT: {len(stalled)} phone(s) with a stalled queue (unsent changes older than a day)")
    return 0


def phone_line(phone: dict[str, object]) -> str:
    """One phone as a line of ``teren-sync phones``."""
    state = "revoked" if phone["revoked_at"] else "active"
    if phone["wipe_confirmed_at"]:
        state += ", wipe confirmed"
    age = phone["oldest_pending_age_s"]
    waiting = f"{phone['pending'] or 0} pending"
    if isinstance(age, int):
        waiting += f" (oldest {age // 3600} h)"
    return " | ".join((
        f"{'STALLED ' if phone['stalled'] else ''}{phone['user']} ({phone['role']}) {str(phone['id'])[:8]}",
        state,
        f"app {phone['app_version'] or '?'}",
        f"push {phone['last_push_at'] or '-'}",
        f"pull {phone['last_pull_at'] or '-'}",
        waiting,
        f"checksum {phone['checksum_state'] or '-'}",
        f"clock {phone['clock_offset_ms'] if phone['clock_offset_ms'] is not None else '-'} ms",
        f"erasures {phone['erasures_acknowledged']} pulled, {phone['erasures_pending']} not yet",
    ))


def _file_bytes(path: Path) -> int:
    """The file and its WAL, if any (committed writes may still be only in the WAL)."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _repage(args: argparse.Namespace) -> int:
    """Rewrite a SQLite file with ``SQLITE_PAGE_SIZE`` pages, then migrate it.

    It migrates after, not before: migrating first opens the file through the service's pool and,
    behind a running service, waits up to 30 s for the write lock and fails without saying why;
    ``repage_sqlite`` notices the other process within a second and the message says what to do.
    """
    url = database_url(_location(args))
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        print(
            "error: repage applies only to SQLite files (PostgreSQL has no page size to convert)",
            file=sys.stderr,
        )
        return 2
    path = Path(url.removeprefix("sqlite:///"))
    try:
        size_before = _file_bytes(path) if path.is_file() else 0
        before, after = repage_sqlite(path)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SQLiteBusyError as exc:
        print(
            f"error: {exc}: stop the teren-sync service(s) using it first, then run repage again "
            "(nothing was changed)",
            file=sys.stderr,
        )
        return 1
    if before == after:
        print(f"page size already {after} bytes: nothing to do")
    else:
        print(f"page size: {before} -> {after} bytes")
        print(f"file size: {size_before} -> {_file_bytes(path)} bytes")
    _db(args).dispose()
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="teren-sync", description="Teren sync service")
    root.add_argument(
        "--db", help="SQLite path or postgresql:// URL (default: $TEREN_SYNC_DB or teren-sync.db)"
    )
    sub = root.add_subparsers(dest="command", required=True)

    serve.register(sub)

    team = sub.add_parser("create-team", help="create a team (and its program if new); prints its id")
    team.add_argument("--db", default=argparse.SUPPRESS)
    team.add_argument("name")
    team.add_argument("--program", default="Program", help="program name")
    team.set_defaults(func=_create_team)

    user = sub.add_parser("create-user", help="create a user; prints its id")
    user.add_argument("--db", default=argparse.SUPPRESS)
    user.add_argument("name")
    user.add_argument("--role", choices=[r.value for r in Role], default=Role.ANIMATOR.value)
    user.add_argument("--team", help="team id (animators, library staff)")
    user.add_argument("--program", help="program id (supervisors and admins without a team)")
    user.set_defaults(func=_create_user)

    enroll = sub.add_parser("enroll", help="one-time enrollment code and QR for a user's device")
    enroll.add_argument("--db", default=argparse.SUPPRESS)
    enroll.add_argument("user", help="user id")
    enroll.add_argument("--server", required=True, help="the service's https address devices use")
    enroll.add_argument("--ttl-hours", type=float, default=24)
    enroll.add_argument("--png", help="also write the QR code as a PNG file")
    enroll.add_argument("--insecure-http", action="store_true", help=INSECURE_HELP)
    enroll.set_defaults(func=_enroll)

    listing = sub.add_parser(
        "enrollments",
        help="enrollment codes waiting to be used, and codes someone guessed at",
        description="Codes not yet used, and every code with wrong tries (the secret is never shown). "
        "A code someone guessed at is marked: replace it with 'teren-sync reissue <lookup>'.",
    )
    listing.add_argument("--db", default=argparse.SUPPRESS)
    listing.add_argument("--all", action="store_true", help="also used, expired and replaced codes")
    listing.add_argument("--json", action="store_true", help="as JSON")
    listing.set_defaults(func=_enrollments)

    again = sub.add_parser(
        "reissue",
        help="replace an unused enrollment code with a new one for the same user (prints its QR)",
        description="The old code stops working at once; the new one goes to the same user, with the "
        "old code's server address and lifetime unless given.",
    )
    again.add_argument("--db", default=argparse.SUPPRESS)
    again.add_argument("code", help="its lookup part (as 'teren-sync enrollments' lists it), or all of it")
    again.add_argument("--server", help="the service's https address (default: the old code's)")
    again.add_argument("--ttl-hours", type=float, help="lifetime (default: the old code's)")
    again.add_argument("--png", help="also write the QR code as a PNG file")
    again.add_argument("--insecure-http", action="store_true", help=INSECURE_HELP)
    again.set_defaults(func=_reissue)

    revoke = sub.add_parser("revoke", help="revoke a device (it wipes its data on next contact)")
    revoke.add_argument("--db", default=argparse.SUPPRESS)
    revoke.add_argument("device", help="device id (service id or the device's own id)")
    revoke.set_defaults(func=_revoke)

    restore = sub.add_parser(
        "restore-erased",
        help="an admin takes an erased person off the erased list (what was erased stays gone)",
        description=(
            "For an erasure made by mistake. Clears the contact's erased_at on the service and, at their "
            "next sync, on every device; its fields may then be filled in again and records naming it keep "
            "their notes. Nothing the erasure removed is brought back. No push can do this: a change "
            "that would clear an erasure is refused ('erased'). Recorded in the program's audit log "
            "(restored_erasure) under the admin's account, which must be an admin of the contact's program."
        ),
    )
    restore.add_argument("--db", default=argparse.SUPPRESS)
    restore.add_argument("contact", help="the contact's id")
    restore.add_argument("--admin", required=True, help="user id of the program's admin deciding it")
    restore.set_defaults(func=_restore_erased)

    zones = sub.add_parser("zones", help="zones of a team: import boundaries from GeoJSON")
    zones_sub = zones.add_subparsers(dest="zones_command", required=True)
    zimport = zones_sub.add_parser(
        "import",
        help="import a GeoJSON file's polygons (WGS 84, longitude first) as zones of a team, with animators",
    )
    zimport.add_argument("--db", default=argparse.SUPPRESS)
    zimport.add_argument("file", help="a GeoJSON FeatureCollection, Feature or Polygon")
    zimport.add_argument("--team", required=True, help="the team's id")
    zimport.add_argument(
        "--animator",
        action="append",
        help="user id or name of the animator of each feature, in order (properties.animator wins)",
    )
    zimport.set_defaults(func=_zones_import)


    move = sub.add_parser(
        "move-user",
        help="put a user in another team (their phones' records follow at the next sync, no reset)",
    )
    move.add_argument("--db", default=argparse.SUPPRESS)
    move.add_argument("user", help="user id")
    move.add_argument("--team", required=True, help="the new team's id (same program)")
    move.set_defaults(func=_move_user)

    zone = sub.add_parser(
        "reassign-zone",
        help="give a zone and its records to another team (phones of both teams follow at their next sync)",
    )
    zone.add_argument("--db", default=argparse.SUPPRESS)
    zone.add_argument("zone", help="the zone's id")
    zone.add_argument("--team", required=True, help="the new team's id (same program)")
    zone.set_defaults(func=_reassign_zone)

    listing_phones = sub.add_parser(
        "phones",
        help="every phone: last push and pull, pending changes, app version, checksum, clock, "
        "erasures, wipe; alerts for stalled queues",
    )
    listing_phones.add_argument("--db", default=argparse.SUPPRESS)
    listing_phones.add_argument("--json", action="store_true", help="as JSON")
    listing_phones.set_defaults(func=_phones)

    status = sub.add_parser("status", help="counts, enrollment codes and phones (with their state), as JSON")
    status.add_argument("--db", default=argparse.SUPPRESS)
    status.set_defaults(func=_status)

    repage = sub.add_parser(
        "repage",
        help=f"rewrite an old SQLite file with {SQLITE_PAGE_SIZE // 1024} KiB pages (stop the service first)",
        description=(
            f"Rewrite a SQLite service file with the page size new files get ({SQLITE_PAGE_SIZE} "
            "bytes; older files keep SQLite's 4096): fewer pages written per push. Stop every "
            "service using the file first: if another process has it open, this changes nothing and "
            "exits 1. The rewrite (VACUUM) needs free disk space about the file's size. Exits 2 "
            "for a PostgreSQL URL, so a script pointed at the wrong database notices."
        ),
    )
    repage.add_argument("--db", default=argparse.SUPPRESS)
    repage.set_defaults(func=_repage)
    ops_cli.register(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
