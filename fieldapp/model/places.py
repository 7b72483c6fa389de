"""Community places (CAL and MAM centres, a SAS at a library branch, community centres): their stage,
partners by sector, dated self-assessments against the programs' principles, rooms and bookings.

Named *community place* in code: "place" alone already means the map's address and tile settings
(``ui/place_settings.py``). Bookings are ordinary synced records; two bookings of one room that
overlap are *flagged* where they are listed, never refused — two offline devices may each book the
same hour, and the animators settle it, not the merge.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from sqlmodel import Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.cooperation import Sector
from fieldapp.model.fields import LONG_TEXT, ClockTime, FreeText, OneOf, Ref, RequiredRef


class PlaceKind(StrEnum):
    CAL = "cal"  # Centrum Aktywności Lokalnej
    MAM = "mam"  # Miejsce Aktywności Mieszkańców
    SAS = "sas"  # Strefa Aktywności Sąsiedzkiej at a library branch
    COMMUNITY_CENTRE = "community_centre"  # dom sąsiedzki, centrum społeczne
    OTHER = "other"


class PlaceStage(StrEnum):
    """MAM's three stages (and CAL's): the concept, implementation, run by a local NGO; or a stage of
    the program's own, named in ``stage_name``."""

    CONCEPT = "concept"
    IMPLEMENTATION = "implementation"
    NGO_RUN = "ngo_run"
    OWN = "own"


#: The usual order of the stages (a program's own stage stands outside it).
STAGE_ORDER: tuple[str, ...] = (PlaceStage.CONCEPT, PlaceStage.IMPLEMENTATION, PlaceStage.NGO_RUN)


class Framework(StrEnum):
    """Whose principles a self-assessment checks."""

    CAL = "cal"
    PARTNERSHIP = "partnership"
    MAM = "mam"


class Principle(StrEnum):
    # CAL
    SELF_HELP = "self_help"
    SUBSIDIARITY = "subsidiarity"
    PARTICIPATION = "participation"
    SELF_GOVERNMENT = "self_government"
    COMMON_GOOD = "common_good"
    MULTI_SECTORALITY = "multi_sectorality"
    # a partnership
    VOLUNTARINESS = "voluntariness"
    EQUALITY = "equality"
    OPENNESS = "openness"  # also a MAM value
    LOCALITY = "locality"
    # MAM values
    AGENCY = "agency"
    RECIPROCITY = "reciprocity"
    CO_RESPONSIBILITY = "co_responsibility"


#: The checklist of each framework, in the order the programs' documents name them.
PRINCIPLES: dict[str, tuple[str, ...]] = {
    Framework.CAL: (
        Principle.SELF_HELP,
        Principle.SUBSIDIARITY,
        Principle.PARTICIPATION,
        Principle.SELF_GOVERNMENT,
        Principle.COMMON_GOOD,
        Principle.MULTI_SECTORALITY,
    ),
    Framework.PARTNERSHIP: (
        Principle.VOLUNTARINESS,
        Principle.EQUALITY,
        Principle.OPENNESS,
        Principle.LOCALITY,
    ),
    Framework.MAM: (Principle.AGENCY, Principle.RECIPROCITY, Principle.OPENNESS, Principle.CO_RESPONSIBILITY),
}


class CommunityPlaceBase(SQLModel):
    zone_id: Ref = Field(default=None, index=True)
    kind: Annotated[str, OneOf(PlaceKind)] = Field(default="cal", max_length=20)
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=300)
    #: PlaceStage; every move is also kept as a ``PlaceStageChange``.
    stage: Annotated[str, OneOf(PlaceStage)] = Field(default="concept", max_length=20)
    #: The program's own name of the stage (required when ``stage`` is "own").
    stage_name: str = Field(default="", max_length=200)
    stage_since: date | None = None
    opened_on: date | None = None
    description: FreeText = Field(default="", max_length=LONG_TEXT)


