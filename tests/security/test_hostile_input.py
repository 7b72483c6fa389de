"""Hostile input over HTTP, the complete list: each request gets a 4xx with a stable JSON ``code`` (or a
200 whose change results carry a ``RejectCode``), never a 5xx; requests that must not write leave
every stored record as it was; what is stored safely can still be pulled and synced by the team.

Assertions are on behaviour only (status class, ``code``, stored data), not on how the service
decodes bodies: several outcomes are allowed where the protocol permits either a whole-request
refusal (422 ``invalid_request``) or a per-change rejection (200, ``rejected:invalid_value``).
"""

from __future__ import annotations

import gzip
import http.client
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from fieldapp.model import Visit
from fieldapp.services import contacts, visits
from sync import hlc
from sync.protocol import MAX_BODY_BYTES, ErrorCode, RejectCode
from sync.server import tables as t
from sync.server.db import Database
from tests.security.helpers import batch, contact_change
from tests.sync.conftest import World, backend, server, world  # noqa: F401
from tests.sync.helpers import add_contact

JSON = {"Content-Type": "application/json"}
INVALID = "422 invalid_request"
REJECTED = "200 rejected:invalid_value"
#: A JSON body sent as another media type is refused (422 today; 415 would do as well).
WRONG_TYPE = (INVALID, "415 invalid_request")
#: Replaced by raw bytes after JSON encoding (bytes json.dumps cannot make).
MARK = "MARK-" + "7" * 8


def _raw(change: dict[str, Any], mark: bytes, where: bytes | None = None) -> bytes:
    """The batch as JSON with ``where`` (default: the name's marker) replaced by raw ``mark`` bytes."""
    return json.dumps(batch(change)).encode().replace(where or f'"{MARK}"'.encode(), mark)


def _named(raw: bytes) -> bytes:
    return _raw(contact_change(MARK), raw)


def _with_fields(**fields: Any) -> dict[str, Any]:
    change = contact_change("Ala")
    change["fields"].update(fields)
    change["hlcs"] = dict.fromkeys(change["fields"], change["base_hlc"])
    return change


def _literal(name: str, literal: bytes) -> bytes:
    """A contact whose field ``name`` holds a bare JSON-ish literal (``NaN``, ``Infinity``...)."""
    return _raw(_with_fields(**{name: MARK}), literal)


def _visit(**fields: Any) -> dict[str, Any]:
    change = contact_change("x")
    change.update(record_type="visit", fields={"outcome": "talked", **fields})
    change["hlcs"] = dict.fromkeys(change["fields"], change["base_hlc"])
    return change


def _hlcs(stamp: str) -> dict[str, Any]:
    change = contact_change("Ala")
    change["hlcs"] = dict.fromkeys(change["fields"], stamp)
    change["base_hlc"] = stamp
    return change


def _js(body: Any) -> bytes:
    return json.dumps(body).encode()


@dataclass(frozen=True)
class Case:
    """One hostile request: ``body`` builds fresh bytes; ``expected`` lists the allowed outcomes."""

    name: str
    body: Callable[[], bytes]
    expected: frozenset[str]
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    path: str = "/v1/push"


def case(name: str, body: Callable[[], bytes], *expected: str, **options: Any) -> Any:
    marks = options.pop("marks", ())
    return pytest.param(Case(name, body, frozenset(expected), **options), id=name, marks=marks)


