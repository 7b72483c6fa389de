"""Visits: one door-knock or meeting. A door where nobody opened is still a visit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar

from sqlmodel import Field, SQLModel

from fieldapp.model.base import SyncedRecord, utcnow
from fieldapp.model.fields import FOLLOW_UP_DAYS, LONG_TEXT, Code, FreeText, Horizon, Ref


class VisitBase(SQLModel):
    """A visit's fields and their rules (``fieldapp.model.fields``)."""

    contact_id: Ref = Field(default=None, index=True)
    zone_id: Ref = Field(default=None, index=True)
    address: str = Field(default="", max_length=300)
    street: str = Field(default="", max_length=200)
    house_number: str = Field(default="", max_length=20)
    flat: str = Field(default="", max_length=20)
    visited_at: datetime = Field(default_factory=utcnow, index=True)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    #: A ``VisitOutcome`` or a code the program added.
    outcome: Code = Field(max_length=40, index=True)
    notes: FreeText = Field(default="", max_length=LONG_TEXT)
    next_step: FreeText = Field(default="", max_length=1000)
    follow_up_on: Annotated[date | None, Horizon(FOLLOW_UP_DAYS)] = Field(default=None, index=True)
    #: User id of the animator who knocked.
    animator_id: Ref = Field(default=None, index=True)


class Visit(VisitBase, SyncedRecord, table=True):
    record_type: ClassVar[str] = "visit"
    personal_fields: ClassVar[tuple[str, ...]] = ("notes", "next_step")
