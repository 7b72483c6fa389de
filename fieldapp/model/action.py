"""Neighbourhood actions: local initiatives chosen with residents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar

from sqlmodel import JSON, Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.enums import ActionKind, ActionStatus
from fieldapp.model.fields import LONG_TEXT, MAX_GROSZE, MAX_IDS, MAX_PEOPLE, FreeText, OneOf, Ref, Refs


class ActionBase(SQLModel):
    """An action's fields and their rules; its lifecycle rules are in ``fieldapp.model.rules``."""

    zone_id: Ref = Field(default=None, index=True)
    title: str = Field(max_length=200)
    kind: Annotated[str, OneOf(ActionKind)] = Field(default="other", max_length=40)
    description: FreeText = Field(default="", max_length=LONG_TEXT)
    need_ids: Refs = Field(default_factory=list, sa_type=JSON, max_length=MAX_IDS)
    organiser_ids: Refs = Field(default_factory=list, sa_type=JSON, max_length=MAX_IDS)
    partner_ids: Refs = Field(default_factory=list, sa_type=JSON, max_length=MAX_IDS)
    starts_on: date | None = None
    place: str = Field(default="", max_length=300)
    status: Annotated[str, OneOf(ActionStatus)] = Field(default="idea", max_length=20, index=True)
    status_changed_at: datetime | None = None
    #: Micro-grant amounts in grosze (1/100 PLN) to keep money exact.
    grant_requested_gr: int | None = Field(default=None, ge=0, le=MAX_GROSZE)
    grant_granted_gr: int | None = Field(default=None, ge=0, le=MAX_GROSZE)
    participants: int = Field(default=0, ge=0, le=MAX_PEOPLE)
    report: FreeText = Field(default="", max_length=LONG_TEXT)


class NeighbourhoodAction(ActionBase, SyncedRecord, table=True):
    record_type: ClassVar[str] = "action"
