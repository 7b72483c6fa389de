"""A process writing through the store is SIGKILLed at random moments; nothing is half-written.

After each kill the store is reopened and checked: SQLite integrity, every record has its outbox
entries and every outbox entry its record, every transaction's group of records is all there or
not at all, every commit the child reported survived, and the search index matches the contacts.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fieldapp.store import Store, raw, search
from fieldapp.store.search import INDEXED

WRITER = Path(__file__).with_name("kill_writer.py")
ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 5


class Child:
    """The writer process with its stdout read in a background thread."""

    def __init__(self, path: Path, seed: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), str(path), str(seed)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())
            if line.strip() == "ready":
                self.ready.set()

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)

    @property
    def committed(self) -> list[str]:
        return [line.split()[1] for line in self.lines if line.startswith("committed ")]


def check_store(path: Path, committed: set[str]) -> int:
    """All the invariants; returns the number of groups found."""
    store = Store(path)
    try:
        with store.engine.connect() as conn:
            db = raw(conn)
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            if search.uses_fts5(db):
                db.execute("INSERT INTO contact_search (contact_search) VALUES ('integrity-check')")

            # Records ↔ outbox: the insert entry, one entry per later field edit, nothing orphaned.
            outbox: dict[tuple[str, str], list[tuple[list[str], str]]] = {}
            for record_type, record_id, fields, hlc in db.execute(
                "SELECT record_type, record_id, fields, hlc FROM outbox"
            ):
                outbox.setdefault((record_type, record_id), []).append((json.loads(fields), hlc))
            records = set()
            for table in ("contact", "visit"):
                for record_id, base_hlc, field_hlcs in db.execute(
                    f"SELECT id, base_hlc, field_hlcs FROM {table}"
                ):
                    records.add((table, record_id))
                    entries = outbox.get((table, record_id))
                    assert entries, f"{table} {record_id} has no outbox entry"
                    assert (["*"], base_hlc) in entries
                    for name, hlc in json.loads(field_hlcs).items():
                        assert any(name in fields and h == hlc for fields, h in entries), (record_id, name)
            assert set(outbox) == records, "outbox entries without their record"

            # Each transaction's group is whole: N contacts and one visit, or nothing.
            rows = db.execute("SELECT tags, flat, count(*) FROM contact GROUP BY tags, flat").fetchall()
            groups = {tag: (count, int(flat)) for tag, flat, count in rows}
            assert len(groups) == len(rows), "a group with two sizes"
            for tag, (count, size) in groups.items():
                assert count == size, f"group {tag}: {count} of {size} contacts"
            visits = dict(db.execute("SELECT notes, count(*) FROM visit GROUP BY notes").fetchall())
            assert visits == dict.fromkeys(groups, 1)

            # Every commit the child reported is there.
            missing = committed - set(groups)
            assert not missing, f"reported committed but lost: {sorted(missing)[:3]}"

            # The search index holds exactly the live contacts, with their current text.
            columns = ", ".join(name for name, _ in INDEXED)
            text = search.index_text(db)
            live = {
                row[0]: tuple(text(value) for value in row[1:])
                for row in db.execute(f"SELECT rowid, {columns} FROM contact WHERE deleted = 0")
            }
            indexed = {
                row[0]: tuple(row[1:]) for row in db.execute(f"SELECT rowid, {columns} FROM contact_search")
            }
            assert indexed == live
        if groups:
            name = db_name_of_some_live_contact(store)
            if name:
                assert name in [c.name for c in store.search_contacts(name, limit=500)]
        return len(groups)
    finally:
        store.close()


def db_name_of_some_live_contact(store: Store) -> str | None:
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT name FROM contact WHERE deleted = 0 ORDER BY rowid DESC").first()
    return row[0] if row else None


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_a_consistent_store(tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    path = tmp_path / "device.db"
    committed: set[str] = set()
    groups = 0
    started = time.monotonic()
    for round_no in range(ROUNDS):
        child = Child(path, rng.randrange(1 << 30))
        if round_no == 0:
            # Anywhere from start-up (imports, migrations of a new file) to the first writes.
            time.sleep(rng.uniform(0.2, 1.5))
        else:
            assert child.ready.wait(timeout=30), f"writer did not start (seed {seed})"
            time.sleep(rng.uniform(0.05, 0.6))
        assert child.proc.poll() is None, child.proc.stderr.read() if child.proc.stderr else ""
        child.kill()
        committed.update(child.committed)
        if path.exists():
            groups = check_store(path, committed)
            print(f"round {round_no}: {len(child.committed)} commits, {groups} groups")
    assert len(committed) > 0 and groups >= len(committed), f"seed {seed}"
    assert time.monotonic() - started < 60


OPENER = """
import sys, time
from fieldapp.store import Store
print("imported", flush=True)
Store(sys.argv[1])
print("opened", flush=True)
time.sleep(60)
"""


def _old_file(path: Path, contacts: int) -> None:
    """A schema-version-1 file with many contacts, so that migrating it takes a while."""
    import sqlite3

    from fieldapp.model import Contact
    from fieldapp.store import codec
    from fieldapp.store.migrate import migrate
    from sync.hlc import encode

    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    hlc = encode(1_700_000_000_000, 0, "oldphone")
    # Only the columns version 1 had (later migrations add some, as an old app would not know them).
    old = [row[1] for row in conn.execute("PRAGMA table_info(contact)")]
    names = list(codec.columns(Contact))
    rows = [
        tuple(
            value
            for name, value in zip(names, codec.row(Contact, Contact.model_construct(
                kind="resident", name=f"Łucja Żółkiewska {i}", address=f"Łąkowa {i}",
                lat=51.76 + i * 1e-6, lon=19.45, base_hlc=hlc, updated_hlc=hlc,
            ).model_dump()), strict=True)
            if name in old
        )
        for i in range(contacts)
    ]
    columns = ", ".join(f'"{name}"' for name in names if name in old)
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO contact ({columns}) VALUES ({', '.join('?' * len(old))})", rows)
    conn.execute("COMMIT")
    conn.close()


@pytest.mark.slow
def test_sigkill_during_migration_leaves_a_whole_version(tmp_path: Path) -> None:
    """Each migration commits with its version bump: a kill mid-way leaves a whole older version."""
    import shutil
    import sqlite3

    from fieldapp.store.migrate import LATEST_VERSION

    template = tmp_path / "v1.db"
    _old_file(template, 10_000)
    rng = random.Random()
    seen_versions = set()
    for round_no in range(3):
        path = tmp_path / f"round{round_no}.db"
        shutil.copy(template, path)
        proc = subprocess.Popen(
            [sys.executable, "-c", OPENER, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "imported"
        time.sleep(rng.uniform(0.1, 1.0))  # migrating 10,000 contacts takes ~0.6 s
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        conn = sqlite3.connect(path)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            assert ("contact_search" in tables) == (version >= 2)
            if version >= 2:
                indexed = conn.execute("SELECT count(*) FROM contact_search").fetchone()[0]
                assert indexed == 10_000, f"version {version} with a partial search index"
        finally:
            conn.close()
        seen_versions.add(version)
        store = Store(path)
        try:
            assert store.schema_version == LATEST_VERSION
            assert [c.name for c in store.search_contacts("zolkiewska 1234")] == ["Łucja Żółkiewska 1234"]
            assert len(store.search_contacts("lakowa", limit=100)) == 100
        finally:
            store.close()
    print("versions at the kill:", sorted(seen_versions))