class CommunityPlace(CommunityPlaceBase, SyncedRecord, table=True):
    """A community place: a CAL or MAM centre, a SAS at a library branch, a community centre."""

    __tablename__ = "community_place"
    record_type: ClassVar[str] = "community_place"


class PlaceStageChangeBase(SQLModel):
    place_id: RequiredRef = Field(index=True)
    stage: Annotated[str, OneOf(PlaceStage)] = Field(max_length=20)
    stage_name: str = Field(default="", max_length=200)
    changed_on: date
    note: FreeText = Field(default="", max_length=LONG_TEXT)


class PlaceStageChange(PlaceStageChangeBase, SyncedRecord, table=True):
    """One move of a place into a stage (its history; append-only)."""

    __tablename__ = "place_stage"
    record_type: ClassVar[str] = "place_stage"
    append_only: ClassVar[bool] = True


class PlacePartnerBase(SQLModel):
    place_id: RequiredRef = Field(index=True)
    #: The organisation, when it is a contact; else only its name.
    contact_id: Ref = Field(default=None, index=True)
    name: str = Field(default="", max_length=200)
    sector: Annotated[str, OneOf(Sector)] = Field(max_length=20)
    role: str = Field(default="", max_length=300)
    joined_on: date | None = None
    left_on: date | None = None


class PlacePartner(PlacePartnerBase, SyncedRecord, table=True):
    """A partner of a place and its sector (public, civic, business): CAL's three-sector partnership."""

    __tablename__ = "place_partner"
    record_type: ClassVar[str] = "place_partner"


class PrincipleCheckBase(SQLModel):
    place_id: RequiredRef = Field(index=True)
    assessed_on: date = Field(index=True)
    framework: Annotated[str, OneOf(Framework)] = Field(max_length=20)
    principle: Annotated[str, OneOf(Principle)] = Field(max_length=30)
    met: bool = Field(default=False)
    note: FreeText = Field(default="", max_length=LONG_TEXT)


class PrincipleCheck(PrincipleCheckBase, SyncedRecord, table=True):
    """One line of a dated self-assessment: whether the place keeps a principle, with a note.

    A line per principle (not a list on one record) so that two people ticking different lines
    offline both keep their answer, and a principle can be compared across dates.
    """

    __tablename__ = "principle_check"
    record_type: ClassVar[str] = "principle_check"


class RoomBase(SQLModel):
    place_id: RequiredRef = Field(index=True)
    name: str = Field(max_length=200)
    capacity: int = Field(default=0, ge=0, le=10_000)
    #: What is in it, comma-separated ("rzutnik, 20 krzeseł, kuchnia").
    equipment: str = Field(default="", max_length=2000)


class Room(RoomBase, SyncedRecord, table=True):
    """A room of a place and its equipment."""

    __tablename__ = "room"
    record_type: ClassVar[str] = "room"


class BookingBase(SQLModel):
    place_id: RequiredRef = Field(index=True)
    room_id: RequiredRef = Field(index=True)
    booked_on: date = Field(index=True)
    start_time: ClockTime = Field(max_length=5)
    end_time: ClockTime = Field(max_length=5)
    #: Who books: a group, a neighbourhood action, or a residents' initiative named in ``booked_for``.
    group_id: Ref = Field(default=None, index=True)
    action_id: Ref = Field(default=None, index=True)
    booked_for: str = Field(default="", max_length=300)
    note: FreeText = Field(default="", max_length=LONG_TEXT)


class Booking(BookingBase, SyncedRecord, table=True):
    """A room booked for an hour range on a day."""

    __tablename__ = "booking"
    record_type: ClassVar[str] = "booking"


PLACE_RECORDS: tuple[type[SyncedRecord], ...] = (
    CommunityPlace,
    PlaceStageChange,
    PlacePartner,
    PrincipleCheck,
    Room,
    Booking,
)
