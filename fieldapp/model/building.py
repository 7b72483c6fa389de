"""Buildings: a door-to-door stop (street + number, optionally one staircase) and its flats.

A building is a synced record: the flat range one animator sets ("1–60") reaches the teammates
who knock on the same block. Visits stay tied to their address (street, number, flat); a building
gathers them, so the flats of a block show as a grid coloured by each flat's last outcome.
"""

from __future__ import annotations

from typing import ClassVar

from sqlmodel import Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.fields import LONG_TEXT, FreeText, Ref

#: The highest flat number a building's range may reach (the largest Polish blocks have ~800).
MAX_FLAT = 2_000


class BuildingBase(SQLModel):
    """A building's fields and their rules (``fieldapp.model.fields``)."""

    street: str = Field(max_length=200)
    house_number: str = Field(max_length=20)
    #: "Klatka" of a block ("II", "B"); empty for the whole building.
    staircase: str = Field(default="", max_length=20)
    zone_id: Ref = Field(default=None, index=True)
    #: The flats behind this door, first to last ("1" to "60"); none when unknown.
    flat_first: int | None = Field(default=None, ge=1, le=MAX_FLAT)
    flat_last: int | None = Field(default=None, ge=1, le=MAX_FLAT)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    notes: FreeText = Field(default="", max_length=LONG_TEXT)


class Building(BuildingBase, SyncedRecord, table=True):
    record_type: ClassVar[str] = "building"
