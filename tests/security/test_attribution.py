"""Attribution comes from the authenticated device only (issue 19, finding 8): the device and author
of a record are those of the token, whatever a push claims, and the audit log takes entries only
about records in the device's scope (or its own records the service does not hold yet).

Over real HTTP on both backends, with an animator's valid token as the attacker's."""

from __future__ import annotations

import time
import uuid
from typing import Any

import requests
import sqlalchemy as sa

from fieldapp.model import Contact, Visit
from fieldapp.services.rodo import record
from sync import hlc
from sync.server import accounts
from sync.server import tables as t
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact, push_raw


def _post_audit(world: World, device: Device, *targets: tuple[str, str]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = [
        {"id": n, "at": "2026-11-20T10:00:00Z", "action": "viewed", "target_type": kind, "target_id": target}
        for n, (kind, target) in enumerate(targets, 1)
    ]
    url, headers = f"{world.url}/v1/audit", device.headers()
    answer = requests.post(url, json={"entries": entries}, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _logged(world: World, actor: str) -> set[tuple[str, str, str]]:
    with world.db.read() as conn:
        audit = t.audit.c
        query = sa.select(audit.action, audit.target_type, audit.target_id).where(audit.actor_id == actor)
        rows = conn.execute(query)
        return {tuple(row) for row in rows}  # type: ignore[misc]


def test_a_forged_device_and_author_are_replaced_by_the_tokens(world: World) -> None:
    """A tampered app names a colleague's phone and account on a new record: the service records
    the pushing device and its user, and so does every device that pulls it."""
    attacker, victim = world.device(), world.device()
    stamp = hlc.encode(time.time_ns() // 1_000_000, 0, hlc.node_for(attacker.store.device_id))
    fields = {"kind": "resident", "name": "Fałszywy wpis"}
    forged: dict[str, Any] = {
        "record_type": "contact", "id": str(uuid.uuid4()), "fields": fields, "full": True, "base_hlc": stamp,
        "author_id": victim.user_id, "device_id": victim.store.device_id,
    }
    answer = push_raw(world.url, attacker, {"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": [forged]})
    assert answer.status_code == 200, answer.text
    with world.db.read() as conn:
        stored = conn.execute(
            sa.select(t.record.c.author_id, t.record.c.device_id).where(t.record.c.id == forged["id"])
        ).one()
    assert tuple(stored) == (attacker.user_id, attacker.store.device_id)
    victim.engine.sync()
    pulled = victim.store.get(Contact, forged["id"])
    assert pulled is not None
    assert (pulled.author_id, pulled.device_id) == (attacker.user_id, attacker.store.device_id)


def test_audit_entries_about_another_teams_or_programs_records_are_refused(world: World) -> None:
    animator, other_team = world.device(), world.device(team=world.team_b)
    ours = add_contact(animator.store, "Ala")
    theirs = add_contact(other_team.store, "Ola")
    animator.engine.sync()
    other_team.engine.sync()
    not_synced = str(uuid.uuid4())  # a record of the animator's own the service does not hold yet
    answer = _post_audit(
        world, animator,
        ("contact", ours.id), ("contact", theirs.id), ("contact", not_synced), ("report", theirs.id),
    )
    assert (answer["stored"], answer["refused"], answer["refused_ids"]) == (2, 2, [2, 4])
    assert _logged(world, animator.user_id) == {("viewed", "contact", i) for i in (ours.id, not_synced)}
    # The supervisor sees the whole program: the same entries of theirs are in scope.
    boss = world.device("supervisor")
    answer = _post_audit(world, boss, ("contact", ours.id), ("contact", theirs.id))
    assert (answer["stored"], answer["refused"]) == (2, 0)


def test_the_app_keeps_uploading_after_a_refused_entry(world: World) -> None:
    """The device's upload goes on past a refused entry (it is not retried for ever)."""
    animator, other_team = world.device(), world.device(team=world.team_b)
    theirs = add_contact(other_team.store, "Ola")
    other_team.engine.sync()
    later = add_contact(animator.store, "Ala")
    record(animator.store, "viewed", "contact", theirs.id, animator.user_id)
    record(animator.store, "viewed", "contact", later.id, animator.user_id)
    animator.engine.sync()
    assert _logged(world, animator.user_id) == {("viewed", "contact", later.id)}


def test_a_review_naming_another_programs_record_logs_nothing(world: World) -> None:
    """A review decision goes to the audit log about the record it names, only when that record is
    the deciding device's to see: not one of another program."""
    elsewhere = accounts.create_team(world.db, "Q-team", program=f"Q-{uuid.uuid4().hex[:6]}")
    stranger, boss = world.device(team=elsewhere), world.device("supervisor")
    ola = add_contact(stranger.store, "Ola")
    with stranger.store.write() as conn:
        visit = stranger.store.save(conn, Visit(contact_id=ola.id, outcome="talked"))
    stranger.engine.sync()
    stamp = hlc.encode(time.time_ns() // 1_000_000, 0, hlc.node_for(boss.store.device_id))
    fields = {"target_type": "visit", "target_id": visit.id, "state": "approved"}
    review = {"record_type": "review", "id": str(uuid.uuid4()), "fields": fields, "full": True}
    review["base_hlc"] = stamp
    answer = push_raw(world.url, boss, {"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": [review]})
    assert answer.status_code == 200, answer.text
    assert _logged(world, boss.user_id) == set()
