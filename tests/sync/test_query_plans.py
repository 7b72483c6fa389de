"""Every statement the service runs on ``record`` finds its rows through an index that names them
(SQLite's ``EXPLAIN QUERY PLAN``): the statements are those of real syncs over HTTP, caught on the
way to the database, then explained on it. (Migration 0003 dropped the index on ``id`` alone.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from fieldapp.model import Review, Visit
from tests.sync.conftest import World
from tests.sync.helpers import add_contact, edit


def _reads_records(statement: str) -> bool:
    words = statement.split()
    return words[0] in ("SELECT", "UPDATE", "DELETE") and (
        "record" in words[:5] or re.search(r"\bFROM record\b", statement) is not None  # not record_sum
    )


def _syncs_touching_every_path(world: World) -> None:
    """New records, an edit (merge), a visit naming a contact of an earlier push, a supervisor's
    review (its team found through the visit it names), an erasure (audit), pulls of both scopes."""
    a, boss = world.device(), world.device("supervisor")
    ala = add_contact(a.store, "Ala Nowak", phone="600100200")
    a.engine.sync()
    with a.store.write() as conn:
        visit = a.store.save(conn, Visit(contact_id=ala.id, outcome="talked"))
    a.engine.sync()
    edit(a.store, ala, notes="po rozmowie")
    a.engine.sync()
    boss.engine.sync()
    with boss.store.write() as conn:
        boss.store.save(
            conn, Review(target_type="visit", target_id=visit.id, state="returned", comment="Popraw adres")
        )
    on_boss = boss.store.get(type(ala), ala.id)
    edit(boss.store, on_boss, erased_at=datetime.now(UTC), name="", phone="", notes="")
    boss.engine.sync()
    a.engine.sync()


def test_every_statement_on_records_uses_an_index(world: World, backend: str) -> None:
    if not world.db.is_sqlite:
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    seen: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if not many and _reads_records(statement):
            seen.append((statement, parameters))

    event.listen(world.db.engine, "before_cursor_execute", catch)
    try:
        _syncs_touching_every_path(world)
        assert world.server.app.state.purger.wait_idle()  # the erasure's purge and file collection
    finally:
        event.remove(world.db.engine, "before_cursor_execute", catch)
    kinds = {" ".join(statement.split()[:2]) for statement, _ in seen}
    assert kinds == {
        "SELECT record_type,",  # the stored state of a batch's records
        "SELECT record.program_id,",  # the team of a supervisor's new record
        "UPDATE record",  # records changed by a batch
        "SELECT record.id,",  # what the audit log needs to know
        "SELECT record.record_type,",  # pull
        "SELECT record.data",  # after an erasure: the files attachments still name (all of that type)
    }, kinds
    with world.db.engine.connect() as conn:
        for statement, parameters in seen:
            plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            if statement.startswith("SELECT record.data"):  # one type's range of the primary key
                assert any("SEARCH record USING" in step and "(record_type=?)" in step for step in plan), plan
                continue
            assert any(_by_key_or_seq(step) for step in plan), (statement, plan)


def test_a_team_pulls_through_its_team_index(world: World, backend: str) -> None:
    """Not the program's index: that one pages through every team's changes of the program."""
    if not world.db.is_sqlite:
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    pulls: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if statement.startswith("SELECT record.record_type,"):
            pulls.append((statement, parameters))

    a, b = world.device(), world.device()
    add_contact(a.store, "Ala Nowak")
    a.engine.sync()
    event.listen(world.db.engine, "before_cursor_execute", catch)
    try:
        b.engine.sync()
    finally:
        event.remove(world.db.engine, "before_cursor_execute", catch)
    assert pulls
    with world.db.engine.connect() as conn:
        for statement, parameters in pulls:
            steps = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = " ".join(row[-1] for row in steps)
            assert "ix_record_team_seq" in plan, plan


def _by_key_or_seq(step: str) -> bool:
    """Records are found by their key (type and id) or, for pull, by seq within the scope; an index
    on the scope alone would walk a whole program."""
    found_by = ("(record_type=? AND id=?)", "seq>?")
    return step.startswith("SEARCH record USING") and any(key in step for key in found_by)


def test_a_batch_s_records_are_inserted_in_seq_order(world: World, backend: str) -> None:
    """In seq order SQLite appends to ``record`` and its indexes (~15% faster than shuffled)."""
    if not world.db.is_sqlite:
        pytest.skip("rowid is SQLite's")
    a = world.device()
    for n in range(60):
        add_contact(a.store, f"Osoba {n}")
    a.engine.sync()
    with world.db.engine.connect() as conn:
        seqs = [row[0] for row in conn.exec_driver_sql(
            "SELECT seq FROM record WHERE program_id = ? ORDER BY rowid", (world.program_id,)
        )]
    assert len(seqs) == 60 and seqs == sorted(seqs)
