"""The engagement ladder of a person, derived from what is recorded.

Rungs, and the evidence for each (the rung's date is the earliest piece of evidence):
1. met at the door — a visit to the person with the outcome "talked";
2. came to a meeting — on the attendance list of a meeting (as participant or organiser);
3. took part in an action — on the participant list of a neighbourhood action, or among its
   organisers or partners, once the action is done (or reported);
4. co-organised — organiser of a meeting, or of an action that is done (or reported);
5. leads a group — leader of a Local Activity Group (from the day they took the role).
Each rung is shown with the evidence found; a person may reach a higher rung without the lower ones
(someone first met at a forum). The *level* is the highest rung reached. Evidence dated after
``as_of`` (a meeting planned for next week) does not count yet. Erased people have no evidence: their
links were anonymised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from sqlmodel import col, select

from fieldapp.model import (
    Attendance,
    Contact,
    GroupMember,
    LocalActivityGroup,
    Meeting,
    NeighbourhoodAction,
    Visit,
)
from fieldapp.model.base import today
from fieldapp.model.cooperation import AttendanceRole, EventType, MemberRole
from fieldapp.model.enums import NATURAL_PERSON_KINDS, ActionStatus, VisitOutcome
from fieldapp.store import Store

#: Visit outcomes that mean the animator met the person.
MET_OUTCOMES: frozenset[str] = frozenset({VisitOutcome.TALKED})
#: Action statuses after which taking part (and organising) counts.
ACTION_HAPPENED: frozenset[str] = frozenset({ActionStatus.DONE, ActionStatus.REPORTED})
#: Above this many people, read all rows instead of binding an IN list.
_MAX_IN = 5000


class Rung(IntEnum):
    MET = 1
    MEETING = 2
    ACTION = 3
    CO_ORGANISED = 4
    LEADS_GROUP = 5

    @property
    def code(self) -> str:
        """The rung's name in texts and reports (``network.ladder.rung.<code>``)."""
        return self.name.lower()


@dataclass(frozen=True)
class Step:
    rung: Rung
    #: When the rung was first reached (``None``: no evidence).
    reached_on: date | None = None
    #: The record that shows it: (record type, id).
    source: tuple[str, str] | None = None


@dataclass(frozen=True)
class Ladder:
    contact_id: str
    #: One step per rung, lowest first.
    steps: tuple[Step, ...]

    @property
    def level(self) -> Rung | None:
        reached = [s.rung for s in self.steps if s.reached_on is not None]
        return max(reached) if reached else None

    def reached_on(self, rung: Rung) -> date | None:
        return self.steps[rung - 1].reached_on

    @property
    def history(self) -> list[Step]:
        """The rungs reached, in the order they were reached."""
        return sorted(
            (s for s in self.steps if s.reached_on is not None), key=lambda s: (s.reached_on, s.rung)
        )


