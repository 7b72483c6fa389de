"""A supervisor's review of a field log entry (visit, diagnosis, action)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from sqlmodel import Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.enums import ReviewState
from fieldapp.model.fields import LONG_TEXT, FreeText, OneOf, Ref, RequiredRef

#: Record types a supervisor reviews.
REVIEW_TARGETS: tuple[str, ...] = ("visit", "diagnosis", "action")


class ReviewBase(SQLModel):
    target_type: Annotated[str, OneOf(REVIEW_TARGETS)] = Field(max_length=40)
    target_id: RequiredRef = Field(index=True)
    state: Annotated[str, OneOf(ReviewState)] = Field(default="new", max_length=20)
    comment: FreeText = Field(default="", max_length=LONG_TEXT)
    reviewer_id: Ref = None


class Review(ReviewBase, SyncedRecord, table=True):
    record_type: ClassVar[str] = "review"
