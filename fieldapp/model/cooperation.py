"""Networks of cooperation: Local Activity Groups, partnerships, meetings, attendance and tasks.

Who belongs to what is kept as one synced *link record* per membership, partner, attendance or
group–action link rather than as a JSON list on the parent: sync merges field by field (last
writer wins by HLC), so two people added to the same group on two offline devices would overwrite
each other in a list column, while two link records both survive.

A link's ``contact_id`` is cleared when the person is erased (RODO art. 17): the row stays so that
head-counts (members of a group, people at a meeting) do not change, but it no longer says who.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from sqlmodel import JSON, Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.enums import ContactKind
from fieldapp.model.fields import (
    FOLLOW_UP_DAYS,
    LONG_TEXT,
    MAX_PEOPLE,
    ClockTime,
    FreeText,
    Horizon,
    OneOf,
    Ref,
    RequiredRef,
    SomeOf,
)


class GroupBond(StrEnum):
    """What joins the members of a Local Activity Group."""

    THEME = "theme"  # a shared interest: gardening, seniors' club, football
    PROBLEM = "problem"  # a shared problem or need: no playground, lonely seniors
    STREET = "street"  # a street, block or courtyard


class GroupStatus(StrEnum):
    FORMING = "forming"
    ACTIVE = "active"
    DORMANT = "dormant"


class MemberRole(StrEnum):
    MEMBER = "member"
    LEADER = "leader"


class PartnershipPhase(StrEnum):
    """Tuckman's phases, as Polish cross-sector partnership guides use them."""

    FORMING = "forming"
    STORMING = "storming"
    NORMING = "norming"
    PERFORMING = "performing"


class Sector(StrEnum):
    PUBLIC = "public"
    CIVIC = "civic"
    BUSINESS = "business"


class Contribution(StrEnum):
    """What a partner brings."""

    SPACE = "space"
    PEOPLE = "people"
    MONEY = "money"
    SKILLS = "skills"


class MeetingKind(StrEnum):
    FORUM = "forum"  # forum of organisations / local forum
    SOCIAL_LAB = "social_lab"  # laboratorium społeczne
    CONSULTATION = "consultation"  # konsultacje społeczne: its outcome is kept
    TRAINING = "training"  # a training session: its hours, often one of a series
    SUPPORT = "support"  # individual support (doradztwo indywidualne): its hours, in a series if any
    NEIGHBOURHOOD = "neighbourhood"  # forum sąsiedzkie / spotkanie sąsiedzkie
    OTHER = "other"


#: A session's length at most, in minutes (a day).
MAX_SESSION_MINUTES = 24 * 60


class EventType(StrEnum):
    """What an attendance record is attached to."""

    MEETING = "meeting"
    ACTION = "action"


class AttendanceRole(StrEnum):
    PARTICIPANT = "participant"
    ORGANISER = "organiser"


class GroupBase(SQLModel):
    zone_id: Ref = Field(default=None, index=True)
    name: str = Field(max_length=200)
    #: GroupBond: theme | problem | street.
    bond: Annotated[str, OneOf(GroupBond)] = Field(default="theme", max_length=20)
    #: The theme, the problem, or the street/block that joins the members (words used for suggestions).
    theme: str = Field(default="", max_length=300)
    #: A diagnosed need (``need.id``) the group works on, if any.
    need_id: Ref = None
    description: FreeText = Field(default="", max_length=LONG_TEXT)
    #: The animator who supports the group: user id and the name shown.
    animator_id: Ref = Field(default=None, index=True)
    animator_name: str = Field(default="", max_length=200)
    status: Annotated[str, OneOf(GroupStatus)] = Field(default="forming", max_length=20, index=True)
    status_since: date | None = None
    founded_on: date | None = None
    notes: FreeText = Field(default="", max_length=LONG_TEXT)


class LocalActivityGroup(GroupBase, SyncedRecord, table=True):
    """A Local Activity Group (Grupa Aktywności Lokalnej)."""

    __tablename__ = "activity_group"
    record_type: ClassVar[str] = "activity_group"


class GroupMemberBase(SQLModel):
    group_id: RequiredRef = Field(index=True)
    #: ``None`` once the member was erased (RODO): the membership still counts, anonymously.
    contact_id: Ref = Field(default=None, index=True)
    role: Annotated[str, OneOf(MemberRole)] = Field(default="member", max_length=20)
    #: When the current role was taken (the engagement ladder's "leads a group" date).
    role_since: date | None = None
    joined_on: date
    left_on: date | None = None
    note: FreeText = Field(default="", max_length=LONG_TEXT)


