"""Visits: one door-knock or meeting. A door where nobody opened is still a visit."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlmodel import Field

from fieldapp.model.base import SyncedRecord, utcnow


class Visit(SyncedRecord, table=True):
    record_type: ClassVar[str] = "visit"
    personal_fields: ClassVar[tuple[str, ...]] = ("notes", "next_step")

    contact_id: str | None = Field(default=None, index=True)
    zone_id: str | None = Field(default=None, index=True)
    address: str = Field(default="", max_length=300)
    street: str = Field(default="", max_length=200)
    house_number: str = Field(default="", max_length=20)
    flat: str = Field(default="", max_length=20)
    visited_at: datetime = Field(default_factory=utcnow, index=True)
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    outcome: str = Field(max_length=40, index=True)
    notes: str = Field(default="")
    next_step: str = Field(default="")
    follow_up_on: date | None = Field(default=None, index=True)
    #: User id of the animator who knocked.
    animator_id: str | None = Field(default=None, index=True)
