"""The outbox functions (``fieldapp.store.outbox``) on real SQLite files, and the wipe of a revoked device."""

from __future__ import annotations

from pathlib import Path

from fieldapp.model import Contact, Visit
from fieldapp.store import Store, outbox
from fieldapp.store.db import raw
from fieldapp.store.wipe import wipe
from sync import hlc


def _add(store: Store, name: str, **fields: object) -> Contact:
    with store.write() as conn:
        return store.save(conn, Contact(kind="resident", name=name, **fields))


def _rows(store: Store) -> list[outbox.Row]:
    with store.engine.connect() as conn:
        return outbox.window(raw(conn), 0, 1_000)


def test_the_write_path_queues_each_write(store: Store) -> None:
    ala = _add(store, "Ala")
    ala.phone = "600100200"
    with store.write() as conn:
        store.save(conn, ala, ["phone"])
        visit = store.save(conn, Visit(contact_id=ala.id, outcome="talked"))
    rows = _rows(store)
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("contact", ala.id, outbox.WHOLE),
        ("contact", ala.id, '["phone"]'),
        ("visit", visit.id, outbox.WHOLE),
    ]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # seq orders them
    with store.engine.connect() as conn:
        stamps = [h for (h,) in raw(conn).execute("SELECT hlc FROM outbox ORDER BY seq")]
    assert stamps == [ala.base_hlc, store.get(Contact, ala.id).field_hlcs["phone"], visit.base_hlc]  # type: ignore[union-attr]


def test_a_window_reads_after_a_seq_and_up_to_a_limit(store: Store) -> None:
    for number in range(7):
        _add(store, f"Osoba {number}")
    seqs = [r[0] for r in _rows(store)]
    with store.engine.connect() as conn:
        db = raw(conn)
        assert [r[0] for r in outbox.window(db, 0, 3)] == seqs[:3]
        assert [r[0] for r in outbox.window(db, seqs[2], 3)] == seqs[3:6]
        assert [r[0] for r in outbox.window(db, seqs[5], 3)] == seqs[6:]
        assert outbox.window(db, seqs[-1], 3) == []


def test_pending_counts_records_not_rows(store: Store) -> None:
    assert store.pending_changes() == 0
    ala = _add(store, "Ala")
    _add(store, "Ola")
    ala.notes = "raz"
    with store.write() as conn:
        store.save(conn, ala, ["notes"])
    with store.engine.connect() as conn:
        assert outbox.pending(raw(conn)) == store.pending_changes() == 2
    assert len(_rows(store)) == 3


def test_remove_takes_only_the_rows_named(store: Store) -> None:
    for name in ("Ala", "Ola", "Ela"):
        _add(store, name)
    first, second, third = (r[0] for r in _rows(store))
    with store.write() as conn:
        outbox.remove(raw(conn), [first, third, 10**9])  # a seq that is gone already changes nothing
    assert [r[0] for r in _rows(store)] == [second]
    with store.write() as conn:
        outbox.remove(raw(conn), [])
    assert [r[0] for r in _rows(store)] == [second]


def test_refill_queues_whole_records_after_the_rest(store: Store) -> None:
    ala, ola = _add(store, "Ala"), _add(store, "Ola")
    with store.write() as conn:
        outbox.remove(raw(conn), [r[0] for r in _rows(store)])
        outbox.refill(raw(conn), [("contact", ola.id), ("contact", ala.id)], store.clock.last())
    rows = _rows(store)
    assert [(r[2], r[3]) for r in rows] == [(ola.id, outbox.WHOLE), (ala.id, outbox.WHOLE)]
    with store.engine.connect() as conn:
        stamps = {h for (h,) in raw(conn).execute("SELECT hlc FROM outbox")}
    assert stamps == {store.clock.last()}


def test_restamp_pulls_future_hlcs_back_in_their_order(tmp_path: Path) -> None:
    now_ms = 1_800_000_000_000
    ahead = Store(tmp_path / "ahead.db")
    ahead.clock = hlc.Clock(ahead.clock.node, wall=lambda: now_ms + 30 * 60_000)  # 30 min ahead
    ala = _add(ahead, "Ala")
    ala.notes = "później"
    with ahead.write() as conn:
        ahead.save(conn, ala, ["notes"])
    ahead.clock = hlc.Clock(ahead.clock.node, wall=lambda: now_ms)
    ola = _add(ahead, "Ola")  # honest: not touched
    before = ahead.get(Contact, ala.id)
    assert before is not None and hlc.wall_ms(before.base_hlc) > now_ms

    with ahead.write() as conn:
        keys = [("contact", ala.id), ("contact", ola.id), ("visit", "gone")]
        outbox.restamp(raw(conn), keys, now_ms, ahead.clock.node)

    after, honest = ahead.get(Contact, ala.id), ahead.get(Contact, ola.id)
    assert after is not None and honest is not None
    stamps = [after.base_hlc, after.field_hlcs["notes"]]
    assert all(hlc.wall_ms(h) == now_ms and h.endswith(f"-{ahead.clock.node}") for h in stamps)
    assert after.base_hlc < after.field_hlcs["notes"] == after.updated_hlc  # the edit still comes later
    assert honest.base_hlc == ola.base_hlc
    assert (after.name, after.notes) == ("Ala", "później")
    ahead.close()


def test_restamp_leaves_hlcs_within_the_service_time_alone(store: Store) -> None:
    ala = _add(store, "Ala")
    with store.write() as conn:
        outbox.restamp(raw(conn), [("contact", ala.id)], hlc.wall_ms(ala.base_hlc) + 1, store.clock.node)
    assert store.get(Contact, ala.id).base_hlc == ala.base_hlc  # type: ignore[union-attr]


def test_wipe_leaves_only_the_device_id(store: Store) -> None:
    store.set_user("user-1")
    ala = _add(store, "Ala Nowak", lat=51.77, lon=19.46)
    with store.write() as conn:
        store.save(conn, Visit(contact_id=ala.id, outcome="talked"))
    device_id = store.device_id

    wipe(store)

    with store.engine.connect() as conn:
        db = raw(conn)
        assert db.execute("SELECT key FROM meta").fetchall() == [("device_id",)]
        for table in ("contact", "visit", "outbox"):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert store.search_contacts("nowak") == [] and store.pending_changes() == 0
    assert store.user_id is None and store.meta("device_id") == device_id