class GroupMember(GroupMemberBase, SyncedRecord, table=True):
    """One person's (or organisation's) membership of a group."""

    __tablename__ = "group_member"
    record_type: ClassVar[str] = "group_member"
    personal_fields: ClassVar[tuple[str, ...]] = ("note",)


class GroupActionBase(SQLModel):
    group_id: RequiredRef = Field(index=True)
    action_id: RequiredRef = Field(index=True)


class GroupAction(GroupActionBase, SyncedRecord, table=True):
    """A neighbourhood action run (or co-run) by a group."""

    __tablename__ = "group_action"
    record_type: ClassVar[str] = "group_action"


class PartnershipBase(SQLModel):
    zone_id: Ref = Field(default=None, index=True)
    name: str = Field(max_length=200)
    aim: FreeText = Field(default="", max_length=LONG_TEXT)
    #: PartnershipPhase; every change is also kept as a ``PartnershipPhaseChange``.
    phase: Annotated[str, OneOf(PartnershipPhase)] = Field(default="forming", max_length=20)
    phase_since: date | None = None
    written_agreement: bool = Field(default=False)
    agreement_signed_on: date | None = None
    notes: FreeText = Field(default="", max_length=LONG_TEXT)


class Partnership(PartnershipBase, SyncedRecord, table=True):
    """A cross-sector partnership: its aim, its current phase and whether it is written down."""

    __tablename__ = "partnership"
    record_type: ClassVar[str] = "partnership"


class PhaseChangeBase(SQLModel):
    partnership_id: RequiredRef = Field(index=True)
    phase: Annotated[str, OneOf(PartnershipPhase)] = Field(max_length=20)
    changed_on: date
    note: FreeText = Field(default="", max_length=LONG_TEXT)


class PartnershipPhaseChange(PhaseChangeBase, SyncedRecord, table=True):
    """One move of a partnership into a phase (the phase history; append-only)."""

    __tablename__ = "partnership_phase"
    record_type: ClassVar[str] = "partnership_phase"
    append_only: ClassVar[bool] = True


class PartnerBase(SQLModel):
    partnership_id: RequiredRef = Field(index=True)
    contact_id: Ref = Field(default=None, index=True)
    #: Sector: public | civic | business.
    sector: Annotated[str, OneOf(Sector)] = Field(max_length=20)
    #: Contribution codes: space, people, money, skills.
    brings: Annotated[list[str], SomeOf(Contribution)] = Field(default_factory=list, sa_type=JSON)
    brings_note: FreeText = Field(default="", max_length=LONG_TEXT)
    joined_on: date | None = None
    left_on: date | None = None


class Partner(PartnerBase, SyncedRecord, table=True):
    """An organisation or institution in a partnership, its sector and what it brings."""

    __tablename__ = "partner"
    record_type: ClassVar[str] = "partner"


class MeetingBase(SQLModel):
    zone_id: Ref = Field(default=None, index=True)
    kind: Annotated[str, OneOf(MeetingKind)] = Field(default="neighbourhood", max_length=20)
    topic: str = Field(max_length=300)
    held_on: date = Field(index=True)
    #: Start time as typed ("17:30"), optional.
    start_time: ClockTime = Field(default="", max_length=5)
    place: str = Field(default="", max_length=300)
    #: People who came but left no details (the attendance list holds the others).
    anonymous_count: int = Field(default=0, ge=0, le=MAX_PEOPLE)
    group_id: Ref = Field(default=None, index=True)
    partnership_id: Ref = Field(default=None, index=True)
    summary: FreeText = Field(default="", max_length=LONG_TEXT)
    #: How long it lasted, in minutes (a training session's hours; 0: not recorded).
    duration_min: int = Field(default=0, ge=0, le=MAX_SESSION_MINUTES)
    #: The training series a training session belongs to (``training_series.id``).
    series_id: Ref = Field(default=None, index=True)
    #: What a consultation came to: its recommendations or decisions.
    outcome: FreeText = Field(default="", max_length=LONG_TEXT)


class Meeting(MeetingBase, SyncedRecord, table=True):
    """A forum, social lab, consultation, training session or neighbourhood forum.

    Attendance is kept per meeting, so a training series has its attendance per session.
    """

    __tablename__ = "meeting"
    record_type: ClassVar[str] = "meeting"


class AttendanceBase(SQLModel):
    #: EventType: meeting | action.
    event_type: Annotated[str, OneOf(EventType)] = Field(default="meeting", max_length=20)
    event_id: RequiredRef = Field(index=True)
    #: ``None`` once the person was erased (RODO): they still count in the head-count.
    contact_id: Ref = Field(default=None, index=True)
    role: Annotated[str, OneOf(AttendanceRole)] = Field(default="participant", max_length=20)
    note: FreeText = Field(default="", max_length=LONG_TEXT)


