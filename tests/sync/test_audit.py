"""The service's audit log over real HTTP (SQLite and PostgreSQL): what supervisors do on the service,
erasures and review decisions arriving in pushes, and the devices' uploaded local entries; who may
read it, paging and filters, idempotent uploads."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from fieldapp.services import visits
from fieldapp.services.reviews import approve, return_entry
from fieldapp.services.rodo import erase_person, record
from fieldapp.sync import SyncError
from fieldapp.sync.audit import K_UPLOADED, fetch_audit
from sync import hlc
from sync.server import accounts, tables
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact, push_raw


def read(world: World, device: Device, **params: Any) -> requests.Response:
    return requests.get(f"{world.url}/v1/audit", params=params, headers=device.headers(), timeout=10)


def entries(world: World, device: Device, **params: Any) -> list[dict[str, Any]]:
    """Every entry the filters match, following the cursor (newest first)."""
    found: list[dict[str, Any]] = []
    before = None
    for _ in range(50):
        answer = read(world, device, **params, **({"before": before} if before else {}))
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found += page["entries"]
        if not page["has_more"]:
            return found
        before = page["cursor"]
    raise AssertionError("paging did not end")


def triples(rows: list[dict[str, Any]], *sources: str) -> set[tuple[str, str, str]]:
    return {(r["action"], r["target_type"], r["target_id"]) for r in rows if r["source"] in sources}


def test_supervisor_actions_on_the_service_are_logged(world: World) -> None:
    boss = world.device(role="supervisor")
    animator = world.device()
    started = datetime.now(UTC) - timedelta(seconds=1)
    assert requests.get(f"{world.url}/v1/conflicts", headers=boss.headers(), timeout=10).ok
    assert requests.get(f"{world.url}/v1/devices", headers=boss.headers(), timeout=10).ok
    newcomer = world.user()
    made = requests.post(
        f"{world.url}/v1/enrollments", json={"user_id": newcomer}, headers=boss.headers(), timeout=10
    )
    assert made.ok, made.text
    device_id = animator.store.device_id
    revoked = requests.post(f"{world.url}/v1/devices/{device_id}/revoke", headers=boss.headers(), timeout=10)
    assert revoked.ok, revoked.text

    rows = entries(world, boss, actor=boss.user_id)
    assert triples(rows, "service") >= {
        ("read_conflicts", "conflict_log", world.program_id),
        ("listed_devices", "device_list", world.program_id),
        ("created_enrollment", "account", newcomer),
        ("revoked_device", "device", device_id),
    }
    assert {(r["actor_role"], r["device_id"]) for r in rows} == {("supervisor", boss.store.device_id)}
    assert all(datetime.fromisoformat(r["at"]) >= started for r in rows)
    # Filters: one action; a period that ended before any of it; a page of one.
    assert {r["action"] for r in entries(world, boss, action="revoked_device")} == {"revoked_device"}
    assert entries(world, boss, until=started.isoformat()) == []
    first = read(world, boss, limit=1).json()
    assert len(first["entries"]) == 1 and first["has_more"] is True
    older = read(world, boss, limit=1, before=first["cursor"]).json()["entries"]
    assert older[0]["id"] < first["entries"][0]["id"]


def test_pushed_erasures_and_review_decisions_are_logged(world: World) -> None:
    animator, boss = world.device(), world.device(role="supervisor")
    person = add_contact(animator.store, "Ala Nowak", phone="+48 600 100 200")
    visit = visits.log_visit(animator.store, outcome="talked", notes="Rozmowa na klatce")
    animator.engine.sync()
    boss.engine.sync()
    return_entry(boss.store, "visit", visit.id, "Dopisz, co dalej")
    erase_person(boss.store, person.id, by=boss.user_id)
    boss.engine.sync()
    animator.engine.sync()
    visits.correct_visit(animator.store, visit.id, {"next_step": "Forum"})
    animator.engine.sync()
    boss.engine.sync()
    approve(boss.store, "visit", visit.id)
    boss.engine.sync()

    rows = entries(world, boss)
    pushed = {(r["action"], r["target_id"], r["actor_id"]) for r in rows if r["source"] == "service"}
    assert {
        ("erased", person.id, boss.user_id),
        ("returned", visit.id, boss.user_id),
        ("corrected", visit.id, animator.user_id),
        ("approved", visit.id, boss.user_id),
    } <= pushed
    # The phones' own entries came along with their syncs.
    assert triples(rows, "device") >= {
        ("erased", "contact", person.id),
        ("returned", "visit", visit.id),
        ("approved", "visit", visit.id),
    }
    assert [r["action"] for r in entries(world, boss, target_id=person.id, action="erased")] == [
        "erased",
        "erased",
    ]


def test_a_refused_erasure_logs_nothing(world: World) -> None:
    animator, boss = world.device(), world.device(role="supervisor")
    person = add_contact(animator.store, "Ola Kowalska")
    animator.engine.sync()
    stamp = hlc.encode(time.time_ns() // 1_000_000, 0, hlc.node_for(uuid.uuid4().hex))
    erasure = {
        "record_type": "contact",
        "id": person.id,
        "fields": {"erased_at": datetime.now(UTC).isoformat()},
        "hlcs": {"erased_at": stamp},
    }
    body = {"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": [erasure]}
    answer = push_raw(world.url, animator, body)
    assert answer.status_code in (200, 403), answer.text  # refused per change now, as a whole later
    assert answer.status_code == 403 or answer.json()["results"][0]["status"] == "rejected"
    assert entries(world, boss, target_id=person.id) == []


def test_a_review_of_something_that_is_not_an_id_is_refused_and_not_logged(world: World) -> None:
    """Free text where a record id belongs (a name) breaks the field's rule: not stored, not
    logged (the audit log never keeps a name as a target id)."""
    boss = world.device(role="supervisor")
    stamp = hlc.encode(time.time_ns() // 1_000_000, 0, hlc.node_for(uuid.uuid4().hex))
    fields = {"target_type": "visit", "target_id": "Ala Nowak " * 10, "state": "approved"}
    review = {"record_type": "review", "id": str(uuid.uuid4()), "fields": fields,
              "hlcs": dict.fromkeys(fields, stamp), "full": True, "base_hlc": stamp}
    answer = push_raw(world.url, boss, {"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": [review]})
    assert answer.status_code == 200, answer.text
    [result] = answer.json()["results"]
    assert (result["status"], result["code"]) == ("rejected", "invalid_value")
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("target_id", "unknown_record")]
    assert entries(world, boss, action="approved") == []


def test_local_entries_are_uploaded_once(world: World) -> None:
    animator, boss = world.device(), world.device(role="supervisor")
    viewed = [str(uuid.uuid4()) for _ in range(3)]
    for target in viewed:
        record(animator.store, "viewed", "contact", target, animator.user_id)
    animator.engine.sync()
    rows = [r for r in entries(world, boss, action="viewed") if r["actor_id"] == animator.user_id]
    assert sorted(r["target_id"] for r in rows) == sorted(viewed)
    assert {(r["source"], r["actor_role"], r["device_id"]) for r in rows} == {
        ("device", "animator", animator.store.device_id)
    }
    # An entry the service would refuse (free text for an id) stays local and blocks nothing.
    record(animator.store, "viewed", "contact", "Ala Nowak", animator.user_id)
    later = str(uuid.uuid4())
    record(animator.store, "viewed", "contact", later, animator.user_id)
    animator.engine.sync()
    viewed += [later]
    # The answer was lost: the same entries go again, and the service keeps one of each.
    animator.store.set_meta(K_UPLOADED, "0")
    animator.engine.sync()
    again = [r for r in entries(world, boss, action="viewed") if r["actor_id"] == animator.user_id]
    assert sorted(r["target_id"] for r in again) == sorted(viewed)


def test_uploads_are_capped_and_checked(world: World) -> None:
    animator = world.device()
    entry = {"at": "2026-11-20T10:00:00Z", "action": "viewed", "target_type": "contact", "target_id": "x"}
    too_many = {"entries": [{**entry, "id": i} for i in range(1, 502)]}
    url = f"{world.url}/v1/audit"
    answer = requests.post(url, json=too_many, headers=animator.headers(), timeout=10)
    assert (answer.status_code, answer.json()["code"]) == (413, "batch_too_large")
    free_text = {"entries": [{**entry, "id": 1, "target_id": "Ala Nowak, tel. 600 100 200"}]}
    answer = requests.post(url, json=free_text, headers=animator.headers(), timeout=10)
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request")
    with world.db.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.audit).where(
            tables.audit.c.actor_id == animator.user_id
        )).scalar_one() == 0


def test_only_supervisors_of_the_program_read_it(world: World) -> None:
    animator, boss = world.device(), world.device(role="supervisor")
    record(animator.store, "viewed", "contact", str(uuid.uuid4()), animator.user_id)
    animator.engine.sync()
    answer = read(world, animator)
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    with pytest.raises(SyncError) as refused:
        fetch_audit(animator.engine)
    assert refused.value.code == "forbidden"
    page = fetch_audit(boss.engine, action="viewed")
    assert {e["actor_id"] for e in page["entries"]} == {animator.user_id}
    # A supervisor of another program sees none of it.
    other = accounts.create_program(world.db, "Q")
    stranger = accounts.create_user(world.db, "Q boss", "supervisor", program_id=other)
    code = accounts.create_enrollment(world.db, stranger, world.url).code
    token = accounts.redeem(world.db, code, "q").token
    theirs = requests.get(
        f"{world.url}/v1/audit", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()["entries"]
    assert animator.user_id not in {e["actor_id"] for e in theirs}
