"""The sync columns every synced record carries, and small shared helpers."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlmodel import JSON, Field, SQLModel

#: Columns maintained by the store and the sync machinery, never edited by a user.
SYNC_COLUMNS: frozenset[str] = frozenset(
    {"id", "created_at", "base_hlc", "updated_hlc", "field_hlcs", "author_id", "device_id", "deleted"}
)


def new_id() -> str:
    """A UUIDv7 string: random, yet time-ordered so new rows land at the end of the B-tree."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)  # rand_b
    return str(uuid.UUID(int=value))


def utcnow() -> datetime:
    """Current time, timezone-aware in UTC (the store keeps every timestamp in UTC)."""
    return datetime.now(UTC)


def today() -> date:
    return datetime.now().date()


class SyncedRecord(SQLModel):
    """Base of every table that is synchronised between devices and the service."""

    #: Name of the record type on the wire and in the outbox (set by each table).
    record_type: ClassVar[str] = ""
    #: Fields holding a natural person's personal data, cleared on erasure (RODO art. 17).
    personal_fields: ClassVar[tuple[str, ...]] = ()
    #: Event records (visits) are written once by their author; edits are corrections, not merges.
    append_only: ClassVar[bool] = False

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    #: HLC of the creation: every field not named in ``field_hlcs`` was last written then.
    base_hlc: str = Field(default="")
    #: The greatest HLC of any field of the record.
    updated_hlc: str = Field(default="", index=True)
    #: HLCs of the fields edited after creation (field-level last-writer-wins).
    field_hlcs: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    author_id: str | None = Field(default=None)
    device_id: str | None = Field(default=None)
    deleted: bool = Field(default=False)

    @classmethod
    def data_fields(cls) -> tuple[str, ...]:
        """Names of the user-editable fields, in declaration order."""
        return tuple(name for name in cls.model_fields if name not in SYNC_COLUMNS)

    def field_hlc(self, name: str) -> str:
        """The HLC at which a field was last written."""
        return self.field_hlcs.get(name, self.base_hlc)

    def data(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.data_fields()}
