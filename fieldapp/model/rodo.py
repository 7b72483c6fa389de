"""RODO accountability records: the information clause, rights requests and the breach register."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from sqlmodel import Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.fields import LONG_TEXT, FreeText, OneOf, Ref


class InfoClauseBase(SQLModel):
    """The program's information clause (art. 13), set by the coordinator; the newest version is
    shown at the door and its version recorded with each consent."""

    version: str = Field(max_length=40, index=True)
    #: Who decides (the controller), its DPO's contact, purposes, basis, retention, rights, PUODO.
    full_text: FreeText = Field(max_length=LONG_TEXT)
    #: What the animator says at the door, in plain Polish.
    short_text: FreeText = Field(max_length=2000)
    controller: str = Field(default="", max_length=300)
    dpo_contact: str = Field(default="", max_length=300)
    published_at: datetime


class InfoClause(InfoClauseBase, SyncedRecord, table=True):
    __tablename__ = "info_clause"
    record_type: ClassVar[str] = "info_clause"


class RightsKind(StrEnum):
    ACCESS = "access"  # art. 15
    RECTIFICATION = "rectification"  # art. 16
    ERASURE = "erasure"  # art. 17
    RESTRICTION = "restriction"  # art. 18
    OBJECTION = "objection"  # art. 21


class RightsRequestBase(SQLModel):
    """A data subject's request (art. 12(3)): answered within a month of receipt, extendable by two
    further months when needed (the person told why)."""

    contact_id: Ref = Field(default=None, index=True)
    kind: Annotated[str, OneOf(RightsKind)] = Field(max_length=20)
    received_on: date
    due_on: date = Field(index=True)
    identity_checked_on: date | None = None
    extended: bool = Field(default=False)
    done_on: date | None = None
    #: User id of who handles it.
    handled_by: str = Field(default="", max_length=200)
    note: FreeText = Field(default="", max_length=2000)


class RightsRequest(RightsRequestBase, SyncedRecord, table=True):
    __tablename__ = "rights_request"
    record_type: ClassVar[str] = "rights_request"
    personal_fields: ClassVar[tuple[str, ...]] = ("note",)


class BreachBase(SQLModel):
    """A personal data breach (art. 33): e.g. a lost phone. The supervisory authority must be told
    within 72 hours of ``noticed_at`` unless the breach is unlikely to be a risk."""

    kind: Annotated[str, OneOf(("lost_device", "other"))] = Field(default="lost_device", max_length=20)
    #: The service's id of the lost device (``device.id``), when it is one.
    device_ref: str = Field(default="", max_length=64)
    noticed_at: datetime
    reported_by: str = Field(default="", max_length=200)
    description: FreeText = Field(default="", max_length=2000)
    revoked_at: datetime | None = None
    authority_notified_at: datetime | None = None
    closed_at: datetime | None = None


class Breach(BreachBase, SyncedRecord, table=True):
    __tablename__ = "breach"
    record_type: ClassVar[str] = "breach"


RODO_RECORDS: tuple[type[SyncedRecord], ...] = (InfoClause, RightsRequest, Breach)
