"""The service's HTTP contract: idempotent batches, gzip, limits, error codes, clock bound, OpenAPI."""

from __future__ import annotations

import gzip
import json
import time
import uuid
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from sync import hlc
from sync.protocol import MAX_BODY_BYTES, MAX_CHANGES_PER_BATCH, MAX_CLOCK_AHEAD_MS
from sync.server import tables as t
from sync.server.erasure import ERASED_READ_WHOLE
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact, contact_names, edit, gz, push_raw


def _stamp(device: Device, ahead_ms: int = 0) -> str:
    return hlc.encode(time.time_ns() // 1_000_000 + ahead_ms, 0, hlc.node_for(device.store.device_id))


def _contact(device: Device, name: str = "Ala", **extra: Any) -> dict[str, Any]:
    stamp = _stamp(device)
    fields = {"kind": "resident", "name": name, **extra}
    return {
        "record_type": "contact",
        "id": str(uuid.uuid4()),
        "fields": fields,
        "hlcs": dict.fromkeys(fields, stamp),
        "full": True,
        "base_hlc": stamp,
    }


def _batch(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": list(changes)}


def _seq(world: World) -> int:
    with world.db.read() as conn:
        return conn.execute(sa.select(t.counter.c.value)).scalar_one()


def test_health_and_openapi(world: World) -> None:
    health = requests.get(f"{world.url}/health", timeout=10).json()
    assert health["status"] == "ok" and health["protocol"] == 1
    schema = requests.get(f"{world.url}/openapi.json", timeout=10).json()
    assert {"/v1/push", "/v1/pull", "/v1/enroll", "/v1/conflicts"} <= set(schema["paths"])


def test_repeated_batch_is_answered_from_the_first_and_changes_nothing(world: World) -> None:
    a = world.device()
    body = _batch(_contact(a), _contact(a, "Ola"))
    first = push_raw(world.url, a, body)
    assert first.status_code == 200 and not first.json()["replayed"]
    seq = _seq(world)
    body["changes"][0]["fields"]["name"] = "changed in the retry"
    again = push_raw(world.url, a, body)
    assert again.status_code == 200 and again.json()["replayed"]
    assert again.json()["results"] == first.json()["results"]
    assert _seq(world) == seq
    with world.db.read() as conn:
        names = conn.execute(
            sa.select(t.record.c.data).where(t.record.c.id == body["changes"][0]["id"])
        ).scalar_one()
    assert names["name"] == "Ala"


def test_gzip_body_is_accepted(world: World) -> None:
    a = world.device()
    answer = requests.post(
        f"{world.url}/v1/push",
        data=gz(_batch(_contact(a))),
        headers=a.headers(**{"Content-Encoding": "gzip", "Content-Type": "application/json"}),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["applied"]


def test_limits_answer_413_with_a_code(world: World) -> None:
    a = world.device()
    seq = _seq(world)
    change = _contact(a)
    too_many = _batch(*({**change, "id": str(uuid.uuid4())} for _ in range(MAX_CHANGES_PER_BATCH + 1)))
    answer = push_raw(world.url, a, too_many)
    assert (answer.status_code, answer.json()["code"]) == (413, "batch_too_large")
    # A gzip bomb: 9 MB of spaces compress to a few kilobytes.
    bomb = gzip.compress(b'{"protocol": 1, ' + b" " * (MAX_BODY_BYTES + 1024 * 1024) + b"}")
    assert len(bomb) < 100_000
    answer = requests.post(
        f"{world.url}/v1/push",
        data=bomb,
        headers=a.headers(**{"Content-Encoding": "gzip", "Content-Type": "application/json"}),
        timeout=10,
    )
    assert (answer.status_code, answer.json()["code"]) == (413, "body_too_large")
    plain = requests.post(
        f"{world.url}/v1/push",
        data=b" " * (MAX_BODY_BYTES + 1),
        headers=a.headers(**{"Content-Type": "application/json"}),
        timeout=10,
    )
    assert (plain.status_code, plain.json()["code"]) == (413, "body_too_large")
    assert _seq(world) == seq


def test_malformed_input_gets_4xx_codes_never_500(world: World) -> None:
    a = world.device()
    headers = a.headers(**{"Content-Type": "application/json"})
    cases = [
        (b"{not json", headers, 422, "invalid_request"),
        (b'{"batch_id": "x"}', headers, 422, "invalid_request"),
        (b'{"batch_id": "abcdefgh", "changes": [{"record_type": 5}]}', headers, 422, "invalid_request"),
        (
            b'{"batch_id": "abcdefgh", "changes": [{"record_type": "contact", "id": "a\\u0000b"}]}',
            headers,
            422,
            "invalid_request",
        ),
        (b"\x1f\x8b broken", {**headers, "Content-Encoding": "gzip"}, 400, "bad_encoding"),
        (b"{}", {**headers, "Content-Encoding": "br"}, 415, "bad_encoding"),
        (b"{}", {"Content-Type": "application/json"}, 401, "unauthorized"),
        (b"{}", {"Authorization": "Bearer nope", "Content-Type": "application/json"}, 401, "unauthorized"),
    ]
    for data, hdrs, status, code in cases:
        answer = requests.post(f"{world.url}/v1/push", data=data, headers=hdrs, timeout=10)
        assert (answer.status_code, answer.json()["code"]) == (status, code), data
    missing = requests.get(f"{world.url}/v1/nothing-here", timeout=10)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    bad_query = requests.get(f"{world.url}/v1/pull?after=-1", headers=a.headers(), timeout=10)
    assert (bad_query.status_code, bad_query.json()["code"]) == (422, "invalid_request")


def test_per_change_rejections_do_not_fail_the_batch(world: World) -> None:
    a = world.device()
    good = _contact(a, "Ala", shoe_size=42)  # a field from some other app version: ignored
    unknown = {**_contact(a), "record_type": "spaceship"}
    bad_value = _contact(a, "Ola", lat="north")
    bad_hlc = {**_contact(a), "hlcs": {"kind": "yesterday", "name": "yesterday"}}
    future = _contact(a, "Future")
    ahead = _stamp(a, MAX_CLOCK_AHEAD_MS + 60_000)
    future["hlcs"] = dict.fromkeys(future["fields"], ahead)
    future["base_hlc"] = ahead
    partial = {**_contact(a), "full": False}
    huge = {**_contact(a), "record_type": "diagnosis"}
    huge["fields"] = {"zone_id": "z", "title": "t", "period_start": "2025-01-01", "people_reached": 2**70}
    huge["hlcs"] = dict.fromkeys(huge["fields"], huge["base_hlc"])
    nan = _contact(a, "NaN", lat=float("nan"))
    body = _batch(good, unknown, bad_value, bad_hlc, future, partial, huge)
    answer = push_raw(world.url, a, body)
    assert answer.status_code == 200
    assert [(r["status"], r["code"]) for r in answer.json()["results"]] == [
        ("applied", None),
        ("rejected", "unknown_record_type"),
        ("rejected", "invalid_value"),
        ("rejected", "invalid_hlc"),
        ("rejected", "clock_ahead"),
        ("rejected", "missing_fields"),
        ("rejected", "invalid_value"),
    ]
    # NaN is not JSON; Python's parser accepts it, the service must not store it.
    raw_nan = json.dumps(_batch(nan)).encode()
    headers = a.headers(**{"Content-Type": "application/json"})
    answer = requests.post(f"{world.url}/v1/push", data=raw_nan, headers=headers, timeout=10)
    assert answer.status_code == 422 or answer.json()["results"][0]["code"] == "invalid_value"
    with world.db.read() as conn:
        stored = conn.execute(sa.select(t.record.c.data).where(t.record.c.id == good["id"])).scalar_one()
    assert stored == {"kind": "resident", "name": "Ala"}
    # Slightly ahead (within the bound) is fine.
    near = _contact(a, "Near")
    near["hlcs"] = dict.fromkeys(near["fields"], _stamp(a, MAX_CLOCK_AHEAD_MS // 2))
    assert push_raw(world.url, a, _batch(near)).json()["results"][0]["status"] == "applied"


def test_a_phone_clock_far_ahead_is_pulled_back_to_the_service_time(world: World) -> None:
    a, b = world.device(), world.device()
    ala = add_contact(a.store, "On time")
    a.engine.sync()
    b.engine.sync()
    real_wall = a.store.clock._wall
    a.store.clock._wall = lambda: real_wall() + 2 * 24 * 3600 * 1000  # the phone thinks it is in two days
    future = add_contact(a.store, "From the future")
    edit(a.store, ala, name="Edited in the future", notes="future notes")
    edit(a.store, ala, name="Edited later in the future")
    receipt = a.engine.sync()
    assert (receipt.applied, receipt.rejected, receipt.still_pending) == (2, [], 0)
    limit = time.time_ns() // 1_000_000 + MAX_CLOCK_AHEAD_MS
    with world.db.read() as conn:
        query = sa.select(t.record.c.hlcs).where(t.record.c.id.in_([ala.id, future.id]))
        stamps = conn.execute(query).scalars()
        assert all(hlc.wall_ms(h) < limit for s in stamps for h in s.values())
    # An honest edit made after the push wins over the values from the future.
    on_b = b.store.get(type(ala), ala.id)
    edit(b.store, on_b, name="Honest edit")
    b.engine.sync()
    a.engine.sync()
    assert contact_names(a.store)[ala.id] == "Honest edit"
    assert a.store.get(type(ala), ala.id).notes == "future notes"  # type: ignore[union-attr]


def test_the_service_refuses_hlcs_too_far_ahead(world: World) -> None:
    a = world.device()
    body = _batch(_contact(a))
    ahead = _stamp(a, MAX_CLOCK_AHEAD_MS * 3)
    body["changes"][0]["hlcs"] = dict.fromkeys(body["changes"][0]["fields"], ahead)
    assert push_raw(world.url, a, body).json()["results"][0]["code"] == "clock_ahead"


def test_cursor_beyond_64_bits_is_refused(world: World) -> None:
    a = world.device()
    answer = requests.get(f"{world.url}/v1/pull?after={2**70}", headers=a.headers(), timeout=10)
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request")
    body = {**_batch(_contact(a)), "cursor": 2**70}
    assert push_raw(world.url, a, body).json()["code"] == "invalid_request"


def _records(world: World) -> dict[str, dict[str, Any]]:
    with world.db.read() as conn:
        return {row.id: row.data for row in conn.execute(sa.select(t.record.c.id, t.record.c.data))}


def _review(device: Device, state: str) -> dict[str, Any]:
    stamp = _stamp(device)
    fields = {"target_type": "visit", "target_id": str(uuid.uuid4()), "state": state, "comment": "?"}
    review_id = str(uuid.uuid4())
    return {"record_type": "review", "id": review_id, "full": True, "base_hlc": stamp, "fields": fields}


FORBIDDEN_WRITES: dict[str, Any] = {
    "erase a person": lambda d: _contact(d, "", erased_at="2026-11-23T06:00:00+00:00"),
    "approve an entry": lambda d: _review(d, "approved"),
    "return an entry": lambda d: _review(d, "returned"),
    "open a review": lambda d: _review(d, "new"),
}


@pytest.mark.parametrize("role", ["animator", "library_staff"])
@pytest.mark.parametrize("action", list(FORBIDDEN_WRITES))
def test_a_change_the_role_may_not_make_refuses_the_whole_batch_with_403(
    world: World, role: str, action: str
) -> None:
    """A batch of an animator or library staff that erases a person or decides a review is refused
    whole: the answer names the offending change, and not even the harmless change beside it is
    written."""
    device = world.device(role)
    before, seq = _records(world), _seq(world)
    harmless, refused = _contact(device, "Ola"), FORBIDDEN_WRITES[action](device)
    answer = push_raw(world.url, device, _batch(harmless, refused))
    assert answer.status_code == 403, answer.text
    body = answer.json()
    assert body["code"] == "forbidden" and body["message"]
    assert [(c["record_type"], c["id"]) for c in body["changes"]] == [(refused["record_type"], refused["id"])]
    assert _records(world) == before and _seq(world) == seq


def test_a_compact_answer_lists_only_what_was_not_simply_applied(world: World) -> None:
    a = world.device()
    good = [_contact(a, f"Osoba {n}") for n in range(3)]
    bad = {**_contact(a), "record_type": "spaceship"}
    answer = push_raw(world.url, a, {**_batch(*good, bad), "compact": True})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["applied"] == 3
    assert [(r["id"], r["status"], r["code"]) for r in body["results"]] == [
        (bad["id"], "rejected", "unknown_record_type")
    ]
    assert {c["id"] for c in good} <= set(_records(world))


def test_a_new_record_keeps_one_base_hlc_for_the_fields_written_with_it(world: World) -> None:
    """The service stores (and sends back) only HLCs that differ from the record's base."""
    a = world.device()
    change = _contact(a, "Ala", phone="600100200")
    later = hlc.encode(hlc.wall_ms(change["base_hlc"]) + 5, 0, hlc.node_for(a.store.device_id))
    change["hlcs"] = {"phone": later}
    assert push_raw(world.url, a, _batch(change)).status_code == 200
    with world.db.read() as conn:
        stored = conn.execute(sa.select(t.record.c.hlcs).where(t.record.c.id == change["id"])).scalar_one()
    assert stored == {"phone": later}
    page = requests.get(f"{world.url}/v1/pull", params={"after": 0}, headers=a.headers(), timeout=10).json()
    pulled = next(r for r in page["records"] if r["id"] == change["id"])
    assert pulled["hlcs"] == {"phone": later} and pulled["base_hlc"] == change["base_hlc"]
    assert pulled["fields"]["name"] == "Ala"


def test_a_record_is_credited_to_the_pushing_device_and_its_user_whatever_it_claims(world: World) -> None:
    """Author and device come from the token: a claimed colleague (or none) is replaced."""
    a, b = world.device(), world.device()
    own, none_claimed, forged = _contact(a, "Ala"), _contact(a, "Ola"), _contact(a, "Ela")
    own["author_id"], forged["author_id"] = a.user_id, b.user_id
    forged["device_id"] = b.store.device_id
    assert push_raw(world.url, a, _batch(own, none_claimed, forged)).status_code == 200
    with world.db.read() as conn:
        stored = {
            row.id: (row.author_id, row.device_id)
            for row in conn.execute(
                sa.select(t.record.c.id, t.record.c.author_id, t.record.c.device_id).where(
                    t.record.c.id.in_([own["id"], none_claimed["id"], forged["id"]])
                )
            )
        }
    mine = (a.user_id, a.store.device_id)
    assert stored == {own["id"]: mine, none_claimed["id"]: mine, forged["id"]: mine}


def _visit(device: Device, contact_id: str, notes: str) -> dict[str, Any]:
    stamp = _stamp(device)
    fields = {"contact_id": contact_id, "outcome": "talked", "notes": notes}
    visit_id = str(uuid.uuid4())
    return {"record_type": "visit", "id": visit_id, "fields": fields, "full": True, "base_hlc": stamp}


def _erased_list(world: World) -> set[str]:
    with world.db.read() as conn:
        return set(conn.execute(sa.select(t.erased_contact.c.id)).scalars())


def test_visits_naming_erased_contacts_lose_their_notes_however_many_are_erased(world: World) -> None:
    """More erased contacts than are read whole (``ERASED_READ_WHOLE``): those a batch names are
    looked up by id, with the same answer."""
    boss = world.device("supervisor")
    when = "2026-11-23T06:00:00+00:00"
    erased = [_contact(boss, "", erased_at=when) for _ in range(ERASED_READ_WHOLE + 1)]
    kept = _contact(boss, "Ala")
    assert push_raw(world.url, boss, _batch(*erased, kept)).status_code == 200
    assert {c["id"] for c in erased} <= _erased_list(world)
    assert kept["id"] not in _erased_list(world)
    gone, stays = _visit(boss, erased[-1]["id"], "długi"), _visit(boss, kept["id"], "chce pomóc")
    answer = push_raw(world.url, boss, _batch(gone, stays))
    assert answer.status_code == 200 and answer.json()["exact"] is False
    stored = _records(world)
    assert (stored[gone["id"]]["notes"], stored[stays["id"]]["notes"]) == ("", "chce pomóc")


def test_no_push_takes_a_contact_off_the_erased_list(world: World) -> None:
    """``erased_contact`` only grows through pushes: a later write clearing ``erased_at`` is refused
    (``erased``), even from a supervisor, and visits naming the person still lose their notes."""
    boss = world.device("supervisor")
    person = _contact(boss, "", erased_at="2026-11-23T06:00:00+00:00")
    assert push_raw(world.url, boss, _batch(person)).status_code == 200
    assert person["id"] in _erased_list(world)
    time.sleep(0.002)
    undo = {**person, "fields": {"erased_at": None}, "hlcs": {"erased_at": _stamp(boss)}, "full": False}
    del undo["base_hlc"]
    answer = push_raw(world.url, boss, _batch(undo))
    assert answer.status_code == 200
    assert [(r["status"], r["code"]) for r in answer.json()["results"]] == [("rejected", "erased")]
    assert person["id"] in _erased_list(world)
    visit = _visit(boss, person["id"], "chce pomóc")
    assert push_raw(world.url, boss, _batch(visit)).status_code == 200
    assert _records(world)[visit["id"]]["notes"] == ""
