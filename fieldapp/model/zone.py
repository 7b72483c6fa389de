"""Zones: a Neighbourhood Activity Zone, an animator's quarter, or any named area."""

from __future__ import annotations

from typing import ClassVar

from sqlmodel import JSON, Field

from fieldapp.model.base import SyncedRecord


class Zone(SyncedRecord, table=True):
    """A named area: a circle (centre + radius) or a polygon of ``[lat, lon]`` points."""

    record_type: ClassVar[str] = "zone"

    name: str = Field(max_length=200)
    kind: str = Field(default="other", max_length=40)
    library_branch: str | None = Field(default=None, max_length=200)
    center_lat: float | None = None
    center_lon: float | None = None
    radius_m: float | None = None
    polygon: list[list[float]] | None = Field(default=None, sa_type=JSON)
    #: User ids of the people who work this zone.
    workers: list[str] = Field(default_factory=list, sa_type=JSON)
    notes: str = Field(default="")
