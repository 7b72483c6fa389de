"""``teren-sync backup`` / ``restore`` on SQLite and PostgreSQL, and devices after a restore.

The floor (issue 25): restore an older backup, then devices sync again correctly — a device whose
cursor is ahead of the restored service is detected and brought back in line without losing its
unsent edits. Here, besides: what devices pushed after the backup comes back from them, new
changes other devices push meanwhile (reusing the lost sequence numbers) are not skipped, and an
erasure made after the backup is not undone.
"""

from __future__ import annotations

import json
import stat
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from fieldapp.services.rodo.erasure import erase_person
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from sync.server import accounts
from sync.server import tables as t
from sync.server.backup import BackupError, DatabaseInUse, backup, restore
from sync.server.cli import main
from sync.server.db import Database
from sync.server.local import LocalServer, start_local_server
from tests.sync.helpers import add_contact, contact_names, edit


class Field:
    """A program with one team on a service the test stops and starts; enrolled devices."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.url = url
        self.tmp_path = tmp_path
        self.server: LocalServer = start_local_server(url)
        db = self.server.db
        self.program = accounts.create_program(db, "Łódź 2026")
        self.team = accounts.create_team(db, "Zespół Widzew", program_id=self.program)
        self.devices: list[SyncEngine] = []

    def device(self, role: str = "animator") -> SyncEngine:
        name = f"{role}-{len(self.devices)}"
        if role == "supervisor":
            user = accounts.create_user(self.server.db, name, role, program_id=self.program)
        else:
            user = accounts.create_user(self.server.db, name, role, team_id=self.team)
        store = Store(self.tmp_path / f"device-{len(self.devices)}.db")
        engine = SyncEngine(store, HttpTransport(backoff=0.01, retries=2, timeout=10.0))
        engine.enroll(accounts.create_enrollment(self.server.db, user, self.server.url).uri)
        self.devices.append(engine)
        return engine

    def stop(self) -> None:
        self.server.stop()
        self.server.db.dispose()

    def start(self) -> None:
        self.server = start_local_server(self.url)
        for engine in self.devices:
            engine.move_to(self.server.url)

    def service_names(self) -> dict[str, str]:
        with self.server.db.read() as conn:
            rows = conn.execute(
                sa.select(t.record.c.id, t.record.c.data).where(t.record.c.record_type == "contact")
            ).all()
        return {row.id: row.data["name"] for row in rows}

    def close(self) -> None:
        self.stop()
        for engine in self.devices:
            engine.store.close()


@pytest.fixture
def field(service_db: str, tmp_path: Path) -> Any:
    made = Field(service_db, tmp_path)
    yield made
    made.close()


def _cli(*args: str) -> dict[str, Any]:
    out = StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    assert code == 0, out.getvalue()
    return json.loads(out.getvalue())


def _service_seq(field: Field) -> int:
    with field.server.db.read() as conn:
        return conn.execute(sa.select(t.counter.c.value).where(t.counter.c.name == "change")).scalar_one()


def _cursor(engine: SyncEngine) -> int:
    return int(engine.store.meta("sync.cursor") or 0)


def test_devices_are_brought_back_in_line_after_a_restore(field: Field, tmp_path: Path) -> None:
    anna, bartek = field.device(), field.device()
    kept = add_contact(anna.store, "Ala Nowak")
    second = add_contact(anna.store, "Ola Kowalska")
    anna.sync()
    bartek.sync()

    # Taken while the service runs (online), as a cron job would.
    made = _cli("--db", field.url, "backup", str(tmp_path / "backups"))
    taken = Path(made["file"])
    assert stat.S_IMODE(taken.stat().st_mode) == 0o600
    assert made["change_seq"] == 2 and made["epoch"]

    # After the backup: Anna edits and adds, Bartek adds; both sync, so Anna's cursor runs ahead.
    edit(anna.store, kept, name="Alicja Nowak")
    later = add_contact(anna.store, "Ewa Zielińska")
    anna.sync()
    bartek_own = add_contact(bartek.store, "Jan Wiśniewski")
    bartek.sync()
    anna.sync()
    ahead = _cursor(anna)
    assert ahead > made["change_seq"]
    # Anna's edits not yet sent when the service is restored.
    edit(anna.store, second, name="Olga Kowalska")
    unsent = add_contact(anna.store, "Piotr Zając")

    field.stop()
    restored = _cli("--db", field.url, "restore", str(taken), "--yes")
    assert restored["change_seq"] == 2 and restored["epoch"] != made["epoch"]
    field.start()
    assert field.service_names() == {kept.id: "Ala Nowak", second.id: "Ola Kowalska"}

    # Bartek first: he starts again, sends his own record again, then pushes enough new work that
    # the service's counter passes Anna's old cursor: seqs she would skip paging from it.
    bartek.sync()
    assert _cursor(bartek) >= 2
    bartek.sync()
    fresh = [add_contact(bartek.store, f"Mieszkaniec {n}").id for n in range(ahead)]
    bartek.sync()
    assert _service_seq(field) > ahead

    receipt = anna.sync()
    assert receipt.applied >= 2  # the unsent edit and record, pushed before the pull noticed
    assert set(fresh) <= set(contact_names(anna.store))  # nothing skipped
    anna.sync()  # what she wrote after the backup, queued again, goes out
    bartek.sync()

    expected = {
        kept.id: "Alicja Nowak",
        second.id: "Olga Kowalska",
        later.id: "Ewa Zielińska",
        unsent.id: "Piotr Zając",
        bartek_own.id: "Jan Wiśniewski",
        **{record_id: f"Mieszkaniec {n}" for n, record_id in enumerate(fresh)},
    }
    assert field.service_names() == expected
    assert contact_names(anna.store) == expected
    assert contact_names(bartek.store) == expected
    assert anna.status().pending == 0 and bartek.status().pending == 0
    # In line: the next sync sends and fetches nothing.
    again = anna.sync()
    assert (again.pushed, again.pulled) == (0, 0)


def test_an_erasure_after_the_backup_is_not_undone_by_a_restore(field: Field, tmp_path: Path) -> None:

    anna, bartek = field.device(), field.device("supervisor")
    person = add_contact(anna.store, "Ala Nowak", phone="+48 600 100 200")
    anna.sync()
    bartek.sync()
    taken = backup(field.server.db, tmp_path)
    erase_person(bartek.store, person.id, by=bartek.store.user_id or "")
    bartek.sync()
    anna.sync()
    assert field.service_names()[person.id] != "Ala Nowak"

    field.stop()
    db = Database(field.url)
    restore(db, Path(taken.file))
    db.dispose()
    field.start()
    assert field.service_names()[person.id] == "Ala Nowak"  # the backup still held her
    anna.sync()  # Anna created the record: she sends it again, erased as she holds it
    anna.sync()
    bartek.sync()  # the supervisor who erased her sends the erasure again
    bartek.sync()
    assert field.service_names()[person.id] != "Ala Nowak"
    anna.sync()
    assert contact_names(anna.store)[person.id] != "Ala Nowak"
    with field.server.db.read() as conn:
        data = conn.execute(sa.select(t.record.c.data).where(t.record.c.id == person.id)).scalar_one()
    assert data["erased_at"] and not data.get("phone")


def test_a_cursor_beyond_the_counter_starts_the_device_again(field: Field) -> None:
    """A database put back by other means (a file copy, a hand-run pg_restore) keeps its epoch:
    the counter below the device's cursor is signal enough."""
    anna = field.device()
    add_contact(anna.store, "Ala Nowak")
    anna.sync()
    anna.store.set_meta("sync.cursor", "1000")
    other = field.device()
    late = add_contact(other.store, "Jan Wiśniewski")
    other.sync()
    anna.sync()
    assert late.id in contact_names(anna.store)
    assert _cursor(anna) == _cursor(other)


