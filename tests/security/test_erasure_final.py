"""Erasure is final (issue 19, finding 1): no push brings an erased person's data back, whatever its
HLC or role; only an admin's ``teren-sync restore-erased`` takes a person off the erased list.

Through the real service over HTTP on both backends, with real devices where the app is involved."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from fieldapp.model import Contact, Visit
from sync import hlc
from sync.server import tables as t
from sync.server.cli import main as teren_sync
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact, edit, push_raw

ERASED = "2026-11-23T06:00:00+00:00"


def _stamp(device: Device) -> str:
    time.sleep(0.002)
    return hlc.encode(time.time_ns() // 1_000_000, 0, hlc.node_for(device.store.device_id))


def _push(world: World, device: Device, *changes: dict[str, Any]) -> requests.Response:
    body = {"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": list(changes)}
    return push_raw(world.url, device, body)


def _write(world: World, device: Device, record_id: str, **fields: Any) -> dict[str, Any]:
    """The result of a raw push of ``fields`` of a stored contact, all at a fresh HLC of ``device``."""
    stamp = _stamp(device)
    hlcs = dict.fromkeys(fields, stamp)
    change = {"record_type": "contact", "id": record_id, "fields": fields, "hlcs": hlcs}
    answer = _push(world, device, change)
    assert answer.status_code == 200, answer.text
    [result] = answer.json()["results"]
    return result


def _stored(world: World, record_id: str) -> dict[str, Any]:
    with world.db.read() as conn:
        return conn.execute(sa.select(t.record.c.data).where(t.record.c.id == record_id)).scalar_one()


def _erased_list(world: World) -> set[str]:
    with world.db.read() as conn:
        return set(conn.execute(sa.select(t.erased_contact.c.id)).scalars())


def _erased_person(world: World) -> tuple[Device, Device, Contact]:
    """An animator's contact with a name and phone, erased by the supervisor; both synced."""
    animator, boss = world.device(), world.device("supervisor")
    ala = add_contact(animator.store, "Ala Nowak", phone="600100200", notes="sąsiadka z 3 piętra")
    animator.engine.sync()
    boss.engine.sync()
    on_boss = boss.store.get(Contact, ala.id)
    edit(boss.store, on_boss, erased_at=datetime.now(UTC), name="", phone="", notes="")
    boss.engine.sync()
    assert ala.id in _erased_list(world)
    return animator, boss, ala


def test_an_animator_cannot_undo_an_erasure(world: World) -> None:
    """The attack as found: ``erased_at: null`` with a name and phone, at a fresh HLC. Refused with
    ``erased``; the service, the erased list and every other device keep the person erased."""
    animator, _boss, ala = _erased_person(world)
    colleague = world.device()
    result = _write(world, animator, ala.id, erased_at=None, name="Ala Nowak", phone="600100200")
    assert (result["status"], result["code"]) == ("rejected", "erased")
    stored = _stored(world, ala.id)
    assert stored["erased_at"] and (stored["name"], stored["phone"], stored["notes"]) == ("", "", "")
    assert ala.id in _erased_list(world)
    colleague.engine.sync()
    seen = colleague.store.get(Contact, ala.id)
    assert seen is not None and seen.erased_at is not None and (seen.name, seen.phone) == ("", "")


def test_an_edit_made_before_the_erasure_was_known_is_refused_and_the_device_gets_the_erasure(
    world: World,
) -> None:
    """An animator offline edits the person's phone after the erasure (by the clock) without knowing
    of it: the change is refused with ``erased``, and the same sync puts the device's copy back to the
    erased state (the service restamps what the change named above its HLCs)."""
    animator, _boss, ala = _erased_person(world)
    mine = animator.store.get(Contact, ala.id)
    edit(animator.store, mine, phone="600999888", notes="nowy numer")
    receipt = animator.engine.sync()
    assert [(r.id, r.code) for r in receipt.rejected] == [(ala.id, "erased")]
    assert animator.engine.status().pending == 0
    after = animator.store.get(Contact, ala.id)
    assert after is not None and after.erased_at is not None
    assert (after.name, after.phone, after.notes) == ("", "", "")
    assert _stored(world, ala.id)["phone"] == ""


