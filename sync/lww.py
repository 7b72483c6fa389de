"""The merge rule of every synced record, used by the service (pushes) and by the device (pulls).

Field-level last-writer-wins by HLC:

- A field's incoming value replaces the held one when its HLC is greater. When the held HLC is
  greater and the values differ, the incoming value *lost* (the service keeps it in its conflict
  log; the device that wrote it pulls the winner back).
- Equal HLCs are one write: nothing to decide. A value that differs under the same HLC is a *tie*
  (the device takes it: the held copy lacks a column this app version added after it pulled).
- A tombstone (``deleted``) is sticky: once deleted, a record stays deleted whatever the HLCs; the
  tombstone's HLC is the greater of the two.
- Erasure (RODO art. 17) beats every edit; it is applied after this rule by the service
  (``sync.server.merge``), which resets the erased person's fields under a fresh HLC.

Only HLCs decide, never a wall clock. The rule knows nothing of tables: callers give the held
record as functions of a field name and get back what to write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: The field that marks a tombstone.
DELETED = "deleted"


@dataclass(slots=True)
class Outcome:
    """What merging one incoming record into the held one decided."""

    #: Incoming values that win, by field (``deleted`` included when the record becomes a tombstone).
    taken: dict[str, Any] = field(default_factory=dict)
    #: The HLC of each taken field.
    stamps: dict[str, str] = field(default_factory=dict)
    #: Incoming fields whose value lost to a newer held value that differs from it.
    lost: list[str] = field(default_factory=list)
    #: Incoming fields with the held HLC but another value.
    ties: list[str] = field(default_factory=list)


def merge(
    incoming: Iterable[tuple[str, Any, str]],
    held_stamp: Callable[[str], str],
    held_value: Callable[[str], Any],
    held_deleted: bool,
    same: Callable[[str, Any, Any], bool] | None = None,
) -> Outcome:
    """Merge ``incoming`` ``(field, value, hlc)`` triples into a held record.

    ``held_stamp(name)`` and ``held_value(name)`` read the held record; ``same(name, incoming, held)``
    compares values where their forms differ (default ``==``).
    """
    outcome = Outcome()
    for name, value, stamp in incoming:
        held = held_stamp(name)
        if name == DELETED:
            if value and not held_deleted:  # a tombstone wins whatever its HLC
                outcome.taken[name] = True
                outcome.stamps[name] = max(stamp, held)
            elif not value and held_deleted and stamp > held:
                outcome.lost.append(name)
            continue
        if stamp > held:
            outcome.taken[name] = value
            outcome.stamps[name] = stamp
        elif not _same(same, name, value, held_value(name)):
            (outcome.lost if stamp < held else outcome.ties).append(name)
    return outcome


def _same(same: Callable[[str, Any, Any], bool] | None, name: str, incoming: Any, held: Any) -> bool:
    return incoming == held if same is None else same(name, incoming, held)
