"""The device's SQLite disk full (a size-limited file, ``PRAGMA max_page_count``): a clear error,
nothing half-written, and everything works again once space returns."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from fieldapp.model import Contact, Visit
from fieldapp.store import StorageFull, Store
from fieldapp.sync import SyncError
from tests.faults.helpers import explained
from tests.sync.conftest import World
from tests.sync.helpers import add_contact, contact_names


class Quota:
    """Limits a store's file to its current size plus ``spare_pages`` (on every new connection)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pages: int | None = None
        event.listen(store.engine, "connect", self._apply)

    def _apply(self, dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        if self.pages is not None:
            dbapi_conn.execute(f"PRAGMA max_page_count = {self.pages}")

    def limit(self, spare_pages: int) -> None:
        with self.store.engine.connect() as conn:
            used = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
        self.pages = used + spare_pages
        self.store.engine.dispose()

    def lift(self) -> None:
        self.pages = 1_073_741_823
        self.store.engine.dispose()


def _counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            table: conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
            for table in ("contact", "visit", "outbox", "contact_search")
        }


def _integrity(store: Store) -> str:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA integrity_check").scalar_one()


def _write_pair(store: Store, name: str, size: int) -> None:
    """A contact and a visit to it, in one transaction."""
    with store.write() as conn:
        contact = store.save(conn, Contact(kind="resident", name=name, notes="x" * size))
        store.save(conn, Visit(contact_id=contact.id, outcome="talked", notes="y" * size))


def _fill_until_full(store: Store, limit: int = 2000) -> int:
    """Write contacts with long notes until the store is full; how many fitted."""
    for written in range(limit):
        try:
            _write_pair(store, f"Zapełniacz {written}", 2000)
        except StorageFull:
            return written
    raise AssertionError("the quota never filled")


def test_a_write_that_does_not_fit_fails_whole_and_works_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "device.db")
    try:
        quota = Quota(store)
        quota.limit(spare_pages=40)
        assert _fill_until_full(store) > 0
        before = _counts(store)
        with pytest.raises(StorageFull, match="storage is full"):
            _write_pair(store, "Nie zmieszczę się", 20_000)
        assert _counts(store) == before  # the contact, its visit, outbox and search rows: none kept
        assert before["outbox"] == before["contact"] + before["visit"] == 2 * before["contact"]
        assert _integrity(store) == "ok"

        quota.lift()
        add_contact(store, "Jest miejsce")
        after = _counts(store)
        assert after["contact"] == before["contact"] + 1 and after["outbox"] == before["outbox"] + 1
        assert store.search_contacts("miejsce")
    finally:
        store.close()


def test_a_pull_that_does_not_fit_is_explained_and_resumes(world: World) -> None:
    a, b = world.device(), world.device(page_size=50)
    b.engine.sync()
    for i in range(120):
        add_contact(a.store, f"Sąsiad {i}", notes="n" * 1500)
    a.engine.sync()
    quota = Quota(b.store)
    quota.limit(spare_pages=30)
    with pytest.raises(SyncError) as error:
        b.engine.sync()
    assert error.value.code == "storage_full" and explained("storage_full")
    # Pages that fitted are kept with their cursor; the page that did not fit left nothing behind.
    assert len(contact_names(b.store)) < 120
    assert _integrity(b.store) == "ok"

    quota.lift()
    b.engine.sync()
    assert contact_names(b.store) == contact_names(a.store)
    assert b.engine.status().last_error_code is None


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (needs root and mount rights; skipped otherwise)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False, timeout=30)


def _fill_disk(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            for _ in range(4096):  # bounded: the tmpfs holds 512 of these
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)


def test_a_real_full_filesystem(tiny_disk: Path) -> None:
    store = Store(tiny_disk / "device.db")
    ballast = tiny_disk / "ballast"
    try:
        _fill_disk(ballast)  # take what is left, like other apps filling the phone
        before = _counts(store)
        with pytest.raises(StorageFull):
            for i in range(200):  # bounded: the WAL and the file can grow a little before it fails
                _write_pair(store, f"Ostatni {i}", 4000)
        written = _counts(store)
        assert written["outbox"] == written["contact"] + written["visit"] >= before["outbox"]
        assert written["contact"] == written["visit"]
        ballast.unlink()
        _write_pair(store, "Po sprzątaniu", 4000)
        assert _counts(store)["contact"] == written["contact"] + 1 and _integrity(store) == "ok"
    finally:
        store.close()