def _future_stamp(years: int) -> str:
    return hlc.encode(time.time_ns() // 1_000_000 + years * 365 * 86_400_000, 0, hlc.node_for("x"))


#: Requests that must be refused whole or per change, writing nothing.
REFUSED = [
    # Very long fields where the protocol has a bound.
    case("long id", lambda: _js(batch(contact_change("Ala", "i" * 65))), INVALID),
    case("long record type", lambda: _js(batch({**contact_change(), "record_type": "c" * 65})), INVALID),
    case("long batch id", lambda: _js({**batch(contact_change()), "batch_id": "b" * 65}), INVALID),
    case("long hlc", lambda: _js(batch(_hlcs("0" * 5000))), INVALID, "200 rejected:invalid_hlc"),
    # Invalid UTF-8 and surrogates.
    case("invalid utf-8 in a value", lambda: _named(b'"\xc3\x28"'), INVALID),
    case("invalid utf-8 in an id", lambda: _raw(contact_change("Ala", MARK), b'"\xff\xfe"'), INVALID),
    case("utf-8 encoded surrogate (CESU)", lambda: _named(b'"\xed\xa0\x80"'), INVALID),
    case("Windows-1250 text", lambda: _named('"Łódź"'.encode("cp1250")), INVALID),
    case("lone surrogate in an id", lambda: _raw(contact_change("Ala", MARK), b'"\\ud800"'), INVALID),
    case("lone surrogate in a record type",
         lambda: _raw(contact_change(), b'"\\udfff"', b'"contact"'), INVALID),
    case("lone surrogate in the batch id",
         lambda: _js(batch(contact_change())).replace(b'"batch_id": "', b'"batch_id": "\\ud800'), INVALID),
    # NaN and infinities: not JSON; never stored.
    case("NaN latitude", lambda: _literal("lat", b"NaN"), INVALID, REJECTED),
    case("Infinity latitude", lambda: _literal("lat", b"Infinity"), INVALID, REJECTED),
    case("-Infinity longitude", lambda: _literal("lon", b"-Infinity"), INVALID, REJECTED),
    case("1e999 longitude", lambda: _literal("lon", b"1e999"), INVALID, REJECTED),
    case("NaN protocol", lambda: _js(batch()).replace(b'"protocol": 1', b'"protocol": NaN'), INVALID),
    case("Infinity cursor", lambda: _js(batch()).replace(b'"protocol": 1', b'"cursor": Infinity'), INVALID),
    # Dates no calendar holds.
    case("year 0", lambda: _js(batch(_visit(follow_up_on="0000-01-01"))), REJECTED),
    case("year 10000", lambda: _js(batch(_visit(follow_up_on="+10000-01-01"))), REJECTED),
    case("timestamp 10^20", lambda: _js(batch(_visit(visited_at=10**20))), REJECTED),
    case("month 13", lambda: _js(batch(_visit(visited_at="2026-13-01T00:00:00+00:00"))), REJECTED),
    # HLCs from the future (years ahead, the largest encodable) and broken ones.
    case("hlc a year ahead", lambda: _js(batch(_hlcs(_future_stamp(1)))), "200 rejected:clock_ahead"),
    case("largest hlc", lambda: _js(batch(_hlcs("f" * 16 + "-ffffffff"))), "200 rejected:clock_ahead",
         "200 rejected:invalid_hlc"),
    case("hlc with a negative wall", lambda: _js(batch(_hlcs("-000000000000001-0"))),
         "200 rejected:invalid_hlc"),
    # Unknown record types, including the names of tables on both ends.
    *(
        case(f"record type {name!r}", lambda name=name: _js(batch({**contact_change(), "record_type": name})),
             "200 rejected:unknown_record_type")
        for name in ("outbox", "contact_search", "record", "account", "../contact", "Contact", "contact ")
    ),
    # Non-JSON bodies and wrong content types.
    *(
        case(f"body {body[:12]!r}", lambda body=body: body, INVALID)
        for body in (b"", b"{not json", b"[]", b"null", b'"push"', b"42", b"<push/>", b"{" * 100_000)
    ),
    case("text/plain", lambda: _js(batch(contact_change())), *WRONG_TYPE,
         headers={"Content-Type": "text/plain"}),
    case("form", lambda: b"batch_id=abcdefgh&changes=", *WRONG_TYPE,
         headers={"Content-Type": "application/x-www-form-urlencoded"}),
    case("multipart", lambda: b"--x\r\n\r\n{}\r\n--x--", *WRONG_TYPE,
         headers={"Content-Type": "multipart/form-data; boundary=x"}),
    case("no content type", lambda: _js(batch(contact_change())), *WRONG_TYPE, headers={}),
    case("deeply nested", lambda: _literal("name", b"[" * 50_000 + b"]" * 50_000), INVALID, REJECTED),
    # Encodings and sizes.
    case("gzip of gzip", lambda: gzip.compress(gzip.compress(_js(batch(contact_change())))), INVALID,
         headers={**JSON, "Content-Encoding": "gzip"}),
    case("gzip with trailing bytes", lambda: gzip.compress(_js(batch(contact_change()))) + b"garbage",
         "400 bad_encoding", headers={**JSON, "Content-Encoding": "gzip"}),
    case("two gzip members", lambda: gzip.compress(_js(batch(contact_change()))) + gzip.compress(b" "),
         "400 bad_encoding", headers={**JSON, "Content-Encoding": "gzip"}),
    case("truncated gzip", lambda: gzip.compress(_js(batch(contact_change())))[:-9], "400 bad_encoding",
         headers={**JSON, "Content-Encoding": "gzip"}),
    case("gzip header, plain body", lambda: _js(batch(contact_change())), "400 bad_encoding",
         headers={**JSON, "Content-Encoding": "gzip"}),
    case("deflate", lambda: _js(batch(contact_change())), "415 bad_encoding",
         headers={**JSON, "Content-Encoding": "deflate"}),
    case("gzip, gzip", lambda: gzip.compress(_js(batch(contact_change()))), "415 bad_encoding",
         headers={**JSON, "Content-Encoding": "gzip, gzip"}),
    case("gzip bomb of zeros", lambda: gzip.compress(b"0" * (MAX_BODY_BYTES * 2)), "413 body_too_large",
         headers={**JSON, "Content-Encoding": "gzip"}),
    # Enrollment: the unauthenticated endpoint.
    case("enroll: invalid utf-8", lambda: b'{"code": "\xff", "device_id": "d"}', INVALID, path="/v1/enroll"),
    case("enroll: lone surrogate", lambda: b'{"code": "\\ud800", "device_id": "d"}', INVALID,
         path="/v1/enroll"),
    case("enroll: long code", lambda: _js({"code": "x" * 100_000, "device_id": "d"}), INVALID,
         path="/v1/enroll"),
    case("enroll: NaN protocol", lambda: b'{"protocol": NaN, "code": "x", "device_id": "d"}', INVALID,
         path="/v1/enroll"),
    case("enroll: wrong code", lambda: _js({"code": "T-" + "A" * 20, "device_id": "d"}),
         "400 enrollment_invalid", "404 enrollment_invalid", "401 enrollment_invalid", path="/v1/enroll"),
]


def snapshot(db: Database) -> dict[str, Any]:
    """Every stored record (as stored), the change counter and the set of devices."""
    with db.read() as conn:
        records = conn.execute(
            sa.select(
                t.record.c.record_type, t.record.c.id, t.record.c.seq, t.record.c.data, t.record.c.hlcs,
                t.record.c.deleted, t.record.c.program_id, t.record.c.team_id,
            )
        ).all()
        return {
            "records": {(r.record_type, r.id): tuple(r) for r in records},
            "counter": conn.execute(sa.select(t.counter.c.value)).scalar_one(),
            "devices": set(conn.execute(sa.select(t.device.c.id)).scalars()),
        }


def outcome(answer: requests.Response) -> str:
    """``"<status> <code>"`` for errors, ``"<status> <status>[:<code>],..."`` for push results;
    fails on a 5xx, a non-JSON answer or a code outside the protocol's enums."""
    assert answer.status_code < 500, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    payload = answer.json()
    if answer.status_code >= 400:
        assert payload["code"] in set(ErrorCode), payload
        return f"{answer.status_code} {payload['code']}"
    parts = []
    for result in payload["results"]:
        assert result["code"] is None or result["code"] in set(RejectCode), result
        parts.append(result["status"] + (f":{result['code']}" if result["code"] else ""))
    return f"{answer.status_code} {','.join(parts)}"


@pytest.fixture
def seeded(world: World) -> Iterator[tuple[World, dict[str, str]]]:  # noqa: F811 (the fixture)
    """A world whose team already holds synced data; the headers of a teammate's device."""
    a = world.device()
    add_contact(a.store, "Stored before", phone="600100200")
    a.engine.sync()
    yield world, a.headers()


#: Refusals happen before any database work: one backend is enough for them.
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize("hostile", REFUSED)
def test_hostile_request_is_refused_and_changes_nothing(
    seeded: tuple[World, dict[str, str]], hostile: Case
) -> None:
    w, auth = seeded
    before = snapshot(w.db)
    answer = requests.post(
        f"{w.url}{hostile.path}", data=hostile.body(), headers={**auth, **hostile.headers}, timeout=30
    )
    assert outcome(answer) in hostile.expected
    assert snapshot(w.db) == before


@SQLITE_ONLY
def test_oversized_chunked_body_is_refused_while_streaming(seeded: tuple[World, dict[str, str]]) -> None:
    """No Content-Length: the cap applies to the bytes as they arrive."""
    w, auth = seeded
    before = snapshot(w.db)

    def chunks() -> Iterator[bytes]:
        yield b'{"protocol": 1, "batch_id": "chunked-1", "changes": ['
        for _ in range(MAX_BODY_BYTES // (1 << 20) + 2):
            yield b" " * (1 << 20)

    answer = requests.post(f"{w.url}/v1/push", data=chunks(), headers={**auth, **JSON}, timeout=30)
    assert outcome(answer) == "413 body_too_large"
    assert snapshot(w.db) == before


@SQLITE_ONLY
def test_a_declared_length_beyond_the_cap_is_refused_before_the_body(
    seeded: tuple[World, dict[str, str]],
) -> None:
    w, auth = seeded
    host, port = w.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest("POST", "/v1/push")
        for name, value in {**auth, **JSON, "Content-Length": str(MAX_BODY_BYTES + 1)}.items():
            conn.putheader(name, value)
        conn.endheaders(b"{}")  # the rest never comes: the answer may not wait for it
        answer = conn.getresponse()
        assert (answer.status, json.loads(answer.read())["code"]) == (413, "body_too_large")
    finally:
        conn.close()


@SQLITE_ONLY
@pytest.mark.parametrize(
    "query",
    ["after=NaN", "after=1e3", "after=1%20OR%201=1", "limit=0", "limit=Infinity", "limit=100000",
     f"after={2**64}", "after=%00", "after=" + "9" * 5000],
)
def test_hostile_pull_queries_are_refused(seeded: tuple[World, dict[str, str]], query: str) -> None:
    w, auth = seeded
    answer = requests.get(f"{w.url}/v1/pull?{query}", headers=auth, timeout=10)
    assert outcome(answer) == INVALID


# Requests the service may store (safely): afterwards the team still pulls and syncs, nothing that
# was stored before changed, and the internal columns stay the pusher's.
STORED = [
    case("a 1 MB name", lambda: _js(batch(contact_change("ż" * 500_000))), "200 applied", REJECTED),
    case("a 10 kB field name", lambda: _js(batch(_with_fields(**{"k" * 10_000: 1}))), "200 applied"),
    case("fields named like internal columns", lambda: _js(batch(_with_fields(
        team_id="other", program_id="other", seq=1, id="other", record_type="visit", author_id="x"))),
        "200 applied"),
    case("year 1, ahead of UTC", lambda: _js(batch(_visit(visited_at="0001-01-01T00:00:00+01:00"))),
         "200 applied", REJECTED),
    case("year 9999, behind UTC", lambda: _js(batch(_visit(visited_at="9999-12-31T23:59:59-14:00"))),
         "200 applied", REJECTED),
    case("year 1 in UTC", lambda: _js(batch(_visit(visited_at="0001-01-01T00:00:00+00:00"))),
         "200 applied", REJECTED),
    case("creation time in year 1",
         lambda: _js(batch({**contact_change(), "created_at": "0001-01-01T00:00:00"})),
         "200 applied", REJECTED, INVALID),
    case("lone surrogate in a value", lambda: _named(b'"Ewa \\ud800"'), INVALID, REJECTED, "200 applied"),
    case("lone surrogate in a field name", lambda: _raw(_with_fields(x=1), b'"\\udfff"', b'"x"'),
         INVALID, "200 applied", REJECTED),
]


@pytest.mark.parametrize("hostile", STORED)
def test_what_is_stored_is_stored_safely(seeded: tuple[World, dict[str, str]], hostile: Case) -> None:
    w, auth = seeded
    before = snapshot(w.db)
    answer = requests.post(
        f"{w.url}{hostile.path}", data=hostile.body(), headers={**auth, **hostile.headers},
        timeout=30,
    )
    result = outcome(answer)
    after = snapshot(w.db)
    assert result in hostile.expected
    assert {key: after["records"].get(key) for key in before["records"]} == before["records"]
    for key in after["records"].keys() - before["records"].keys():
        assert after["records"][key][6:8] == (w.program_id, w.team_a)  # the pusher's scope
    pulled = requests.get(f"{w.url}/v1/pull", headers=auth, timeout=30)
    assert pulled.status_code == 200, pulled.text[:300]
    teammate = w.device()
    receipt = teammate.engine.sync()
    assert receipt.pulled == len(pulled.json()["records"])
    # The teammate's app shows what it pulled.
    assert len(contacts.list_contacts(teammate.store)) >= 1
    visits.recent_visits(teammate.store)


def test_the_same_id_twice_in_a_batch(seeded: tuple[World, dict[str, str]]) -> None:
    """Same type: one record, the later write wins. Two types: two records, each in its own type."""
    w, auth = seeded
    first = contact_change("first")
    time.sleep(0.002)  # the second write is the later one
    second, as_visit = contact_change("second"), _visit()
    second["id"] = as_visit["id"] = first["id"]
    answer = requests.post(f"{w.url}/v1/push", json=batch(first, second, as_visit), headers=auth, timeout=30)
    assert outcome(answer) == "200 applied,applied,applied"
    stored = {key[0]: row for key, row in snapshot(w.db)["records"].items() if key[1] == first["id"]}
    assert set(stored) == {"contact", "visit"}
    assert stored["contact"][3] == {"kind": "resident", "name": "second"}
    teammate = w.device()
    teammate.engine.sync()
    assert contacts.get_contact(teammate.store, first["id"]).name == "second"
    assert teammate.store.get(Visit, first["id"]) is not None
