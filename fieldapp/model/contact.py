"""Contacts met in the field, and the RODO consent of natural persons."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlmodel import Field

from fieldapp.model.base import SyncedRecord


class Contact(SyncedRecord, table=True):
    """A person or an organisation met in the field."""

    record_type: ClassVar[str] = "contact"
    personal_fields: ClassVar[tuple[str, ...]] = (
        "name", "phone", "email", "flat", "notes", "interests", "needs", "offers", "tags",
    )

    kind: str = Field(max_length=40, index=True)
    name: str = Field(default="", max_length=200)
    #: Street line as written ("Piotrkowska 12"); street/house_number split out for walk lists.
    address: str = Field(default="", max_length=300)
    street: str = Field(default="", max_length=200)
    house_number: str = Field(default="", max_length=20)
    flat: str = Field(default="", max_length=20)
    city: str = Field(default="", max_length=100)
    lat: float | None = None
    lon: float | None = None
    #: ok | pending (waiting for the geocoder) | failed | manual
    position_status: str = Field(default="", max_length=20)
    zone_id: str | None = Field(default=None, index=True)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)
    interests: str = Field(default="")
    needs: str = Field(default="")
    offers: str = Field(default="")
    #: Comma-separated free tags.
    tags: str = Field(default="")
    notes: str = Field(default="")
    do_not_knock: bool = Field(default=False)
    #: Set when the person was erased (RODO art. 17); the record stays for the statistics.
    erased_at: datetime | None = None


class Consent(SyncedRecord, table=True):
    """A natural person's consent: what they agreed to, how and when, and who recorded it."""

    record_type: ClassVar[str] = "consent"

    contact_id: str = Field(index=True)
    status: str = Field(max_length=20)
    scope_contact: bool = Field(default=False)
    scope_store: bool = Field(default=False)
    scope_photos: bool = Field(default=False)
    method: str = Field(default="oral", max_length=20)
    given_at: datetime
    recorded_by: str = Field(default="", max_length=200)
    withdrawn_at: datetime | None = None
    note: str = Field(default="")
