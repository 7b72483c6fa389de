"""A randomised fault campaign: devices record, edit, delete and erase while the network drops,
cuts, delays, duplicates and reorders their requests (``ChaosProxy``), their clocks are off, and the
service is SIGKILLed and started again; afterwards everything must agree.

    .venv/bin/python tests/faults/campaign.py [--seconds 1800] [--seed N] [--postgres]

(or ``TEREN_CAMPAIGN_SECONDS=1800 .venv/bin/python -m pytest tests/faults/test_campaign.py``; CI
runs a short one). Five devices: two animators of team A (clocks right and 2 h behind), one 10 min
ahead, one of team B a year ahead, and a supervisor who erases people. Each loops: a few random
actions on its own store through the app's write path, then a sync (refusals and network errors
are expected; the device tries again next round). A ``teren-sync serve`` process (SQLite file or
PostgreSQL) is killed with SIGKILL every few seconds and restarted on the same port.

After the chaos: the proxy calms down and sends every request copy it kept (old pushes arriving
last), the service stays up, every device syncs until its outbox is empty. Then (``check``):

- every record a device created is on the service, and nothing else is (nothing lost, nothing
  doubled), its author the device's user;
- every device holds exactly what the service holds in its scope (contacts and visits, deletions
  and erasures included): they converged;
- every person the supervisor erased is erased on the service and on every device, listed in
  ``erased_contact``, and nothing else is (erasure final through replays and stale edits);
- devices were only ever told of network trouble (``offline``, ``timeout``, ``unavailable``), and the
  service logged no unexpected error.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa

from fieldapp.model import Contact, Visit
from fieldapp.services.rodo import erase_person
from fieldapp.services.validation import delete_record
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine, SyncError
from sync.hlc import Clock
from sync.server import accounts
from sync.server import tables as t
from sync.server.db import Database
from tests.faults.chaos_proxy import ChaosProxy
from tests.sync import processes
from tests.sync.conftest import create_pg_database

HOUR_MS = 3_600_000
#: (role, team, clock offset in ms) of each device.
DEVICES = (
    ("animator", "A", 0),
    ("animator", "A", -2 * HOUR_MS),
    ("animator", "A", 10 * 60_000),
    ("animator", "B", 365 * 24 * HOUR_MS),
    ("supervisor", None, 0),
)
#: What a device may be told during the chaos: the network or the service was away.
EXPECTED_ERRORS = {"offline", "timeout", "unavailable"}


class Service:
    """``teren-sync serve`` on a fixed port, killed (SIGKILL) and started again at random."""

    def __init__(self, db_url: str, log: Path) -> None:
        self.db_url, self.port, self.log = db_url, processes.free_port(), log
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, *processes.serve_args(self.db_url, self.port)],
                cwd=processes.ROOT, env=processes.environment(), stdout=out, stderr=out,
            )
        processes.wait(self.process, self.port, timeout=60)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.kills += 1

    def keep_killing(self, stop: threading.Event, rng: random.Random, every: tuple[float, float]) -> None:
        while not stop.wait(rng.uniform(*every)):
            self.kill()
            time.sleep(rng.uniform(0.1, 1.0))  # down for a moment, as a crashed process restarting
            self.start()

    def stop(self) -> None:
        if self.process is not None:
            processes.stop(self.process)


@dataclass
class Actor:
    """One device and what it did."""

    engine: SyncEngine
    transport: HttpTransport
    role: str
    team: str | None
    user_id: str
    created: set[tuple[str, str]] = field(default_factory=set)
    erased: set[str] = field(default_factory=set)
    told: Counter[str] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)

    @property
    def store(self) -> Store:
        return self.engine.store

    def run(self, stop: threading.Event, rng: random.Random) -> None:
        try:
            while not stop.is_set():
                for _ in range(rng.randint(1, 3)):
                    self.act(rng)
                try:
                    self.engine.sync()
                except SyncError as exc:
                    self.told[exc.code] += 1
                time.sleep(rng.uniform(0, 0.15))
        except Exception:  # reported by check(): a device must never crash
            self.crashes.append(traceback.format_exc())

    def act(self, rng: random.Random) -> None:
        contacts = self._contacts()
        roll = rng.random()
        if self.role == "supervisor":
            if contacts and roll < 0.25:
                victim = rng.choice(contacts)
                erase_person(self.store, victim.id, by=self.user_id)
                self.erased.add(victim.id)
            return
        if not contacts or roll < 0.4:
            self._record(rng)
        elif roll < 0.85:
            contact = rng.choice(contacts)
            field_name = rng.choice(["name", "phone", "notes"])
            number = rng.randrange(10**8)
            value = f"6{number:08d}" if field_name == "phone" else f"{field_name} {number}"
            setattr(contact, field_name, value)
            with self.store.write() as conn:
                self.store.save(conn, contact, [field_name])
        else:
            delete_record(self.store, Contact, rng.choice(contacts).id)

    def _record(self, rng: random.Random) -> None:
        with self.store.write() as conn:
            name = f"Osoba {rng.randrange(10**6)}"
            contact = self.store.save(conn, Contact(kind="resident", name=name, phone="600100200"))
            visit = self.store.save(conn, Visit(contact_id=contact.id, outcome="talked", notes=f"o {name}"))
        self.created |= {("contact", contact.id), ("visit", visit.id)}

    def _contacts(self) -> list[Contact]:
        with self.store.engine.connect() as conn:
            ids = conn.exec_driver_sql("SELECT id FROM contact WHERE deleted = 0").scalars().all()
        found = [self.store.get(Contact, i) for i in ids]
        return [c for c in found if c is not None]


def offset_clock(store: Store, offset_ms: int) -> None:
    """The device's clock runs ``offset_ms`` off the real time from now on."""
    def wall() -> int:
        return time.time_ns() // 1_000_000 + offset_ms

    store.clock = Clock(store.clock.node, last=store.clock.last(), wall=wall)


