"""Program editions: open one with its dates, carrying the previous edition's base of leaders,
volunteers, groups, resources and places.

The previous edition's base is what the store knew by its end (records made by ``ends_on``, not
deleted): contacts of kind leader and the leaders of groups, volunteers, groups that are not
dormant, the diagnoses' resources and the community places. A person is carried by name only when
their current consent allows storing their data *and* being contacted in later editions
(``consent.allows_later_editions``); the others — and every erased person — are carried as one
anonymous count per kind of item, so the base's size is the same either way. A resource that is a
person (it names a contact) follows the person's consent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from fieldapp.errors import Errors
from fieldapp.model import (
    CommunityPlace,
    Contact,
    Edition,
    EditionItem,
    GroupMember,
    LocalActivityGroup,
    Resource,
    SyncedRecord,
    Volunteer,
)
from fieldapp.model.cooperation import GroupStatus, MemberRole
from fieldapp.model.editions import PEOPLE_ITEMS, BaseItem
from fieldapp.model.enums import ContactKind
from fieldapp.services.consent import allows_later_editions, is_person, latest_consent
from fieldapp.services.validation import check_exists, check_record, get_live, live_rows, parse, parsers_for
from fieldapp.store import Store

_EDITION_FIELDS = parsers_for(
    Edition, "name", "starts_on", "ends_on", "notes", required=("name", "starts_on")
)


@dataclass
class EditionBaseCount:
    """An edition's base: who and what it names, and how many it holds in all, by kind of item."""

    named: dict[str, list[str]] = field(default_factory=dict)  # item → contact or record ids
    anonymous: dict[str, int] = field(default_factory=dict)  # item → people not named

    def total(self, item: str) -> int:
        return len(self.named.get(item, [])) + self.anonymous.get(item, 0)


def _made_by(record: SyncedRecord, end: date | None) -> bool:
    return end is None or record.created_at.date() <= end


def _people(session: Session, end: date | None) -> dict[str, tuple[list[Contact], int]]:
    """The previous edition's activists by kind of item (a person counts once, as a leader first),
    with the roles that no longer name anyone (erased people: they count, anonymously)."""

    def contact(contact_id: str | None) -> Contact | None:
        found = session.get(Contact, contact_id) if contact_id else None
        return None if found is None or found.deleted else found

    leaders = {
        p.id: p for p in live_rows(session, Contact, Contact.kind == ContactKind.LEADER) if _made_by(p, end)
    }
    roles = [
        m for m in live_rows(session, GroupMember, GroupMember.role == MemberRole.LEADER) if _made_by(m, end)
    ]
    for member in roles:
        if (person := contact(member.contact_id)) is not None:
            leaders.setdefault(person.id, person)
    volunteers: dict[str, Contact] = {}
    helpers = [v for v in live_rows(session, Volunteer) if _made_by(v, end)]
    for role in helpers:
        if (person := contact(role.contact_id)) is not None and person.id not in leaders:
            volunteers.setdefault(person.id, person)
    return {
        BaseItem.LEADER: (list(leaders.values()), sum(1 for m in roles if m.contact_id is None)),
        BaseItem.VOLUNTEER: (list(volunteers.values()), sum(1 for v in helpers if v.contact_id is None)),
    }


def _may_carry(session: Session, person: Contact) -> bool:
    if person.erased_at is not None:
        return False
    if not is_person(person.kind):
        return True  # an organisation is not personal data
    return allows_later_editions(latest_consent(session, person.id))


def previous_base(session: Session, end: date | None) -> EditionBaseCount:
    """The base of an edition that ended on ``end`` (None: still running, everything so far)."""
    base = EditionBaseCount()
    for item, (people, unnamed) in _people(session, end).items():
        named = [p.id for p in people if _may_carry(session, p)]
        base.named[item] = named
        base.anonymous[item] = len(people) - len(named) + unnamed
    groups = live_rows(session, LocalActivityGroup, LocalActivityGroup.status != GroupStatus.DORMANT)
    base.named[BaseItem.GROUP] = [g.id for g in groups if _made_by(g, end)]
    places = live_rows(session, CommunityPlace)
    base.named[BaseItem.PLACE] = [p.id for p in places if _made_by(p, end)]
    resources, hidden = [], 0
    for resource in live_rows(session, Resource):
        if not _made_by(resource, end):
            continue
        person = session.get(Contact, resource.contact_id) if resource.contact_id else None
        if person is not None and is_person(person.kind) and not _may_carry(session, person):
            hidden += 1  # the resource is this person: it may not name them
        else:
            resources.append(resource.id)
    base.named[BaseItem.RESOURCE] = resources
    base.anonymous[BaseItem.RESOURCE] = hidden
    return base


def _items(edition_id: str, base: EditionBaseCount) -> Iterable[EditionItem]:
    for item, ids in base.named.items():
        for record_id in ids:
            if item in PEOPLE_ITEMS:
                yield EditionItem(edition_id=edition_id, item=item, contact_id=record_id)
            else:
                yield EditionItem(edition_id=edition_id, item=item, ref_id=record_id)
    for item, count in base.anonymous.items():
        if count:
            yield EditionItem(edition_id=edition_id, item=item, count=count)


def start_edition(store: Store, data: dict[str, Any], previous_id: str | None = None) -> Edition:
    """A new edition (``name``, ``starts_on``, optional ``ends_on``); with ``previous_id`` it starts
    from that edition's base, people carried by name only with the later-editions consent."""
    errors = Errors()
    clean = parse(data, _EDITION_FIELDS, errors, required=("name", "starts_on"))
    with store.read() as session:
        previous = check_exists(session, Edition, previous_id, "previous_id", errors)
    edition = Edition(previous_id=previous_id, **clean)
    check_record(None, edition, errors)
    errors.raise_if_any()
    with store.write() as conn:
        with Session(bind=conn) as session:
            base = previous_base(session, previous.ends_on) if previous is not None else None
            session.expunge_all()
        store.save(conn, edition)
        for item in _items(edition.id, base) if base is not None else ():
            store.save(conn, item)
    return edition


def list_editions(store: Store) -> list[Edition]:
    """Editions, the newest start first."""
    with store.read() as session:
        rows = live_rows(session, Edition)
    return sorted(rows, key=lambda e: (e.starts_on, e.base_hlc), reverse=True)


def edition_base(store: Store, edition_id: str) -> EditionBaseCount:
    """What an edition carried: the named items (contact or record ids) and the anonymous counts."""
    get_live(store, Edition, edition_id)
    base = EditionBaseCount()
    with store.read() as session:
        for row in live_rows(session, EditionItem, EditionItem.edition_id == edition_id):
            named = row.contact_id if row.item in PEOPLE_ITEMS else row.ref_id
            if named:
                base.named.setdefault(row.item, []).append(named)
            else:
                base.anonymous[row.item] = base.anonymous.get(row.item, 0) + row.count
    return base


def carried_names(store: Store, edition_id: str) -> list[Contact]:
    """The people an edition carried by name (live contacts, not erased)."""
    base = edition_base(store, edition_id)
    ids = [i for item in PEOPLE_ITEMS for i in base.named.get(item, [])]
    with store.read() as session:
        found = session.exec(select(Contact).where(Contact.id.in_(ids))).all() if ids else []  # type: ignore[attr-defined]
    return [c for c in found if not c.deleted and c.erased_at is None]
