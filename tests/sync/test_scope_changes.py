"""Scope changes through the real service, without a reset: a user moved to another team, a zone
given to another team. Records leaving the scope leave the phone (after its unsent edits are
pushed); records entering it arrive."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from fieldapp.model import Contact, Visit, Zone
from sync.server import scope_moves
from sync.server.cli import main as cli
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact, contact_names, edit, outbox_count


def _zone_with_contacts(device: Device, name: str, n: int = 3) -> tuple[Zone, list[str]]:
    zone = Zone(name=name, kind="sas", polygon=[[51.7, 19.4], [51.8, 19.5]], workers=[device.user_id])
    with device.store.write() as conn:
        device.store.save(conn, zone)
    ids = []
    for i in range(n):
        contact = add_contact(device.store, f"{name} {i}", zone_id=zone.id)
        with device.store.write() as conn:
            device.store.save(
                conn,
                Visit(contact_id=contact.id, outcome="talked", visited_at=datetime(2025, 3, 1, tzinfo=UTC)),
            )
        ids.append(contact.id)
    return zone, ids


def _count(device: Device, table: str) -> int:
    with device.store.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()


def test_a_user_moved_to_another_team(world: World) -> None:
    a1 = world.device(team=world.team_a)
    b1 = world.device(team=world.team_b)
    _zone_with_contacts(a1, "Bałuty")
    _zone_with_contacts(b1, "Widzew", 4)
    a1.engine.sync()
    b1.engine.sync()
    mover = world.device(team=world.team_a)
    mover.engine.sync()
    assert _count(mover, "contact") == 3
    # An edit made before the move, still unsent when it happens.
    first = next(iter(sorted(contact_names(mover.store))))
    contact = mover.store.get(Contact, first)
    assert contact is not None
    edit(mover.store, contact, notes="przed przeniesieniem")
    scope_moves.move_user(world.db, mover.user_id, world.team_b)
    receipt = mover.engine.sync()
    assert receipt.rejected == [] and outbox_count(mover.store) == 0  # the edit was taken
    assert receipt.checksum == "repaired"
    names = contact_names(mover.store)
    assert sorted(names.values()) == [f"Widzew {i}" for i in range(4)]
    assert _count(mover, "visit") == 4 and _count(mover, "zone") == 1
    assert [c.id for c in mover.store.search_contacts("Bałuty")] == []
    # The residents of the team it left are gone from the phone's files too (RODO: minimisation).
    files = [mover.store.path, mover.store.path.with_name(mover.store.path.name + "-wal")]
    assert not any("Bałuty 1".encode() in f.read_bytes() for f in files if f.exists())
    # The edit reached the old team.
    a1.engine.sync()
    got = a1.store.get(Contact, first)
    assert got is not None and got.notes == "przed przeniesieniem"
    assert mover.engine.sync().checksum == "ok"
    # What the moved user writes now goes to the new team.
    add_contact(mover.store, "Nowy w Widzewie")
    mover.engine.sync()
    assert "Nowy w Widzewie" in contact_names(b1.store).values() or b1.engine.sync().pulled == 1
    assert "Nowy w Widzewie" in contact_names(b1.store).values()


def test_a_zone_given_to_another_team(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a1 = world.device(team=world.team_a)
    b1 = world.device(team=world.team_b)
    zone, ids = _zone_with_contacts(a1, "Bałuty")
    _zone_with_contacts(a1, "Stare Polesie", 2)
    a1.engine.sync()
    assert b1.engine.sync().checksum == "ok"
    assert _count(b1, "contact") == 0
    # An edit on the old team's phone, still unsent when the zone goes.
    kept = a1.store.get(Contact, ids[0])
    assert kept is not None
    edit(a1.store, kept, notes="zanim strefa przeszła")
    # Through the command a supervisor's admin runs.
    assert cli(["--db", world.server.db.url, "reassign-zone", zone.id, "--team", world.team_b]) == 0
    receipt = b1.engine.sync()
    assert receipt.checksum == "ok"
    assert set(contact_names(b1.store)) == set(ids) and _count(b1, "visit") == 3 and _count(b1, "zone") == 1
    receipt = a1.engine.sync()
    assert receipt.rejected == [] and outbox_count(a1.store) == 0  # the edit was taken
    assert receipt.checksum == "repaired"
    assert sorted(contact_names(a1.store).values()) == ["Stare Polesie 0", "Stare Polesie 1"]
    assert _count(a1, "visit") == 2 and _count(a1, "zone") == 1
    assert a1.engine.sync().checksum == "ok" and b1.engine.sync().checksum == "ok"
    got = b1.store.get(Contact, ids[0])
    assert got is not None and got.notes == "zanim strefa przeszła"
    # Edits the old team writes after the move are refused (the records are no longer theirs).
    stray = {
        "record_type": "contact",
        "id": ids[1],
        "fields": {"notes": "po przeniesieniu"},
        "hlcs": {"notes": a1.store.clock.now()},
    }
    body = {"batch_id": "after-the-zone-moved", "changes": [stray]}
    answer = requests.post(f"{world.url}/v1/push", json=body, headers=a1.headers(), timeout=10).json()
    assert answer["results"][0]["code"] == "out_of_scope"


def test_moves_refuse_another_program(world: World) -> None:
    import pytest

    user = world.user(team=world.team_a)
    with pytest.raises(ValueError, match="no team"):
        scope_moves.move_user(world.db, user, "no-such-team")
    with pytest.raises(ValueError, match="no zone"):
        scope_moves.reassign_zone(world.db, "no-such-zone", world.team_b)
