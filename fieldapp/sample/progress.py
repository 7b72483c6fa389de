"""How a fill goes: in chunks of records, each reported to a progress callback, tallied in a Summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

#: Called with what is being written ("contacts", "visits") and how many are done so far.
Progress = Callable[[str, int], None]


@dataclass
class Summary:
    #: Zones made (zones of an earlier fill are reused).
    zones: int = 0
    contacts: int = 0
    consents: int = 0
    consents_refused: int = 0
    visits: int = 0
    follow_ups: int = 0
    diagnoses: int = 0
    needs: int = 0
    resources: int = 0
    actions: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)


def chunks(total: int, size: int) -> Iterator[int]:
    """Sizes of the chunks that make ``total``: ``size`` each, the last one what is left."""
    done = 0
    while done < total:
        yield min(size, total - done)
        done += size
