"""Neighbourhood actions: local initiatives chosen with residents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar

from sqlmodel import JSON, Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.enums import ActionKind, ActionStatus, ApplicationStatus
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
    #: Where the action takes place on the map (for the program area's warnings).
    place_lat: float | None = Field(default=None, ge=-90, le=90)
    place_lon: float | None = Field(default=None, ge=-180, le=180)
    status: Annotated[str, OneOf(ActionStatus)] = Field(default="idea", max_length=20, index=True)
    status_changed_at: datetime | None = None
    #: Micro-grant amounts in grosze (1/100 PLN) to keep money exact.
    grant_requested_gr: int | None = Field(default=None, ge=0, le=MAX_GROSZE)
    grant_granted_gr: int | None = Field(default=None, ge=0, le=MAX_GROSZE)
    participants: int = Field(default=0, ge=0, le=MAX_PEOPLE)
    report: FreeText = Field(default="", max_length=LONG_TEXT)
    #: The lead implementer (the applicant, "Wykonawca Końcowy"): the one contact the action is
    #: counted under by implementer kind; co-organisers stay in ``organiser_ids``, partners apart.
    lead_id: Ref = Field(default=None, index=True)
    #: The micro-grant application (``ApplicationStatus``; its lifecycle is in ``model.rules``).
    application_status: Annotated[str, OneOf(ApplicationStatus)] = Field(default="none", max_length=20)
    loi_signed: bool = Field(default=False)  # the letter of intent
    loi_signed_on: date | None = None
    submitted_on: date | None = None
    #: The coordinator's evaluation (``enums.EVALUATION_FIELDS``: written by coordinators only).
    evaluation_notes: FreeText = Field(default="", max_length=LONG_TEXT)
    evaluation_score: int | None = Field(default=None, ge=0, le=100)
    decision_reason: FreeText = Field(default="", max_length=LONG_TEXT)
    decided_on: date | None = None
    settled_on: date | None = None


class NeighbourhoodAction(ActionBase, SyncedRecord, table=True):
    record_type: ClassVar[str] = "action"