def test_restore_refuses_what_it_cannot_do_and_changes_nothing(field: Field, tmp_path: Path) -> None:
    anna = field.device()
    add_contact(anna.store, "Ala Nowak")
    anna.sync()
    taken = Path(backup(field.server.db, tmp_path).file)
    db = Database(field.url)
    try:
        with pytest.raises(DatabaseInUse, match="stop the teren-sync service"):
            restore(db, taken)  # the service still runs
        field.stop()
        with pytest.raises(BackupError, match="exists"):
            backup(db, taken)
        wrong = tmp_path / "wrong.bin"
        wrong.write_bytes(b"PGDMP" if db.is_sqlite else b"SQLite format 3\x00")
        with pytest.raises(BackupError, match="is not a"):
            restore(db, wrong)
        broken = tmp_path / "broken.bin"
        broken.write_bytes(taken.read_bytes()[: len(taken.read_bytes()) // 2])
        with pytest.raises(BackupError):
            restore(db, broken)
        assert main(["--db", field.url, "restore", str(taken)]) == 2  # without --yes
    finally:
        db.dispose()
    field.start()
    assert list(field.service_names().values()) == ["Ala Nowak"]
    assert anna.sync().pulled == 0  # nothing happened to the service: same epoch, same counter


def test_restore_migrates_a_backup_of_an_older_schema(service_db: str, tmp_path: Path) -> None:
    db = Database(service_db)
    try:
        db.migrate("0004")
        taken = backup(db, tmp_path)
        assert (taken.revision, taken.epoch) == ("0004", None)
        db.migrate()
        assert db.revision() == db.head_revision()
        done = restore(db, Path(taken.file))
        assert done.revision == db.head_revision() and done.epoch
    finally:
        db.dispose()


def test_migrate_command_upgrades_downgrades_and_reports(
    service_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", service_db, "migrate", "current"]) == 1
    assert "current: empty" in capsys.readouterr().out
    assert main(["--db", service_db, "migrate", "upgrade", "0002"]) == 0
    assert capsys.readouterr().out.strip() == "empty -> 0002"
    assert main(["--db", service_db, "migrate", "upgrade"]) == 0
    assert main(["--db", service_db, "migrate", "current"]) == 0
    head = capsys.readouterr().out.splitlines()[-1].split()[-1]
    assert main(["--db", service_db, "migrate", "downgrade", "-1"]) == 0
    assert main(["--db", service_db, "migrate", "current"]) == 1
    assert main(["--db", service_db, "migrate", "downgrade", "base"]) == 0
    assert main(["--db", service_db, "migrate", "upgrade"]) == 0
    db = Database(service_db)
    try:
        assert db.revision() == head
    finally:
        db.dispose()
