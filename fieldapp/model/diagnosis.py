"""A zone's needs-and-resources diagnosis, its needs and its local resources (assets)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from sqlmodel import JSON, Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.enums import DiagnosisMethod, NeedPriority, ResourceGroup, ResourceKind
from fieldapp.model.fields import LONG_TEXT, MAX_PEOPLE, FreeText, OneOf, Ref, RequiredRef, SomeOf


class DiagnosisBase(SQLModel):
    zone_id: RequiredRef = Field(index=True)
    title: str = Field(max_length=200)
    period_start: date
    period_end: date | None = None
    #: Codes from DiagnosisMethod.
    methods: Annotated[list[str], SomeOf(DiagnosisMethod)] = Field(default_factory=list, sa_type=JSON)
    people_reached: int = Field(default=0, ge=0, le=MAX_PEOPLE)
    summary: FreeText = Field(default="", max_length=LONG_TEXT)


class Diagnosis(DiagnosisBase, SyncedRecord, table=True):
    record_type: ClassVar[str] = "diagnosis"


class NeedBase(SQLModel):
    diagnosis_id: RequiredRef = Field(index=True)
    category: str = Field(max_length=100)
    description: FreeText = Field(default="", max_length=LONG_TEXT)
    people_count: int = Field(default=1, ge=1, le=MAX_PEOPLE)
    priority: Annotated[str, OneOf(NeedPriority)] = Field(default="medium", max_length=20)


class Need(NeedBase, SyncedRecord, table=True):
    record_type: ClassVar[str] = "need"


class ResourceBase(SQLModel):
    """A local asset: a person, place, organisation, skill or piece of equipment."""

    diagnosis_id: RequiredRef = Field(index=True)
    kind: Annotated[str, OneOf(ResourceKind)] = Field(max_length=40)
    #: institutional | material | human
    category: Annotated[str, OneOf(ResourceGroup)] = Field(max_length=20)
    name: str = Field(max_length=200)
    description: FreeText = Field(default="", max_length=LONG_TEXT)
    contact_id: Ref = Field(default=None, index=True)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class Resource(ResourceBase, SyncedRecord, table=True):
    """A local asset: a person, place, organisation, skill or piece of equipment."""

    record_type: ClassVar[str] = "resource"