@dataclass
class Campaign:
    db_url: str
    folder: Path
    seed: int = 1
    actors: list[Actor] = field(default_factory=list)
    program: str = ""

    def run(self, seconds: float, *, kill_every: tuple[float, float] = (2.0, 6.0)) -> dict[str, Any]:
        rng = random.Random(self.seed)
        service = Service(self.db_url, self.folder / "service.log")
        service.start()
        db = Database(self.db_url)
        proxy = ChaosProxy(service.port, seed=self.seed, drop=0.1, cut=0.1, duplicate=0.15, replay=0.15)
        proxy.start().calm()  # enrolled over a quiet network, then the chaos begins
        try:
            self._enroll(db, proxy)
            proxy.faults = True
            stop = threading.Event()
            threads = [
                threading.Thread(target=actor.run, args=(stop, random.Random(rng.random())), daemon=True)
                for actor in self.actors
            ]
            killer = (stop, random.Random(rng.random()), kill_every)
            threads.append(threading.Thread(target=service.keep_killing, args=killer))
            for thread in threads:
                thread.start()
            time.sleep(seconds)
            stop.set()
            for thread in threads:
                thread.join(120)
            if service.process is None or service.process.poll() is not None:
                service.start()
            proxy.calm()
            proxy.replay_kept()  # the oldest copies of requests arrive last
            self._flush()
            return {
                "seconds": seconds,
                "kills": service.kills,
                "proxy": dict(proxy.events),
                "told": dict(sum((a.told for a in self.actors), Counter())),
                "records": sum(len(a.created) for a in self.actors),
                "erased": sum(len(a.erased) for a in self.actors),
                "problems": self.check(db, service.log),
            }
        finally:
            proxy.stop()
            service.stop()
            for actor in self.actors:
                actor.store.close()
            db.dispose()

    def _enroll(self, db: Database, proxy: ChaosProxy) -> None:
        self.program = accounts.create_program(db, f"Kampania {self.seed}")
        teams = {name: accounts.create_team(db, name, program_id=self.program) for name in ("A", "B")}
        for n, (role, team, offset) in enumerate(DEVICES):
            if team is None:
                user = accounts.create_user(db, f"{role} {n}", role, program_id=self.program)
            else:
                user = accounts.create_user(db, f"{role} {n}", role, team_id=teams[team])
            transport = HttpTransport(retries=1, backoff=0.05, max_backoff=0.5, timeout=5.0)
            store = Store(self.folder / f"device-{n}.db")
            engine = SyncEngine(store, transport, batch_size=50, page_size=100)
            engine.enroll(accounts.create_enrollment(db, user, proxy.url).uri)
            offset_clock(engine.store, offset)
            self.actors.append(Actor(engine, transport, role, teams.get(team or ""), user))

    def _flush(self) -> None:
        """Everyone pushes what is left (a few rounds), then everyone pulls what the others sent."""
        for actor in self.actors:
            actor.transport.retries = 4
        for _ in range(6):
            for actor in self.actors:
                actor.engine.sync()
            if all(a.store.pending_changes() == 0 for a in self.actors):
                break
        for actor in self.actors:
            actor.engine.sync()

    def check(self, db: Database, log: Path) -> list[str]:
        """What went wrong, in words (empty: nothing)."""
        problems = [f"device crashed: {c}" for a in self.actors for c in a.crashes]
        held = _service_records(db, self.program)
        created = {key: a for a in self.actors for key in a.created}
        if lost := created.keys() - held.keys():
            problems.append(f"lost: {sorted(lost)[:5]} ({len(lost)})")
        if ghosts := held.keys() - created.keys():
            problems.append(f"records no device created: {sorted(ghosts)[:5]} ({len(ghosts)})")
        problems += [
            f"{key} credited to {row['author_id']}, made by {created[key].user_id}"
            for key, row in held.items()
            if key in created and row["author_id"] != created[key].user_id
        ]
        erased = {i for a in self.actors for i in a.erased}
        with db.read() as conn:
            listed = set(conn.execute(sa.select(t.erased_contact.c.id)).scalars())
        if listed != {i for i in erased if ("contact", i) in held}:
            problems.append(f"erased list {sorted(listed)[:5]} is not what was erased {sorted(erased)[:5]}")
        for record_id in erased:
            row = held.get(("contact", record_id))
            if row and not (row["erased_at"] and row["name"] == row["phone"] == row["notes"] == ""):
                problems.append(f"erasure of {record_id} undone on the service: {row}")
        for actor in self.actors:
            problems += _disagreements(actor, held)
            if actor.store.pending_changes() or actor.engine.status().last_error_code:
                problems.append(f"device {actor.role}/{actor.team} not settled: {actor.engine.status()}")
            if unexpected := set(actor.told) - EXPECTED_ERRORS:
                problems.append(f"device {actor.role}/{actor.team} was told {unexpected}")
        text = log.read_text(errors="replace")
        if "unexpected error" in text or "Traceback" in text:
            problems.append("the service logged an unexpected error:\n" + text[-3000:])
        return problems


