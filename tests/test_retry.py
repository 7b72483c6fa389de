"""The one backoff schedule (``fieldapp.retry``) and its three users: the sync transport (tenacity),
the automatic sync after failures, the geocoding queue's saved retry time (tests/geo/test_positions.py)."""

from __future__ import annotations

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from fieldapp import retry
from fieldapp.store import Store
from fieldapp.sync import AutoSync, SyncEngine


def test_without_jitter_each_retry_doubles_up_to_the_cap() -> None:
    waits = [retry.delay(attempt, 30, 600, jitter=False) for attempt in range(1, 8)]
    assert waits == [30, 60, 120, 240, 480, 600, 600]
    assert retry.delay(10_000, 30, 600, jitter=False) == 600  # no overflow however long it fails
    assert retry.delay(0, 30, 600, jitter=False) == 30  # attempts count from 1


def test_with_jitter_each_wait_is_in_the_upper_half_of_its_step() -> None:
    for attempt, step in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 5.0), (9, 5.0)):
        waits = [retry.delay(attempt, 0.5, 5.0) for _ in range(200)]
        assert all(step / 2 <= wait <= step for wait in waits), attempt
        assert len(set(waits)) > 100  # spread, not one value


def test_the_strategy_drives_tenacity() -> None:
    naps: list[float] = []
    calls = 0

    def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 4:
            raise ConnectionError
        return "ok"

    retrying = Retrying(
        stop=stop_after_attempt(5),
        wait=retry.backoff(1, 3, jitter=False),
        retry=retry_if_exception_type(ConnectionError),
        sleep=naps.append,
    )
    assert retrying(flaky) == "ok" and naps == [1, 2, 3]


def test_automatic_sync_backs_off_by_it(store: Store) -> None:
    auto = AutoSync(SyncEngine(store), min_delay=2, max_backoff=20)
    waits = [auto._backoff() for _ in range(6)]
    assert auto.failures == 6
    for failure, wait in enumerate(waits, start=1):
        step = min(20, 2 * 2**failure)
        assert step / 2 <= wait <= step, failure
