"""Supervisors' view of every phone through the real service: what each phone reports after a sync
(pushes, pulls, pending changes and the oldest's age, app version, checksum state, clock offset,
erasures pulled), a revoked phone's wipe confirmation, and the alert when a queue stalls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests

from fieldapp.model import Contact
from fieldapp.services.rodo.erasure import erase_person
from fieldapp.sync import SyncError
from sync.server import accounts, phones
from sync.server.cli import main as cli
from tests.sync.conftest import World
from tests.sync.helpers import add_contact


def _by_user(listed: list[dict], user_id: str) -> dict:  # type: ignore[type-arg]
    return next(phone for phone in listed if phone["user_id"] == user_id)


def test_each_phone_reports_itself_after_a_sync(world: World) -> None:
    boss = world.device("supervisor")
    a = world.device()
    add_contact(a.store, "Ala")
    a.engine.sync()
    add_contact(a.store, "Czeka")  # unsent
    listed = requests.get(f"{world.url}/v1/phones", headers=boss.headers(), timeout=10).json()
    phone = _by_user(listed, a.user_id)
    assert phone["app_version"] and phone["protocol"] == 1 and len(phone["schema_signature"]) == 16
    assert phone["last_push_at"] and phone["last_pull_at"] and phone["checksum_state"] == "ok"
    assert phone["pending"] == 0 and phone["stalled"] is False and phone["cursor"] > 0
    assert phone["clock_offset_ms"] is not None
    # Animators may not look.
    refused = requests.get(f"{world.url}/v1/phones", headers=a.headers(), timeout=10)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_a_stalled_queue_raises_an_alert(world: World) -> None:
    a = world.device()
    add_contact(a.store, "Ala")
    a.engine.sync()
    add_contact(a.store, "Czeka od wczoraj")
    with a.store.write() as conn:  # queued two days ago, never sent
        old = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S.000000")
        conn.exec_driver_sql("UPDATE outbox SET created_at = ?", (old,))
    report = a.engine.state_report()
    assert report["pending"] == 1
    a.engine.call("POST", "/v1/state", json=report)
    phone = _by_user(phones.phones(world.db, program_id=world.program_id), a.user_id)
    assert phone["stalled"] is True and phone["pending"] == 1 and phone["oldest_pending_age_s"] > 47 * 3600
    # The same through ``teren-sync phones`` and the service's metrics.
    assert cli(["--db", world.server.db.url, "phones"]) == 0
    scraped = requests.get(f"{world.url}/metrics", timeout=10).text
    [line] = [line for line in scraped.splitlines() if line.startswith("teren_sync_stalled_phones ")]
    assert float(line.split()[1]) >= 1


def test_erasures_acknowledged_and_a_wipe_confirmed(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    boss = world.device("supervisor")
    a = world.device()
    ala = add_contact(a.store, "Ala Do Usunięcia")
    a.engine.sync()
    boss.engine.sync()
    contact = boss.store.get(Contact, ala.id)
    assert contact is not None
    erase_person(boss.store, contact.id, by=boss.user_id)
    boss.engine.sync()
    phone = _by_user(phones.phones(world.db, program_id=world.program_id), a.user_id)
    assert (phone["erasures_acknowledged"], phone["erasures_pending"]) == (0, 1)
    a.engine.sync()
    phone = _by_user(phones.phones(world.db, program_id=world.program_id), a.user_id)
    assert (phone["erasures_acknowledged"], phone["erasures_pending"]) == (1, 0)
    # A lost phone: revoked, it wipes itself at its next contact and says so.
    device_id = phone["id"]
    accounts.revoke(world.db, device_id)
    with pytest.raises(SyncError):
        a.engine.sync()
    phone = _by_user(phones.phones(world.db, program_id=world.program_id), a.user_id)
    assert phone["revoked_at"] and phone["wipe_confirmed_at"]
    # The revoked token works for that alone.
    capsys.readouterr()
    assert cli(["--db", world.server.db.url, "status"]) == 0
    status = json.loads(capsys.readouterr().out)
    listed = {d["id"]: d for d in status["devices"]}
    assert listed[device_id]["wipe_confirmed_at"]


def test_a_phone_reports_again_only_when_its_state_changed(world: World) -> None:
    a = world.device()
    add_contact(a.store, "Ala")
    a.engine.sync()

    def reported_at() -> str:
        return _by_user(phones.phones(world.db, program_id=world.program_id), a.user_id)["reported_at"]

    first = reported_at()
    a.engine.sync()  # nothing new: no request, no write on the service
    assert reported_at() == first
    add_contact(a.store, "Bartek")
    a.engine.sync()
    assert reported_at() > first
