"""What one sync did, for the sync screen: counts, and the changes the service refused (with why)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: ``progress(done, total)``: called from the syncing thread as batches and pages go.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    """One rule a refused change broke (``sync.protocol.FieldProblem``): the field (``""``: the
    whole record), the rule's code (shown as ``error.<code>``) and its parameters."""

    field: str
    code: str
    params: dict[str, object]


@dataclass(frozen=True)
class Rejection:
    record_type: str
    id: str
    code: str
    #: Which field broke which rule (with ``invalid_value``; empty for other codes).
    errors: tuple[Problem, ...] = ()


@dataclass
class FileReceipt:
    """What one run of the lane did."""

    uploaded: int = 0
    downloaded: int = 0
    #: ``(sha256, code)`` of each file that failed this time (tried again later).
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Bytes sent and received (the benchmark's figures).
    bytes_up: int = 0
    bytes_down: int = 0


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
    #: What the file lane did after the records (None: it did not run, or failed as a whole).
    files: FileReceipt | None = None
    #: The checksum verification's outcome (``fieldapp.sync.verify``: ok, repaired, mismatch, unverified).
    checksum: str | None = None
