"""The hand-written push body reader (``sync.server.push_body``) against the published models
(``sync.protocol.PushRequest``): what it takes, pydantic takes with the same values; what it
refuses, pydantic refuses too, unless pydantic's lax mode turned one JSON type into another
(``"5"`` for a number, ``1`` for true), which no device sends."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sync.protocol import PushRequest
from sync.server.errors import ApiError
from sync.server.push_body import parse_push

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=70), st.just("a\x00b"), st.just([]), st.just({}), st.just("x" * 65),
)
NAME = st.one_of(st.text(min_size=1, max_size=70), JUNK)
HLC = st.one_of(st.just("019a4f3c2b1e0000-3f9a12c0"), JUNK)


def _key(draw: st.DrawFn, key: str, valid: st.SearchStrategy[Any]) -> dict[str, Any]:
    """Mostly a valid value; now and then the key is missing or holds something else."""
    roll = draw(st.integers(0, 11))
    if roll == 0:
        return {}
    return {key: draw(JUNK if roll == 1 else valid)}


@st.composite
def changes(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 40)) == 0:
        return draw(JUNK)
    change: dict[str, Any] = {}
    for key, valid in (
        ("record_type", st.sampled_from(["contact", "visit"])),
        ("id", st.uuids().map(str)),
        ("op", st.sampled_from(["upsert", "delete"])),
        ("fields", st.dictionaries(st.text(max_size=5), JUNK, max_size=3)),
        ("hlcs", st.dictionaries(st.text(max_size=5), HLC, max_size=2)),
        ("full", st.booleans()),
        ("base_hlc", HLC),
        ("created_at", st.just("2026-11-23T06:00:00+00:00")),
        ("author_id", st.text(min_size=1, max_size=64)),
        ("device_id", st.none()),
        ("something_new", JUNK),
    ):
        change.update(_key(draw, key, valid))
    return change


@st.composite
def bodies(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 60)) == 0:
        return draw(JUNK)
    body: dict[str, Any] = {}
    body.update(_key(draw, "protocol", st.just(1)))
    body.update(_key(draw, "batch_id", st.just("b" * 32)))
    body.update(_key(draw, "cursor", st.integers(0, 2**63 - 1)))
    body.update(_key(draw, "compact", st.booleans()))
    body.update(_key(draw, "changes", st.lists(changes(), max_size=2)))
    return body


def _reference(body: Any) -> PushRequest | None:
    try:
        return PushRequest.model_validate(body)
    except ValidationError:
        return None


def _ours(body: Any) -> Any:
    try:
        return parse_push(json.dumps(body).encode())
    except ApiError as exc:
        assert exc.status == 422 and exc.code == "invalid_request" and exc.message
        return None


def _json_types(value: Any) -> Any:
    """The value with every scalar replaced by its JSON type name (to tell coercion apart)."""
    if isinstance(value, dict):
        return {k: _json_types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_types(v) for v in value]
    return type(value).__name__


@settings(max_examples=400, deadline=None)
@given(bodies())
def test_push_body_reader_agrees_with_the_published_model(body: Any) -> None:
    # Both read what JSON decoding gives (orjson reads integers beyond 64 bits as floats).
    body = orjson.loads(json.dumps(body))
    ours, reference = _ours(body), _reference(body)
    if ours is not None:
        assert reference is not None
        assert ours.batch_id == reference.batch_id and ours.cursor == reference.cursor
        assert ours.compact == reference.compact and ours.protocol == reference.protocol
        assert len(ours.changes) == len(reference.changes)
        for mine, theirs in zip(ours.changes, reference.changes, strict=True):
            assert {k: getattr(mine, k) for k in theirs.model_fields_set | {"record_type", "id"}} == {
                k: getattr(theirs, k) for k in theirs.model_fields_set | {"record_type", "id"}
            }
    elif reference is not None:
        dumped = reference.model_dump(include={"protocol", "cursor", "compact", "batch_id"})
        given_types = _json_types({k: body[k] for k in dumped if k in body})
        assert given_types != _json_types({k: dumped[k] for k in given_types}) or any(
            _json_types(c) != _json_types(r.model_dump(include=set(c) if isinstance(c, dict) else None))
            for c, r in zip(body.get("changes", []), reference.changes, strict=False)
        ), body


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b"{", "body"),
        (b'{"batch_id": "12345678", "changes": [{"record_type": "contact", "id": "\\ud800"}]}', "body"),
        (b'{"batch_id": "12345678", "changes": [{"record_type": "contact", "id": NaN}]}', "body"),
        (b'{"batch_id": "1234", "changes": []}', "body.batch_id"),
        (b'{"batch_id": "12345678", "changes": [{"id": "x"}]}', "body.changes.0.record_type"),
        (b'{"batch_id": "12345678", "changes": [{"record_type": "contact", "id": "x", "op": "drop"}]}',
         "body.changes.0.op"),
        (b'{"batch_id": "12345678", "changes": [{"record_type": "contact", "id": "x", "fields": null}]}',
         "body.changes.0.fields"),
        (b'{"batch_id": "12345678", "changes": [{"record_type": "contact", "id": "x", "hlcs": null}]}',
         "body.changes.0.hlcs"),
        (b'{"batch_id": "12345678", "changes": [{"record_type": "contact", "id": "x", "full": 1}]}',
         "body.changes.0.full"),
        (b'{"batch_id": "12345678", "protocol": 1e300, "changes": []}', "body.protocol"),
        (b'{"batch_id": "12345678", "changes": [{"record_type": "contact", "id": "x"}, 5]}',
         "body.changes.1"),
        (b'{"batch_id": "12345678", "changes": [{"record_type": "contact", "id": "x"}, '
         b'{"record_type": "contact", "id": "y", "hlcs": {"name": 5}}]}', "body.changes.1.hlcs.name"),
    ],
)
def test_a_bad_body_is_refused_naming_the_place(raw: bytes, where: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_push(raw)
    assert refused.value.status == 422 and refused.value.message.startswith(f"{where}:")
