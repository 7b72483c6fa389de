"""A supervisor's review of a field log entry (visit, diagnosis, action)."""

from __future__ import annotations

from typing import ClassVar

from sqlmodel import Field

from fieldapp.model.base import SyncedRecord


class Review(SyncedRecord, table=True):
    record_type: ClassVar[str] = "review"

    target_type: str = Field(max_length=40)
    target_id: str = Field(index=True)
    state: str = Field(default="new", max_length=20)
    comment: str = Field(default="")
    reviewer_id: str | None = None
