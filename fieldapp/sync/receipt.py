"""What one sync did, for the sync screen: counts, and the changes the service refused (with why)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: ``progress(done, total)``: called from the syncing thread as batches and pages go.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Rejection:
    record_type: str
    id: str
    code: str


@dataclass
class SyncReceipt:
    """What one sync did: counts, and the changes the service refused (with why)."""

    pushed: int = 0
    applied: int = 0
    merged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    pulled: int = 0
    still_pending: int = 0
    batches: int = 0
