"""Contacts met in the field, and the RODO consent of natural persons."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from sqlmodel import Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.enums import ConsentMethod, ConsentStatus, ContactKind, PersonRole
from fieldapp.model.fields import LONG_TEXT, Email, FreeText, OneOf, Phone, Ref, RequiredRef

#: ``Contact.position_status``: "" (no address), ok, pending (waiting for the geocoder), failed, manual.
POSITION_STATES: tuple[str, ...] = ("", "ok", "pending", "failed", "manual")


class ContactBase(SQLModel):
    """A person or an organisation met in the field: the fields and their rules."""

    kind: Annotated[str, OneOf(ContactKind)] = Field(max_length=40, index=True)
    #: A natural person implementer's role (``PersonRole``), "" for anyone else.
    person_role: Annotated[str, OneOf(("", *PersonRole))] = Field(default="", max_length=40)
    name: str = Field(default="", max_length=200)
    #: Street line as written ("Piotrkowska 12"); street/house_number split out for walk lists.
    address: str = Field(default="", max_length=300)
    street: str = Field(default="", max_length=200)
    house_number: str = Field(default="", max_length=20)
    flat: str = Field(default="", max_length=20)
    city: str = Field(default="", max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    position_status: Annotated[str, OneOf(POSITION_STATES)] = Field(default="", max_length=20)
    zone_id: Ref = Field(default=None, index=True)
    phone: Phone = Field(default="", max_length=40)
    email: Email = Field(default="", max_length=200)
    interests: FreeText = Field(default="", max_length=LONG_TEXT)
    needs: FreeText = Field(default="", max_length=LONG_TEXT)
    offers: FreeText = Field(default="", max_length=LONG_TEXT)
    #: Comma-separated free tags.
    tags: str = Field(default="", max_length=2000)
    notes: FreeText = Field(default="", max_length=LONG_TEXT)
    do_not_knock: bool = Field(default=False)
    #: Set when the person was erased (RODO art. 17); the record stays for the statistics.
    erased_at: datetime | None = None
    #: Notes that may reveal a special category (art. 9: health, religion, ethnicity…): kept only
    #: with the consent's ``scope_special``, never in the search index.
    special_notes: FreeText = Field(default="", max_length=LONG_TEXT)
    #: Where the data came from when the person was recorded without being met (art. 14: "named by a
    #: neighbour", "a meeting's list"); empty when the data was collected from the person.
    data_source: str = Field(default="", max_length=300)
    #: Set while processing is restricted (art. 18): the person is hidden and frozen on every device.
    restricted_at: datetime | None = None


class Contact(ContactBase, SyncedRecord, table=True):
    """A person or an organisation met in the field."""

    record_type: ClassVar[str] = "contact"
    personal_fields: ClassVar[tuple[str, ...]] = (
        "name", "phone", "email", "flat", "notes", "interests", "needs", "offers", "tags", "person_role",
        "special_notes",
    )
    #: Personal fields kept only with the consent's "contact" scope.
    contact_fields: ClassVar[tuple[str, ...]] = ("phone", "email")


class ConsentBase(SQLModel):
    contact_id: RequiredRef = Field(index=True)
    status: Annotated[str, OneOf(ConsentStatus)] = Field(max_length=20)
    scope_contact: bool = Field(default=False)
    scope_store: bool = Field(default=False)
    scope_photos: bool = Field(default=False)
    #: To be contacted again in later editions of the program (an edition carries the person by name
    #: only with it); needs ``scope_store`` (``rules.consent_errors``).
    scope_later_editions: bool = Field(default=False)
    #: Explicit consent (art. 9(2)(a)) to notes on a special category (``Contact.special_notes``).
    scope_special: bool = Field(default=False)
    #: The person said they are 18 or over (a minor's consent needs a parent or guardian, art. 8).
    adult: bool = Field(default=False)
    #: The version of the consent text / information clause (``InfoClause.version``) read at the door,
    #: and when it was given; "" when none was given (e.g. a refusal before the clause).
    clause_version: str = Field(default="", max_length=40)
    clause_given_at: datetime | None = None
    method: Annotated[str, OneOf(ConsentMethod)] = Field(default="oral", max_length=20)
    given_at: datetime
    recorded_by: str = Field(default="", max_length=200)
    withdrawn_at: datetime | None = None
    note: FreeText = Field(default="", max_length=2000)


class Consent(ConsentBase, SyncedRecord, table=True):
    """A natural person's consent: what they agreed to, how and when, and who recorded it."""

    record_type: ClassVar[str] = "consent"
    #: The scopes a consent grants, each enforced and withdrawable on its own.
    scopes: ClassVar[tuple[str, ...]] = (
        "scope_contact", "scope_store", "scope_photos", "scope_special", "scope_later_editions",
    )
