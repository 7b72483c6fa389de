"""A zone's needs-and-resources diagnosis, its needs and its local resources (assets)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from sqlmodel import JSON, Field

from fieldapp.model.base import SyncedRecord


class Diagnosis(SyncedRecord, table=True):
    record_type: ClassVar[str] = "diagnosis"

    zone_id: str = Field(index=True)
    title: str = Field(max_length=200)
    period_start: date
    period_end: date | None = None
    #: Codes from DiagnosisMethod.
    methods: list[str] = Field(default_factory=list, sa_type=JSON)
    people_reached: int = Field(default=0)
    summary: str = Field(default="")


class Need(SyncedRecord, table=True):
    record_type: ClassVar[str] = "need"

    diagnosis_id: str = Field(index=True)
    category: str = Field(max_length=100)
    description: str = Field(default="")
    people_count: int = Field(default=1)
    priority: str = Field(default="medium", max_length=20)


class Resource(SyncedRecord, table=True):
    """A local asset: a person, place, organisation, skill or piece of equipment."""

    record_type: ClassVar[str] = "resource"

    diagnosis_id: str = Field(index=True)
    kind: str = Field(max_length=40)
    #: institutional | material | human
    category: str = Field(max_length=20)
    name: str = Field(max_length=200)
    description: str = Field(default="")
    contact_id: str | None = Field(default=None, index=True)
    lat: float | None = None
    lon: float | None = None
