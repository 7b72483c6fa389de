"""The animation log of a social-economy support centre (OWES): each activity with its form or task,
the entities it supported, its hours, outcome and follow-up, and what it brought about (the period's
indicators count these)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from sqlmodel import JSON, Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.fields import LONG_TEXT, MAX_IDS, FreeText, OneOf, Ref, Refs


class OwesForm(StrEnum):
    """Forms of animation in the OWES standard."""

    ANIMATION_MEETING = "animation_meeting"
    LOCAL_DIAGNOSIS = "local_diagnosis"
    PARTNERSHIP_BUILDING = "partnership_building"
    CIVIC_DIALOGUE = "civic_dialogue"  # consultations at municipal or county level
    SERVICES_DEMAND = "services_demand"  # analysis of demand for social services
    STRATEGIC_PLANNING = "strategic_planning"  # with local government


class OwesTask(StrEnum):
    """Tasks of animation in the OWES standard."""

    LOCAL_POTENTIAL = "local_potential"
    INITIATING_MEETINGS = "initiating_meetings"
    SUPPORTING_FORMATION = "supporting_formation"  # groups and social enterprises as they form
    BUILDING_PARTNERSHIPS = "building_partnerships"
    PROMOTION_TOOLS = "promotion_tools"  # helping PES/PS with promotion
    SOCIAL_ECONOMY_DISCUSSION = "social_economy_discussion"
    REVITALISATION = "revitalisation"  # PES/PS in revitalisation
    BUSINESS_CSR = "business_csr"
    SOCIAL_SERVICES = "social_services"  # PES/PS in planning and delivering social services


#: Forms that are consultations (the "consultations held" indicator).
CONSULTATION_FORMS: frozenset[str] = frozenset({OwesForm.CIVIC_DIALOGUE})
#: An activity's length at most, in minutes (a week of work).
MAX_ACTIVITY_MINUTES = 7 * 24 * 60


class OwesActivityBase(SQLModel):
    zone_id: Ref = Field(default=None, index=True)
    held_on: date = Field(index=True)
    title: str = Field(max_length=300)
    #: OwesForm and/or OwesTask: at least one of the two (``rules.owes_errors``).
    form: Annotated[str, OneOf(("", *OwesForm))] = Field(default="", max_length=30)
    task: Annotated[str, OneOf(("", *OwesTask))] = Field(default="", max_length=30)
    #: Social-economy entities (PES/PS) supported: contacts.
    entity_ids: Refs = Field(default_factory=list, sa_type=JSON, max_length=MAX_IDS)
    #: Initiative groups supported: Local Activity Groups.
    group_ids: Refs = Field(default_factory=list, sa_type=JSON, max_length=MAX_IDS)
    minutes: int = Field(default=0, ge=0, le=MAX_ACTIVITY_MINUTES)
    #: What it brought about, counted by the period's indicators.
    groups_formed: int = Field(default=0, ge=0, le=1_000)
    enterprises_created: int = Field(default=0, ge=0, le=1_000)
    partnerships_formed: int = Field(default=0, ge=0, le=1_000)
    outcome: FreeText = Field(default="", max_length=LONG_TEXT)
    follow_up: FreeText = Field(default="", max_length=LONG_TEXT)
    follow_up_on: date | None = None


class OwesActivity(OwesActivityBase, SyncedRecord, table=True):
    """One animation activity of a social-economy support centre."""

    __tablename__ = "owes_activity"
    record_type: ClassVar[str] = "owes_activity"