class _Evidence:
    """Earliest dated evidence per (contact, rung)."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.best: dict[tuple[str, Rung], tuple[date, tuple[str, str]]] = {}

    def add(self, contact_id: str | None, rung: Rung, on: date | None, source: tuple[str, str]) -> None:
        if contact_id is None or on is None or on > self.as_of:
            return
        key = (contact_id, rung)
        current = self.best.get(key)
        if current is None or (on, source) < current:
            self.best[key] = (on, source)

    def ladder(self, contact_id: str) -> Ladder:
        steps = []
        for rung in Rung:
            found = self.best.get((contact_id, rung))
            steps.append(Step(rung, found[0], found[1]) if found else Step(rung))
        return Ladder(contact_id, tuple(steps))


def _action_day(action: NeighbourhoodAction) -> date:
    if action.starts_on is not None:
        return action.starts_on
    moment = action.status_changed_at or action.created_at
    return moment.astimezone().date()


def _live(session, model, *conditions):  # type: ignore[no-untyped-def]
    return session.exec(select(model).where(model.deleted == False, *conditions)).all()  # noqa: E712


def _collect(store: Store, contact_ids: set[str] | None, as_of: date) -> _Evidence:
    evidence = _Evidence(as_of)

    def wanted(contact_id: str | None) -> bool:
        return contact_id is not None and (contact_ids is None or contact_id in contact_ids)

    def of_people(model):  # type: ignore[no-untyped-def]
        column = model.contact_id
        if contact_ids is None or len(contact_ids) > _MAX_IN:  # scan, ``wanted`` filters
            return column.is_not(None)
        return column.in_(sorted(contact_ids))

    with store.read() as session:
        for visit in _live(session, Visit, of_people(Visit), Visit.outcome.in_(MET_OUTCOMES)):
            if wanted(visit.contact_id):
                evidence.add(
                    visit.contact_id, Rung.MET, visit.visited_at.astimezone().date(), ("visit", visit.id)
                )
        meetings = {m.id: m for m in _live(session, Meeting)}
        actions = {a.id: a for a in _live(session, NeighbourhoodAction) if a.status in ACTION_HAPPENED}
        for row in _live(session, Attendance, of_people(Attendance)):
            if not wanted(row.contact_id):
                continue
            organiser = row.role == AttendanceRole.ORGANISER
            if row.event_type == EventType.MEETING and row.event_id in meetings:
                meeting = meetings[row.event_id]
                source = ("meeting", meeting.id)
                evidence.add(row.contact_id, Rung.MEETING, meeting.held_on, source)
                if organiser:
                    evidence.add(row.contact_id, Rung.CO_ORGANISED, meeting.held_on, source)
            elif row.event_type == EventType.ACTION and row.event_id in actions:
                action = actions[row.event_id]
                source = ("action", action.id)
                evidence.add(row.contact_id, Rung.ACTION, _action_day(action), source)
                if organiser:
                    evidence.add(row.contact_id, Rung.CO_ORGANISED, _action_day(action), source)
        for action in actions.values():
            source = ("action", action.id)
            for contact_id in [*action.organiser_ids, *action.partner_ids]:
                if wanted(contact_id):
                    evidence.add(contact_id, Rung.ACTION, _action_day(action), source)
            for contact_id in action.organiser_ids:
                if wanted(contact_id):
                    evidence.add(contact_id, Rung.CO_ORGANISED, _action_day(action), source)
        groups = {g.id for g in _live(session, LocalActivityGroup)}
        for member in _live(
            session, GroupMember, of_people(GroupMember), GroupMember.role == MemberRole.LEADER
        ):
            if wanted(member.contact_id) and member.group_id in groups:
                since = member.role_since or member.joined_on
                evidence.add(member.contact_id, Rung.LEADS_GROUP, since, ("activity_group", member.group_id))
    return evidence


def engagement_ladder(store: Store, contact_id: str, *, as_of: date | None = None) -> Ladder:
    return _collect(store, {contact_id}, as_of or today()).ladder(contact_id)


def ladders(store: Store, contact_ids: Iterable[str], *, as_of: date | None = None) -> dict[str, Ladder]:
    """The ladders of many people at once (one pass over the records)."""
    ids = set(contact_ids)
    evidence = _collect(store, ids, as_of or today())
    return {contact_id: evidence.ladder(contact_id) for contact_id in ids}


@dataclass(frozen=True)
class LadderReport:
    """The ladder counted over the people of a zone (natural persons only), for supervisors' reports."""

    people: int
    #: How many people stand on each rung now (their highest), by rung code; "none" = no rung yet.
    at_level: dict[str, int]
    #: How many people reached each rung within the period, by rung code.
    reached_in_period: dict[str, int]


def people_of_zone(store: Store, zone_id: str | None) -> list[Contact]:
    """Live, not erased natural persons (of the zone, or everywhere)."""
    with store.read() as session:
        statement = select(Contact).where(
            Contact.deleted == False,  # noqa: E712
            Contact.erased_at.is_(None),
            col(Contact.restricted_at).is_(None),  # art. 18: hidden while restricted
            Contact.kind.in_(NATURAL_PERSON_KINDS),
        )
        if zone_id is not None:
            statement = statement.where(Contact.zone_id == zone_id)
        return list(session.exec(statement).all())


def ladder_report(
    store: Store,
    *,
    zone_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> LadderReport:
    """Counts of the engagement ladder; the period is ``since``–``until`` inclusive (open ends allowed)."""
    people = people_of_zone(store, zone_id)
    found = ladders(store, [p.id for p in people], as_of=until)
    at_level = {"none": 0, **{rung.code: 0 for rung in Rung}}
    reached = {rung.code: 0 for rung in Rung}
    for ladder in found.values():
        at_level[ladder.level.code if ladder.level else "none"] += 1
        for step in ladder.steps:
            if step.reached_on is not None and (since is None or step.reached_on >= since):
                reached[step.rung.code] += 1
    return LadderReport(len(people), at_level, reached)
