"""Who took part in an action or a meeting, without personal data: anonymous counts by age band and
by group (CAL's centres are judged by the diversity of who comes and by work with excluded groups).

The age bands split the people counted; the groups overlap (a senior with a disability counts in
both), so only each group on its own is bounded — by the people counted (``rules.profile_errors``).
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from sqlmodel import Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.cooperation import EventType
from fieldapp.model.fields import MAX_PEOPLE, OneOf, RequiredRef

#: The age bands, in order (the field names of the profile).
AGE_BANDS: tuple[str, ...] = ("age_under_18", "age_18_29", "age_30_59", "age_60_plus", "age_unknown")
#: The groups counted (field names): seniors, youth, people with disabilities, people at risk of
#: social exclusion, migrants.
GROUPS: tuple[str, ...] = ("seniors", "youth", "disabilities", "exclusion_risk", "migrants")


def _count() -> int:
    return Field(default=0, ge=0, le=MAX_PEOPLE)  # type: ignore[no-any-return]


class ParticipantProfileBase(SQLModel):
    event_type: Annotated[str, OneOf(EventType)] = Field(default="action", max_length=20)
    event_id: RequiredRef = Field(index=True)
    age_under_18: int = _count()
    age_18_29: int = _count()
    age_30_59: int = _count()
    age_60_plus: int = _count()
    age_unknown: int = _count()
    seniors: int = _count()
    youth: int = _count()
    disabilities: int = _count()
    exclusion_risk: int = _count()
    migrants: int = _count()


class ParticipantProfile(ParticipantProfileBase, SyncedRecord, table=True):
    """Anonymous counts of who took part in one action or meeting (one profile per event)."""

    __tablename__ = "participant_profile"
    record_type: ClassVar[str] = "participant_profile"