class Attendance(AttendanceBase, SyncedRecord, table=True):
    """A contact at a meeting (or taking part in a neighbourhood action), as participant or organiser."""

    __tablename__ = "attendance"
    record_type: ClassVar[str] = "attendance"
    personal_fields: ClassVar[tuple[str, ...]] = ("note",)


class TrainingSeriesBase(SQLModel):
    zone_id: Ref = Field(default=None, index=True)
    name: str = Field(max_length=200)
    #: Sessions and hours the series plans (its sessions are meetings of kind training).
    sessions_planned: int = Field(default=0, ge=0, le=1_000)
    hours_planned: int = Field(default=0, ge=0, le=10_000)
    started_on: date | None = None
    notes: FreeText = Field(default="", max_length=LONG_TEXT)


class TrainingSeries(TrainingSeriesBase, SyncedRecord, table=True):
    """A training cycle (e.g. 10 sessions × 16 h): its sessions are meetings with ``series_id``."""

    __tablename__ = "training_series"
    record_type: ClassVar[str] = "training_series"


class VolunteerBase(SQLModel):
    #: ``None`` once the volunteer was erased (RODO): their hours still count, anonymously.
    contact_id: Ref = Field(default=None, index=True)
    zone_id: Ref = Field(default=None, index=True)
    #: What they do ("prowadzi kącik czytelniczy").
    activity: str = Field(default="", max_length=300)
    since: date
    until: date | None = None
    note: FreeText = Field(default="", max_length=LONG_TEXT)


class Volunteer(VolunteerBase, SyncedRecord, table=True):
    """Volunteering: a role a contact takes, for a time, with the hours given kept apart."""

    __tablename__ = "volunteer"
    record_type: ClassVar[str] = "volunteer"
    personal_fields: ClassVar[tuple[str, ...]] = ("note",)


class VolunteerHoursBase(SQLModel):
    volunteer_id: RequiredRef = Field(index=True)
    worked_on: date = Field(index=True)
    minutes: int = Field(ge=1, le=MAX_SESSION_MINUTES)
    #: The meeting or action the hours were given at, if any.
    meeting_id: Ref = Field(default=None, index=True)
    action_id: Ref = Field(default=None, index=True)
    what: str = Field(default="", max_length=300)


class VolunteerHours(VolunteerHoursBase, SyncedRecord, table=True):
    """Hours a volunteer gave on a day."""

    __tablename__ = "volunteer_hours"
    record_type: ClassVar[str] = "volunteer_hours"


class TaskBase(SQLModel):
    contact_id: Ref = Field(default=None, index=True)
    meeting_id: Ref = Field(default=None, index=True)
    title: str = Field(max_length=300)
    due_on: Annotated[date | None, Horizon(FOLLOW_UP_DAYS)] = Field(default=None, index=True)
    #: User id of who should do it.
    assignee_id: Ref = Field(default=None, index=True)
    done_on: date | None = None
    note: FreeText = Field(default="", max_length=LONG_TEXT)


class FollowUpTask(TaskBase, SyncedRecord, table=True):
    """Something to do about a contact, often decided at a meeting."""

    __tablename__ = "task"
    record_type: ClassVar[str] = "task"
    personal_fields: ClassVar[tuple[str, ...]] = ("title", "note")


#: The network record types, in dependency order.
NETWORK_RECORDS: tuple[type[SyncedRecord], ...] = (
    LocalActivityGroup,
    GroupMember,
    GroupAction,
    Partnership,
    PartnershipPhaseChange,
    Partner,
    TrainingSeries,
    Meeting,
    Attendance,
    FollowUpTask,
    Volunteer,
    VolunteerHours,
)


#: The sector an organisation of a contact kind usually belongs to (the user may say otherwise).
SECTOR_OF_KIND: dict[str, str] = {
    ContactKind.LOCAL_GOVERNMENT: Sector.PUBLIC,
    ContactKind.CULTURE: Sector.PUBLIC,
    ContactKind.EDUCATION: Sector.PUBLIC,
    ContactKind.DAY_SUPPORT: Sector.PUBLIC,
    ContactKind.NGO: Sector.CIVIC,
    ContactKind.INFORMAL_GROUP: Sector.CIVIC,
    ContactKind.SOCIAL_ECONOMY: Sector.CIVIC,
    ContactKind.BUSINESS: Sector.BUSINESS,
}
