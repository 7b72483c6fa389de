"""Possible members of a Local Activity Group.

Candidates are live contacts in the group's zone who are not current members, were not erased and
did not ask not to be contacted. A candidate is suggested when
- for a theme or problem group: their interests or offers match the theme, or their needs match the
  theme or the diagnosed need the group works on ("raised the same need");
- for a street group: they live on that street (or raised the group's diagnosed need).
Suggestions are ordered by how many matches they have, then by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from fieldapp.cooperation.matching import matched_terms, terms, words_match
from fieldapp.errors import NotFound
from fieldapp.model import Contact, GroupMember, LocalActivityGroup
from fieldapp.model.cooperation import GroupBond
from fieldapp.model.diagnosis import Need
from fieldapp.store import Store
from fieldapp.store.text import tokens


@dataclass(frozen=True)
class Reason:
    #: interests | offers | needs | street
    source: str
    #: The group's words that matched.
    words: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    contact: Contact
    reasons: tuple[Reason, ...]

    @property
    def score(self) -> int:
        return sum(len(reason.words) for reason in self.reasons)


def _street_words(contact: Contact) -> list[str]:
    return tokens(contact.street or contact.address)


def reasons_for(group: LocalActivityGroup, contact: Contact, need: Need | None = None) -> tuple[Reason, ...]:
    """Why ``contact`` could join ``group`` (empty: no reason)."""
    theme = terms(group.theme)
    need_terms = terms(f"{need.category} {need.description}") if need is not None else []
    reasons = []
    if group.bond == GroupBond.STREET:
        street = _street_words(contact)
        if theme and all(any(words_match(term, word) for word in street) for term in theme):
            reasons.append(Reason("street", tuple(theme)))
        sources = {"needs": need_terms}
    else:
        sources = {
            "interests": theme,
            "offers": theme,
            "needs": theme + [t for t in need_terms if t not in theme],
        }
    for source, wanted in sources.items():
        hits = matched_terms(wanted, getattr(contact, source))
        if hits:
            reasons.append(Reason(source, tuple(hits)))
    return tuple(reasons)


def suggest_members(store: Store, group_id: str, *, limit: int = 20) -> list[Suggestion]:
    """The best candidates for a saved group, best first."""
    group = store.get(LocalActivityGroup, group_id)
    if group is None or group.deleted:
        raise NotFound(LocalActivityGroup.record_type, group_id)
    return suggest_for(store, group, limit=limit)


def suggest_for(store: Store, group: LocalActivityGroup, *, limit: int = 20) -> list[Suggestion]:
    """Candidates for a group that may not be saved yet (a form being filled in), best first."""
    with store.read() as session:
        need = session.get(Need, group.need_id) if group.need_id else None
        need = None if need is None or need.deleted else need
        members = {
            m.contact_id
            for m in session.exec(select(GroupMember).where(GroupMember.group_id == group.id)).all()
            if not m.deleted and m.left_on is None
        }
        statement = select(Contact).where(
            Contact.deleted == False,  # noqa: E712
            Contact.erased_at.is_(None),
            col(Contact.restricted_at).is_(None),  # art. 18: hidden while restricted
            Contact.do_not_knock == False,  # noqa: E712
        )
        if group.zone_id is not None:
            statement = statement.where(Contact.zone_id == group.zone_id)
        candidates = [c for c in session.exec(statement).all() if c.id not in members]
    found = []
    for contact in candidates:
        reasons = reasons_for(group, contact, need)
        if reasons:
            found.append(Suggestion(contact, reasons))
    found.sort(key=lambda s: (-len(s.reasons), -s.score, s.contact.name.casefold(), s.contact.id))
    return found[:limit]
