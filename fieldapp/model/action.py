"""Neighbourhood actions: local initiatives chosen with residents."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlmodel import JSON, Field

from fieldapp.model.base import SyncedRecord


class NeighbourhoodAction(SyncedRecord, table=True):
    record_type: ClassVar[str] = "action"

    zone_id: str | None = Field(default=None, index=True)
    title: str = Field(max_length=200)
    kind: str = Field(default="other", max_length=40)
    description: str = Field(default="")
    need_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    organiser_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    partner_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    starts_on: date | None = None
    place: str = Field(default="", max_length=300)
    status: str = Field(default="idea", max_length=20, index=True)
    status_changed_at: datetime | None = None
    #: Micro-grant amounts in grosze (1/100 PLN) to keep money exact.
    grant_requested_gr: int | None = None
    grant_granted_gr: int | None = None
    participants: int = Field(default=0)
    report: str = Field(default="")