def _service_records(db: Database, program: str) -> dict[tuple[str, str], dict[str, Any]]:
    query = sa.select(
        t.record.c.record_type, t.record.c.id, t.record.c.team_id, t.record.c.data, t.record.c.deleted,
        t.record.c.author_id,
    ).where(t.record.c.program_id == program)
    with db.read() as conn:
        return {
            (r.record_type, r.id): {
                "team_id": r.team_id, "deleted": bool(r.deleted), "author_id": r.author_id,
                "name": r.data.get("name"), "phone": r.data.get("phone"), "notes": r.data.get("notes"),
                "erased_at": bool(r.data.get("erased_at")),
            }
            for r in conn.execute(query)
        }


def _disagreements(actor: Actor, held: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """Where the device's store and the service's records in its scope differ."""
    mine: dict[tuple[str, str], tuple[Any, ...]] = {}
    with actor.store.engine.connect() as conn:
        contacts = "SELECT id, name, phone, notes, erased_at IS NOT NULL, deleted FROM contact"
        for row in conn.exec_driver_sql(contacts):
            mine[("contact", row[0])] = (row[1], row[2], row[3], bool(row[4]), bool(row[5]))
        for row in conn.exec_driver_sql("SELECT id, notes, deleted FROM visit"):
            mine[("visit", row[0])] = (row[1], bool(row[2]))
    theirs: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key, held_row in held.items():
        if actor.team is not None and held_row["team_id"] != actor.team:
            continue
        fields: tuple[str, ...]
        if key[0] == "contact":
            fields = ("name", "phone", "notes", "erased_at", "deleted")
        else:
            fields = ("notes", "deleted")
        theirs[key] = tuple(held_row[name] for name in fields)
    wrong = [key for key in mine.keys() | theirs.keys() if mine.get(key) != theirs.get(key)]
    return [
        f"device {actor.role}/{actor.team} holds {key} as {mine.get(key)}, the service as {theirs.get(key)}"
        for key in sorted(wrong)[:10]
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=1800, help="chaos duration (default 30 min)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--postgres", action="store_true", help="the service on PostgreSQL (else SQLite)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="teren-campaign-"))
    pg = create_pg_database() if args.postgres else None
    try:
        db_url = pg.url if pg else str(folder / "service.db")
        outcome = Campaign(db_url, folder, args.seed).run(args.seconds)
    finally:
        if pg:
            pg.drop()
    print(outcome)
    return 1 if outcome["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
