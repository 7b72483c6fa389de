"""Program editions: an edition has its dates and starts from the previous one's base of local
activists — leaders, groups, resources and places — so that the next edition does not begin from
nothing.

People are carried by name only with a recorded consent to be contacted in later editions
(``Consent.scope_later_editions``); the others are carried as anonymous counts (an ``EditionItem``
without ``contact_id`` and with its ``count``). Erasure clears a carried person's ``contact_id``, the
count stays.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from sqlmodel import Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.fields import LONG_TEXT, MAX_PEOPLE, FreeText, OneOf, Ref, RequiredRef


class BaseItem(StrEnum):
    """What an edition's base holds."""

    LEADER = "leader"  # a local leader: a contact of kind leader or who leads a group
    VOLUNTEER = "volunteer"
    GROUP = "group"
    RESOURCE = "resource"
    PLACE = "place"


#: Items that are people (carried by name only with the later-editions consent).
PEOPLE_ITEMS: frozenset[str] = frozenset({BaseItem.LEADER, BaseItem.VOLUNTEER})


class EditionBase(SQLModel):
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date | None = None
    #: The edition this one carried its base from.
    previous_id: Ref = Field(default=None, index=True)
    notes: FreeText = Field(default="", max_length=LONG_TEXT)


class Edition(EditionBase, SyncedRecord, table=True):
    """An edition of a program (e.g. "Łódź 2027"), with its dates."""

    __tablename__ = "edition"
    record_type: ClassVar[str] = "edition"


class EditionItemBase(SQLModel):
    edition_id: RequiredRef = Field(index=True)
    item: Annotated[str, OneOf(BaseItem)] = Field(max_length=20)
    #: A carried person (by name, with consent); ``None`` for an anonymous count or once erased.
    contact_id: Ref = Field(default=None, index=True)
    #: A carried group, resource or place.
    ref_id: Ref = Field(default=None, index=True)
    #: How many this line stands for: 1 for a named item, n for the anonymous rest.
    count: int = Field(default=1, ge=0, le=MAX_PEOPLE)


class EditionItem(EditionItemBase, SyncedRecord, table=True):
    """One line of an edition's base: a named item, or the anonymous count of the people not named."""

    __tablename__ = "edition_item"
    record_type: ClassVar[str] = "edition_item"


EDITION_RECORDS: tuple[type[SyncedRecord], ...] = (Edition, EditionItem)
