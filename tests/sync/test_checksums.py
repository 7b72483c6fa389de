"""Checksums through the real service: a device proves it holds the service's records of its scope,
and repairs itself (a tampered row, a row the service lacks, a row gone) without losing unsent edits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import requests

from fieldapp.model import Contact, Visit, Zone
from fieldapp.sync.meta import K_CHECKSUM
from fieldapp.sync.pull import Pull
from fieldapp.sync.receipt import SyncReceipt
from fieldapp.sync.transport import version_headers
from fieldapp.sync.verify import Verify
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact, contact_names, edit, outbox_count


def _fill(device: Device, n: int = 5) -> list[str]:
    zone = Zone(name="SAS Bałuty", kind="sas", polygon=[[51.7, 19.4], [51.8, 19.5]], workers=[device.user_id])
    with device.store.write() as conn:
        device.store.save(conn, zone)
    ids = []
    for i in range(n):
        contact = add_contact(
            device.store, f"Osoba {i}", zone_id=zone.id, lat=51.7 + i / 100, phone=f"60000000{i}"
        )
        ids.append(contact.id)
        with device.store.write() as conn:
            device.store.save(
                conn,
                Visit(contact_id=contact.id, outcome="talked", visited_at=datetime(2025, 3, 1, tzinfo=UTC)),
            )
    return ids


def _state(device: Device) -> dict:  # type: ignore[type-arg]
    return json.loads(device.store.meta(K_CHECKSUM) or "null")


def _sql(device: Device, sql: str, *params: object) -> None:
    with device.store.write() as conn:  # under the hood: no outbox row, no new HLC
        conn.exec_driver_sql(sql, params)


def test_devices_agree_with_the_service(world: World) -> None:
    a, b = world.device(), world.device()
    _fill(a)
    assert a.engine.sync().checksum == "ok"
    receipt = b.engine.sync()
    assert receipt.pulled == 11 and receipt.checksum == "ok"
    assert _state(b)["state"] == "ok"
    # An edit on one, pulled by the other: still equal.
    contact = a.store.get(Contact, next(iter(contact_names(a.store))))
    assert contact is not None
    edit(a.store, contact, notes="zmiana", name="Inna")
    assert a.engine.sync().checksum == "ok"
    assert b.engine.sync().checksum == "ok"


def test_the_last_page_carries_the_scope_checksum(world: World) -> None:
    a = world.device()
    _fill(a, 2)
    a.engine.sync()
    headers = {**a.headers(), **version_headers()}
    page = requests.get(f"{world.url}/v1/pull", params={"after": 0}, headers=headers, timeout=10).json()
    assert page["checksum"]["at"] == page["cursor"]
    assert page["checksum"]["kinds"]["contact"][0] == 2 and page["checksum"]["kinds"]["visit"][0] == 2
    # An app knowing other fields gets none (it could not compute the same sums).
    other = {**headers, "X-Teren-Schema": "0" * 16}
    page = requests.get(f"{world.url}/v1/pull", params={"after": 0}, headers=other, timeout=10).json()
    assert "checksum" not in page or page["checksum"] is None
    # Not on a page with more to come.
    page = requests.get(
        f"{world.url}/v1/pull", params={"after": 0, "limit": 1}, headers=headers, timeout=10
    ).json()
    assert page["has_more"] and page.get("checksum") is None


def test_a_tampered_row_is_found_and_repaired(world: World) -> None:
    a, b = world.device(), world.device()
    ids = _fill(a)
    a.engine.sync()
    b.engine.sync()
    # Altered under the hood (same HLCs), one removed, one the service never had.
    _sql(b, "UPDATE contact SET name = 'Zmieniona' WHERE id = ?", ids[0])
    _sql(b, "DELETE FROM contact WHERE id = ?", ids[1])
    _sql(b, "UPDATE contact SET id = 'stray-contact' WHERE id = ?", ids[2])
    receipt = b.engine.sync()
    assert receipt.checksum == "repaired", _state(b)
    state = _state(b)
    assert state["repaired"] == ["contact"] and state["evicted"] == 1
    names = contact_names(b.store)
    assert names == contact_names(a.store)
    assert names[ids[0]] == "Osoba 0" and "stray-contact" not in names
    assert [c.id for c in b.store.search_contacts("Zmieniona")] == []
    assert {c.id for c in b.store.search_contacts("Osoba")} == set(ids)
    assert b.engine.sync().checksum == "ok"


def test_unsent_edits_survive_a_repair(world: World) -> None:
    a, b = world.device(), world.device()
    ids = _fill(a)
    a.engine.sync()
    b.engine.sync()
    mine = b.store.get(Contact, ids[3])
    assert mine is not None
    edit(b.store, mine, notes="not sent yet")
    new = add_contact(b.store, "Nowa, niewysłana")
    _sql(b, "UPDATE contact SET phone = '000' WHERE id = ?", ids[0])
    assert outbox_count(b.store) == 2
    # A pull and its verification alone (no push first): the edits stay unsent.
    receipt = SyncReceipt()
    pull = Pull(b.store, b.engine._fetch_page, receipt, lambda *_: None, 500)
    pull.run()
    outcome = Verify(b.store, b.engine._fetch_kinds, b.engine._fetch_hashes).run(pull.checksum)
    assert outcome.state == "repaired" and outcome.repaired == ["contact"]
    assert outbox_count(b.store) == 2
    got = b.store.get(Contact, ids[3])
    assert got is not None and got.notes == "not sent yet"
    assert b.store.get(Contact, new.id) is not None
    fixed = b.store.get(Contact, ids[0])
    assert fixed is not None and fixed.phone == "600000000"
    # Then they go, and both ends agree.
    assert b.engine.sync().checksum == "ok"
    assert outbox_count(b.store) == 0
    assert a.engine.sync().checksum == "ok"
    got = a.store.get(Contact, ids[3])
    assert got is not None and got.notes == "not sent yet"


def test_sums_wrap_at_64_bits_on_both_databases(world: World) -> None:
    from sync.checksum import to_signed
    from sync.server import record_sums

    key = (world.program_id, world.team_a, "contact")
    big = (1 << 63) + 5
    expected = 0
    for delta in (big, big + 2, -(big - 1), (1 << 64) - 1):
        with world.db.write() as conn:
            record_sums.apply(conn, {key: [1, to_signed(delta)]})
        expected = (expected + delta) % (1 << 64)
    with world.db.read() as conn:
        assert record_sums.scope_sums(conn, world.program_id, world.team_a) == {"contact": [4, expected]}
        assert record_sums.scope_sums(conn, world.program_id, None) == {"contact": [4, expected]}


def test_a_record_the_service_refused_stays_and_the_difference_is_reported_once(world: World) -> None:
    a = world.device()
    _fill(a, 1)
    a.engine.sync()
    with a.store.write() as conn:  # past the app's own checks, as a tampered or buggy app would
        a.store.save(conn, Contact(kind="resident", name="Ala Biegun", lat=91.0, lon=19.4))
    receipt = a.engine.sync()
    assert [r.code for r in receipt.rejected] == ["invalid_value"]
    assert receipt.checksum == "mismatch"
    assert "Ala Biegun" in contact_names(a.store).values()  # the user's record is not taken away
    assert _state(a)["repaired"] == ["contact"]
    receipt = a.engine.sync()  # the same difference: reported, not pulled again
    assert receipt.checksum == "mismatch" and _state(a)["repaired"] == []
    assert "Ala Biegun" in contact_names(a.store).values()
