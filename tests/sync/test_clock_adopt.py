"""The device's clock follows the service's time only when it is off by more than the tolerance."""

from __future__ import annotations

from sync.hlc import ADOPT_TOLERANCE_MS, Clock, wall_ms

HOUR_MS = 3_600_000


def clock_at(wall: list[int]) -> Clock:
    return Clock("0000beef", wall=lambda: wall[0])


def test_a_clock_close_to_the_service_keeps_its_own_time_whatever_the_answers_travel_time() -> None:
    wall = [1_800_000_000_000]
    clock = clock_at(wall)
    for late_by in (15, 240, 1_900, 35):  # answers stamped before they arrive
        assert clock.adopt(wall[0] - late_by) == 0
    assert wall_ms(clock.now()) == wall[0]


def test_a_clock_two_hours_behind_adopts_the_service_time_and_stays_steady() -> None:
    wall = [1_800_000_000_000]
    clock = clock_at(wall)
    offset = clock.adopt(wall[0] + 2 * HOUR_MS)
    assert offset == 2 * HOUR_MS
    # Later readings late by their travel time do not move it.
    assert clock.adopt(wall[0] + 2 * HOUR_MS - 300) == offset
    assert wall_ms(clock.now()) == wall[0] + 2 * HOUR_MS
    # A clock set right afterwards comes back to its own time.
    wall[0] += 2 * HOUR_MS
    assert clock.adopt(wall[0] - 40) == 0
    assert ADOPT_TOLERANCE_MS < 5 * 60_000  # well under the clock warning's threshold
