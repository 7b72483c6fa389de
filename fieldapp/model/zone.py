"""Zones: a Neighbourhood Activity Zone, an animator's quarter, or any named area."""

from __future__ import annotations

from typing import Annotated, ClassVar

from sqlmodel import JSON, Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.enums import ZoneKind, ZoneStage
from fieldapp.model.fields import LONG_TEXT, MAX_IDS, FreeText, OneOf, Points, Refs

#: Points of a zone's polygon at most.
MAX_POLYGON_POINTS = 10_000


class ZoneBase(SQLModel):
    """A named area: a circle (centre + radius) or a polygon of ``[lat, lon]`` points."""

    name: str = Field(max_length=200)
    kind: Annotated[str, OneOf(ZoneKind)] = Field(default="other", max_length=40)
    library_branch: str | None = Field(default=None, max_length=200)
    center_lat: float | None = Field(default=None, ge=-90, le=90)
    center_lon: float | None = Field(default=None, ge=-180, le=180)
    radius_m: float | None = Field(default=None, ge=0, le=1_000_000)
    polygon: Points = Field(default=None, sa_type=JSON, max_length=MAX_POLYGON_POINTS)
    #: User ids of the people who work this zone.
    workers: Refs = Field(default_factory=list, sa_type=JSON, max_length=MAX_IDS)
    notes: FreeText = Field(default="", max_length=LONG_TEXT)
    #: How far the zone's cycle has come, as its coordinator marks it (``ZoneStage``).
    stage: Annotated[str, OneOf(ZoneStage)] = Field(default="none", max_length=40)


class Zone(ZoneBase, SyncedRecord, table=True):
    record_type: ClassVar[str] = "zone"