def test_a_deletion_carrying_personal_data_keeps_only_the_deletion(world: World) -> None:
    """An animator renames and deletes the person offline: the change is refused (``erased``), but
    its tombstone is taken, since no device takes a deletion back; both ends agree afterwards."""
    animator, _boss, ala = _erased_person(world)
    mine = animator.store.get(Contact, ala.id)
    edit(animator.store, mine, name="Ala N.")
    renamed = animator.store.get(Contact, ala.id)
    assert renamed is not None
    with animator.store.write() as conn:
        animator.store.delete(conn, renamed)
    receipt = animator.engine.sync()
    assert [(r.id, r.code) for r in receipt.rejected] == [(ala.id, "erased")]
    with world.db.read() as conn:
        deleted = conn.execute(sa.select(t.record.c.deleted).where(t.record.c.id == ala.id)).scalar_one()
    assert deleted and _stored(world, ala.id)["name"] == "" and _stored(world, ala.id)["erased_at"]
    with animator.store.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT name, deleted FROM contact WHERE id = ?", (ala.id,)).one()
    assert tuple(row) == ("", 1)


def test_a_supervisor_cannot_undo_an_erasure_either_nor_a_replayed_creation(world: World) -> None:
    animator, boss, ala = _erased_person(world)
    assert _write(world, boss, ala.id, erased_at=None)["code"] == "erased"
    # The creation sent again whole (an old batch under a new id, a device restored from a backup).
    stamp = _stamp(animator)
    fields = {"kind": "resident", "name": "Ala Nowak", "phone": "600100200", "erased_at": None}
    whole = {"record_type": "contact", "id": ala.id, "fields": fields, "full": True, "base_hlc": stamp}
    answer = _push(world, animator, whole)
    assert [(r["status"], r["code"]) for r in answer.json()["results"]] == [("rejected", "erased")]
    assert answer.json()["exact"] is False  # the device must pull the record back
    assert _stored(world, ala.id)["name"] == "" and ala.id in _erased_list(world)


def test_what_brings_no_personal_data_back_is_still_taken(world: World) -> None:
    """Fields that are not personal, empty personal fields and a second erasure are harmless."""
    animator, boss, ala = _erased_person(world)
    assert _write(world, animator, ala.id, do_not_knock=True)["status"] == "applied"
    again = _write(world, boss, ala.id, erased_at="2026-11-24T08:00:00+00:00", name="", phone="")
    assert again["status"] == "applied"
    stored = _stored(world, ala.id)
    assert stored["do_not_knock"] is True and stored["erased_at"] and stored["name"] == ""
    # Records naming the person keep being scrubbed as before.
    with animator.store.write() as conn:
        notes = "mówiła o długach"
        visit = animator.store.save(conn, Visit(contact_id=ala.id, outcome="talked", notes=notes))
    animator.engine.sync()
    assert _stored(world, visit.id)["notes"] == ""


def _cli(world: World, *args: str) -> int:
    return teren_sync(["--db", world.db.url, *args])


def test_only_an_admins_restore_takes_a_person_off_the_erased_list(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    animator, boss, ala = _erased_person(world)
    supervisor_id = boss.user_id
    assert _cli(world, "restore-erased", ala.id, "--admin", supervisor_id) == 2
    assert "no admin" in capsys.readouterr().err
    admin = world.user("admin")
    assert _cli(world, "restore-erased", str(uuid.uuid4()), "--admin", admin) == 2
    assert ala.id in _erased_list(world) and _stored(world, ala.id)["erased_at"]

    assert _cli(world, "restore-erased", ala.id, "--admin", admin) == 0
    said = capsys.readouterr().out
    assert "taken off the erased list" in said and "not brought back" in said
    assert ala.id not in _erased_list(world) and _stored(world, ala.id)["erased_at"] is None
    assert _cli(world, "restore-erased", ala.id, "--admin", admin) == 2  # not erased any more
    log = requests.get(
        f"{world.url}/v1/audit", params={"action": "restored_erasure"}, headers=boss.headers(), timeout=10
    ).json()["entries"]
    assert [(e["actor_id"], e["actor_role"], e["target_id"]) for e in log] == [(admin, "admin", ala.id)]

    animator.engine.sync()  # the restore reaches the devices, and the person may be written again
    mine = animator.store.get(Contact, ala.id)
    assert mine is not None and mine.erased_at is None and mine.name == ""
    edit(animator.store, mine, name="Alicja Nowak")
    receipt = animator.engine.sync()
    assert receipt.rejected == [] and _stored(world, ala.id)["name"] == "Alicja Nowak"
