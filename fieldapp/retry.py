"""Exponential backoff, the one schedule for everything that retries: the sync transport (driven by
tenacity), the automatic sync after a failure and the geocoding queue (persisted ``next_attempt_at``).

Retry ``n`` (1 = the first) waits ``base * 2 ** (n - 1)``, at most ``cap``. With jitter the wait is
drawn from the upper half of that (``[w/2, w]``, "equal jitter"): devices that failed together do
not retry together, and none retries much sooner than the schedule says.
"""

from __future__ import annotations

from tenacity import RetryCallState
from tenacity.wait import wait_base, wait_exponential, wait_random_exponential


def backoff(base: float, cap: float, *, jitter: bool = True) -> wait_base:
    """The schedule as a tenacity wait strategy (``Retrying(wait=...)``)."""
    if not jitter:
        return wait_exponential(multiplier=base, max=cap)
    # A fixed half plus a random draw from the same half: [w/2, w].
    return wait_exponential(multiplier=base / 2, max=cap / 2) + wait_random_exponential(
        multiplier=base / 2, max=cap / 2
    )


def delay(attempt: int, base: float, cap: float, *, jitter: bool = True) -> float:
    """Seconds to wait before retry number ``attempt`` (1 = the first), for loops tenacity does
    not drive itself (a background thread's sleep, a retry time saved with a queued row)."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = max(1, attempt)
    return backoff(base, cap, jitter=jitter)(state)
