"""Whatever arrives, the service answers with a JSON error code or a result, never a 500."""

from __future__ import annotations

import uuid
from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sync.conftest import World
from tests.sync.helpers import fuzz_examples, fuzz_randomised

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_change = st.fixed_dictionaries(
    {
        "record_type": st.sampled_from(["contact", "visit", "zone", "nope"]) | st.text(max_size=5),
        "id": st.text(min_size=1, max_size=10) | st.just("a\x00b"),
    },
    optional={
        "op": st.sampled_from(["upsert", "delete"]) | st.text(max_size=3),
        "fields": st.dictionaries(
            st.sampled_from(["name", "kind", "lat", "deleted", "x"]), _json, max_size=4
        ),
        "hlcs": st.dictionaries(
            st.sampled_from(["name", "kind", "lat", "deleted"]),
            st.sampled_from(["019a4f3c2b1e0000-3f9a12c0", "0000000000000000-0", "bad"]) | st.text(max_size=8),
            max_size=4,
        ),
        "full": st.booleans(),
        "base_hlc": st.none() | st.sampled_from(["019a4f3c2b1e0000-3f9a12c0"]) | st.text(max_size=5),
    },
)
_body = st.one_of(
    _json,
    st.fixed_dictionaries(
        {"batch_id": st.text(min_size=8, max_size=12), "changes": st.lists(_change, max_size=4)},
        optional={"protocol": st.integers(-2, 3)},
    ),
)


def test_push_never_fails_with_500(world: World) -> None:
    a = world.device()
    headers = a.headers(**{"Content-Type": "application/json"})

    @settings(
        max_examples=fuzz_examples(40),
        derandomize=not fuzz_randomised(),
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=_body)
    def check(body: Any) -> None:
        if isinstance(body, dict) and "batch_id" in body:
            body["batch_id"] = uuid.uuid4().hex  # each example is a new batch
        answer = requests.post(f"{world.url}/v1/push", json=body, headers=headers, timeout=10)
        assert answer.status_code < 500, answer.text
        payload = answer.json()
        assert ("code" in payload) if answer.status_code >= 400 else ("results" in payload)

    check()
