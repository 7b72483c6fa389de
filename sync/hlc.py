"""Hybrid logical clock.

An HLC orders edits across devices even when phone clocks are wrong. It is kept as a string that
sorts the same way as the clock values it encodes:

    ``<wall ms, 12 hex digits><counter, 4 hex digits>-<node>``

e.g. ``019a4f3c2b1e0000-3f9a12c0``. Comparing two HLC strings with ``<`` compares wall time, then
counter, then node id, which is exactly the total order last-writer-wins needs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WALL_HEX = 12
COUNTER_HEX = 4
MAX_COUNTER = 16**COUNTER_HEX - 1
NODE_LEN = 8
#: How far ahead of the wall clock a received HLC may be and still be followed; the service
#: refuses changes further ahead (``clock_ahead``). One bound for both ends.
MAX_DRIFT_MS = 10 * 60 * 1000
#: A reading of the service's time moves the device's offset only when it differs from the offset in
#: use by more than this: an answer's ``server_time_ms`` is late by its travel time (tens of ms, more
#: on a slow network), so following every reading would shuffle the order of two devices' edits made
#: moments apart; a clock within this of the service's keeps its own time.
ADOPT_TOLERANCE_MS = 2_000


@dataclass(frozen=True, order=True, slots=True)
class Timestamp:
    """One decoded HLC value."""

    wall_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        return f"{self.wall_ms:0{WALL_HEX}x}{self.counter:0{COUNTER_HEX}x}-{self.node}"


def encode(wall_ms: int, counter: int, node: str) -> str:
    return Timestamp(wall_ms, counter, node).encode()


def decode(value: str) -> Timestamp:
    """Parse an HLC string; raises ValueError on anything malformed."""
    head, sep, node = value.partition("-")
    if not sep or len(head) != WALL_HEX + COUNTER_HEX or not node or len(node) > 64:
        raise ValueError(f"not an HLC value: {value!r}")
    return Timestamp(int(head[:WALL_HEX], 16), int(head[WALL_HEX:], 16), node)


def is_valid(value: object) -> bool:
    """Whether ``decode`` would take it (checked without building a Timestamp: the service checks
    an HLC or more per pushed record)."""
    if not isinstance(value, str):
        return False
    head, sep, node = value.partition("-")
    if not sep or len(head) != WALL_HEX + COUNTER_HEX or not node or len(node) > 64:
        return False
    try:
        int(head[:WALL_HEX], 16)
        int(head[WALL_HEX:], 16)
    except ValueError:
        return False
    return True


def wall_ms(value: str) -> int:
    return int(value[:WALL_HEX], 16)


def node_for(device_id: str) -> str:
    """A short node id derived from a device id (hex digits of a UUID)."""
    digits = "".join(ch for ch in device_id.lower() if ch in "0123456789abcdef")
    return (digits[-NODE_LEN:] or "0").rjust(NODE_LEN, "0")


class Clock:
    """A thread-safe hybrid logical clock for one node.

    ``now()`` stamps a local event; ``observe(remote)`` folds in a value received from elsewhere so
    that later local stamps sort after it. Remote values further ahead of the physical time than
    ``max_drift_ms`` are not followed (a phone with a wrong clock must not drag every other clock
    into the future); the caller decides what to do with such a value.

    Physical time is the wall clock plus ``offset_ms``: a device sets it with ``adopt`` from the
    service's time (every answer carries it), so a phone whose own clock is wrong stamps, and bounds
    what it observes, by the service's time instead (a phone two hours slow would otherwise refuse to
    follow every value it pulls, and its edits of them would lose). ``seen()`` is the greatest value
    observed: stamps pulled back from the future (``rewind``) must stay after it.
    """

    def __init__(
        self,
        node: str,
        *,
        last: str | None = None,
        wall: Callable[[], int] | None = None,
        max_drift_ms: int = MAX_DRIFT_MS,
        offset_ms: int = 0,
        seen: str | None = None,
    ) -> None:
        self.node = node
        self._wall = wall or (lambda: time.time_ns() // 1_000_000)
        self.max_drift_ms = max_drift_ms
        self.offset_ms = offset_ms
        self._lock = threading.Lock()
        ts = decode(last) if last else Timestamp(0, 0, node)
        self._last_wall = ts.wall_ms
        self._counter = ts.counter
        self._seen = seen

    def physical_ms(self) -> int:
        """The wall clock corrected by the service's time (``adopt``)."""
        return self._wall() + self.offset_ms

    def adopt(self, server_ms: int) -> int:
        """Take the service's time ``server_ms`` (read just now) as physical time from here on when
        this clock is off by more than ``ADOPT_TOLERANCE_MS``; returns the offset in use (service
        minus this device's wall clock, 0 for a clock close enough)."""
        measured = server_ms - self._wall()
        if abs(measured - self.offset_ms) > ADOPT_TOLERANCE_MS:
            self.offset_ms = 0 if abs(measured) <= ADOPT_TOLERANCE_MS else measured
        return self.offset_ms

    def now(self) -> str:
        with self._lock:
            physical = self.physical_ms()
            if physical > self._last_wall:
                self._last_wall, self._counter = physical, 0
            else:
                self._advance_counter()
            return encode(self._last_wall, self._counter, self.node)

    def observe(self, remote: str) -> bool:
        """Fold a remote HLC into this clock. Returns False if it was ignored as too far ahead."""
        ts = decode(remote)
        with self._lock:
            physical = self.physical_ms()
            if ts.wall_ms - physical > self.max_drift_ms:
                return False
            if ts.wall_ms > self._last_wall:
                self._last_wall, self._counter = ts.wall_ms, ts.counter
            elif ts.wall_ms == self._last_wall and ts.counter > self._counter:
                self._counter = ts.counter
            if self._seen is None or remote > self._seen:
                self._seen = remote
            return True

    def seen(self) -> str | None:
        """The greatest value ``observe`` followed (None: none yet)."""
        return self._seen

    def last(self) -> str:
        with self._lock:
            return encode(self._last_wall, self._counter, self.node)

    def beyond(self, limit_ms: int) -> bool:
        """Whether this clock has stamped (or followed) past ``limit_ms``."""
        return self._last_wall > limit_ms

    def rewind(self, to: str) -> None:
        """Set the clock back to ``to`` (never before ``seen()``): after this device's stamps from the
        future were pulled back to the service's time, later stamps follow those, not the future."""
        floor = max(to, self._seen) if self._seen else to
        ts = decode(floor)
        with self._lock:
            self._last_wall, self._counter = ts.wall_ms, ts.counter

    def _advance_counter(self) -> None:
        if self._counter >= MAX_COUNTER:
            # Counter exhausted within one millisecond: borrow the next millisecond.
            self._last_wall += 1
            self._counter = 0
        else:
            self._counter += 1
