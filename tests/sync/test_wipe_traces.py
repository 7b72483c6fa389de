"""A revoked device forgets everything: no name, phone, address, note or tag is left anywhere in its
files (the database, ``-wal`` and ``-shm``), synced or not, in the search index's segments neither."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fieldapp.model import Visit
from fieldapp.store import Store
from fieldapp.store.wipe import K_UNFINISHED, wipe
from fieldapp.sync import SyncEngine, SyncError
from sync.server import accounts
from tests.rodo.helpers import byte_hits
from tests.store.fts5_terms import index_terms
from tests.sync.conftest import World
from tests.sync.helpers import add_contact

SYNCED = {
    "name": "Bożydar Kwiatkowski",
    "phone": "601 234 567",
    "address": "Zielona 7/12",
    "notes": "Dzwonić wieczorem",
    "tags": "seniorzy, ogródki",
}
NEVER_SYNCED = {
    "name": "Zenobia Żółkiewska",
    "phone": "608 765 432",
    "address": "Ukryta 3",
    "notes": "Prosi o dyskrecję",
    "tags": "sąsiedzi",
}
#: As written and as folded for search (what the index holds): every word of every value above.
NEEDLES = (
    "Bożydar", "Bozydar", "Kwiatkowski", "601 234 567", "Zielona", "Dzwonić", "Dzwonic", "wieczorem",
    "seniorzy", "ogródki", "ogrodki", "Zenobia", "Żółkiewska", "zolkiewska", "608 765 432", "Ukryta",
    "dyskrecję", "dyskrecje", "sąsiedzi", "sasiedzi", "Notatka z wizyty",
)  # fmt: skip
#: The search index's words for the indexed values (folded: names, addresses, tags): none may stay
#: in any segment.
WORDS = {
    "bozydar",
    "kwiatkowski",
    "zielona",
    "seniorzy",
    "ogrodki",
    "zenobia",
    "zolkiewska",
    "ukryta",
    "sasiedzi",
}


def _write_people(store: Store, person: dict[str, str], *, many: int = 0) -> None:
    contact = add_contact(store, **person)
    with store.write() as conn:
        store.save(conn, Visit(contact_id=contact.id, outcome="talked", notes="Notatka z wizyty"))
    for number in range(many):  # enough rows for several index segments and B-tree pages
        add_contact(store, f"{person['name']} {number}", address=f"{person['address']} {number}")


def test_a_revoked_device_keeps_no_trace_of_anyone(world: World) -> None:
    a = world.device()
    _write_people(a.store, SYNCED, many=150)
    a.engine.sync()
    _write_people(a.store, NEVER_SYNCED, many=20)
    assert byte_hits(a.store.path, NEEDLES) and index_terms(a.store.path) >= WORDS
    # A person's export and a log trace beside the store hold personal data too.
    folder = a.store.path.parent
    (folder / "exports").mkdir(exist_ok=True)
    (folder / "exports" / "rodo-person.json").write_text(NEEDLES[0], encoding="utf-8")
    (folder / "logs").mkdir(exist_ok=True)
    (folder / "logs" / "teren.log").write_text(f"ValueError: {NEEDLES[0]}", encoding="utf-8")
    (folder / "logs" / "teren.log.1").write_text(NEEDLES[0], encoding="utf-8")
    assert accounts.revoke(world.db, a.store.device_id) == 1

    with pytest.raises(SyncError) as error:
        a.engine.sync()

    assert error.value.code == "device_revoked"
    assert not (folder / "exports").exists()
    assert (folder / "logs" / "teren.log").read_text(encoding="utf-8") == ""
    assert not (folder / "logs" / "teren.log.1").exists()
    assert index_terms(a.store.path) == set()
    assert byte_hits(a.store.path, NEEDLES) == []
    # The wiped store still works: a new enrollment starts from nothing, search included.
    assert a.store.search_contacts("kwiatkowski") == []
    add_contact(a.store, "Ala Nowak")
    assert [c.name for c in a.store.search_contacts("nowak")] == ["Ala Nowak"]


def test_a_wipe_a_reader_held_up_is_finished_when_the_engine_opens(tmp_path: Path) -> None:
    store = Store(tmp_path / "device.db")
    _write_people(store, NEVER_SYNCED, many=20)
    reader = sqlite3.connect(store.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM contact").fetchone()  # a snapshot the WAL must keep
    try:
        assert not wipe(store)
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert index_terms(store.path) == set()
    SyncEngine(store)  # what the app makes at start
    assert byte_hits(store.path, NEEDLES) == [] and store.meta(K_UNFINISHED) is None
    store.close()


def test_old_exports_and_rotated_logs_are_deleted_when_the_app_starts(tmp_path: Path) -> None:
    """Retention of files: an export or a rotated log left for 30 days goes; the live log stays."""
    import os
    import time

    from fieldapp.store.wipe import prune_old_files

    (tmp_path / "exports").mkdir()
    (tmp_path / "logs").mkdir()
    old, fresh = tmp_path / "exports" / "rodo-old.json", tmp_path / "exports" / "rodo-new.json"
    rotated, live = tmp_path / "logs" / "teren.log.2", tmp_path / "logs" / "teren.log"
    for path in (old, fresh, rotated, live):
        path.write_text("x", encoding="utf-8")
    month_ago = time.time() - 31 * 86_400
    for path in (old, rotated, live):
        os.utime(path, (month_ago, month_ago))
    assert prune_old_files(tmp_path) == 2
    assert not old.exists() and not rotated.exists() and fresh.exists() and live.exists()
