"""The figures of a supervisor's report, computed with SQL over the device store.

A supervisor's device holds the whole program after sync, so the report reads the local store.
The period ``start``–``end`` is inclusive and in the device's local time; ``zone_ids=None`` means
every zone (and, for visits and meetings, records without a zone too).

Definitions:

- **door-knocks** — live visits in the period (of the zones), counted by outcome;
- **contacts reached** — distinct live contacts the team *talked* to at the door (outcome
  ``talked``) in the period, and organisations (not natural persons) on the attendance list of a
  meeting held in the period, counted by contact kind. People at meetings are counted as meeting
  participants instead: their attendance is anonymised when they are erased, a visit is not;
- **coverage of a zone** — a *door* is a building entrance, ``street + house number`` (trimmed,
  case-folded; both known). Flats are left out on purpose: erasure (RODO) removes the flat from a
  person's contact and visits, and the report's counts must not change when someone is erased.
  Known doors of a zone = the doors of its live contacts (erased ones too: their street stays) and
  of all its live visits ever; knocked doors = distinct doors of its visits in the period.
  Coverage = knocked / known (0 when nothing is known);
- **active local leaders** — distinct live contacts of kind ``leader`` who, in the period, were
  talked to at the door, attended a meeting, took part in or organised an action that was not
  dropped (organiser, partner or attendance), or led a Local Activity Group (membership with role
  leader overlapping the period). Erasing a leader anonymises their meeting, action and group
  links, so only their visits and their place in actions' organiser lists keep counting for them;
- **actions of the period** — live actions whose day (``starts_on``, else the local date of their
  last status change, else of their creation) falls in the period; by status;
- **micro-grants** — sums requested and granted over the period's actions that were not dropped
  (grosze in the store; ``*_pln`` properties give złoty);
- **participants** — of the period's actions that happened (done or reported), and of the period's
  meetings (attendance list + anonymous head-count);
- **who carried out the actions** — organisers of the period's actions that happened (the
  action's ``organiser_ids`` and attendance rows with role organiser), grouped by contact kind;
  Local Activity Groups linked to an action count under ``activity_group``;
- **needs ranked** — needs of live diagnoses of the zones whose period overlaps the report's,
  grouped by category (case-insensitive), ranked by people, then by zones that raised them.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from fieldapp.model.enums import NATURAL_PERSON_KINDS, ActionStatus, ContactKind, VisitOutcome
from fieldapp.store import Store, raw

#: Outcomes that mean the animator met the person (the engagement ladder's first rung).
REACHED_OUTCOMES: tuple[str, ...] = (VisitOutcome.TALKED,)
#: Statuses after which an action has happened.
HAPPENED: frozenset[str] = frozenset({ActionStatus.DONE, ActionStatus.REPORTED})
#: The "kind" under which Local Activity Groups appear among those who carried out actions.
ACTIVITY_GROUP = "activity_group"


def pln(grosze: int) -> Decimal:
    """Grosze as złoty, exactly, with two decimals."""
    return (Decimal(grosze) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ZoneCoverage:
    zone_id: str
    name: str
    known_doors: int
    knocked_doors: int
    visits: int

    @property
    def share(self) -> float:
        """Knocked doors / known doors (0.0 when no door is known)."""
        return self.knocked_doors / self.known_doors if self.known_doors else 0.0


@dataclass(frozen=True)
class NeedRank:
    category: str
    people: int
    zones: int
    mentions: int


@dataclass(frozen=True)
class CarriedBy:
    """Who carried out the period's actions: organisers of one kind and the actions they ran."""

    kind: str
    organisers: int
    actions: int


@dataclass
class Report:
    """Plain figures; money in grosze (``*_pln`` for złoty)."""

    start: date
    end: date
    zone_ids: list[str] | None
    zone_names: list[str]
    visits: int = 0
    knocks_by_outcome: dict[str, int] = field(default_factory=dict)
    contacts_by_kind: dict[str, int] = field(default_factory=dict)
    coverage: list[ZoneCoverage] = field(default_factory=list)
    active_leaders: int = 0
    #: Distinct leaders per kind of activity: door, meeting, action, group.
    leaders_by_activity: dict[str, int] = field(default_factory=dict)
    needs: list[NeedRank] = field(default_factory=list)
    actions: int = 0
    actions_by_status: dict[str, int] = field(default_factory=dict)
    grant_requested_gr: int = 0
    grant_granted_gr: int = 0
    grants_requested: int = 0
    grants_granted: int = 0
    action_participants: int = 0
    meetings: int = 0
    meeting_participants: int = 0
    carried_out_by: list[CarriedBy] = field(default_factory=list)

    @property
    def contacts_reached(self) -> int:
        return sum(self.contacts_by_kind.values())

    @property
    def grant_requested_pln(self) -> Decimal:
        return pln(self.grant_requested_gr)

    @property
    def grant_granted_pln(self) -> Decimal:
        return pln(self.grant_granted_gr)

    @property
    def participants(self) -> int:
        return self.action_participants + self.meeting_participants


def _utc_bound(day: date) -> str:
    """The stored (UTC) form of local midnight at the start of ``day``."""
    moment = datetime.combine(day, time()).astimezone().astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _fold(value: str | None) -> str:
    return (value or "").strip().casefold()


def _local_day(stored: str | None) -> date | None:
    if not stored:
        return None
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone().date()


def _in(column: str, ids: list[str] | None) -> tuple[str, list[str]]:
    """``AND column IN (…)`` for a zone set (nothing when every zone is wanted)."""
    if ids is None:
        return "", []
    if not ids:
        return " AND 0", []
    return f" AND {column} IN ({','.join('?' * len(ids))})", list(ids)


def _marks(values: list[str]) -> str:
    return ",".join("?" * len(values)) or "NULL"


class _Query:
    def __init__(self, db: sqlite3.Connection, start: date, end: date, zone_ids: list[str] | None):
        self.db = db
        self.start, self.end = start, end
        self.lo, self.hi = _utc_bound(start), _utc_bound(end + timedelta(days=1))
        self.zone_ids = zone_ids

    def rows(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        return self.db.execute(sql, list(params)).fetchall()

    def visits_where(self, alias: str = "v") -> tuple[str, list]:
        zone, zparams = _in(f"{alias}.zone_id", self.zone_ids)
        where = f"{alias}.deleted = 0 AND {alias}.visited_at >= ? AND {alias}.visited_at < ?{zone}"
        return where, [self.lo, self.hi, *zparams]

    def meetings_where(self, alias: str = "m") -> tuple[str, list]:
        zone, zparams = _in(f"{alias}.zone_id", self.zone_ids)
        where = f"{alias}.deleted = 0 AND {alias}.held_on >= ? AND {alias}.held_on <= ?{zone}"
        return where, [self.start.isoformat(), self.end.isoformat(), *zparams]


def _zones(q: _Query) -> list[tuple[str, str]]:
    zone, params = _in("id", q.zone_ids)
    return q.rows(f"SELECT id, name FROM zone WHERE deleted = 0{zone} ORDER BY name", params)


def _reached(q: _Query, report: Report) -> None:
    vwhere, vparams = q.visits_where()
    mwhere, mparams = q.meetings_where()
    outcomes = list(REACHED_OUTCOMES)
    persons = sorted(NATURAL_PERSON_KINDS)
    sql = f"""
        SELECT c.kind, count(*) FROM contact c WHERE c.deleted = 0 AND c.id IN (
            SELECT v.contact_id FROM visit v
            WHERE {vwhere} AND v.contact_id IS NOT NULL AND v.outcome IN ({_marks(outcomes)})
            UNION
            SELECT a.contact_id FROM attendance a JOIN meeting m ON m.id = a.event_id
            JOIN contact o ON o.id = a.contact_id AND o.kind NOT IN ({_marks(persons)})
            WHERE a.deleted = 0 AND a.event_type = 'meeting' AND {mwhere}
        ) GROUP BY c.kind
    """
    rows = q.rows(sql, [*vparams, *outcomes, *persons, *mparams])
    report.contacts_by_kind = dict(sorted(rows, key=lambda r: (-r[1], r[0])))


_UNSEEN: Any = object()


def _door(street: str, number: str) -> str | None:
    """A door's key (``None`` without street and number); case-folded in Python, since SQLite's
    lower() folds ASCII letters only ("Ł")."""
    street, number = _fold(street), _fold(number)
    return f"{street}|{number}" if street and number else None


def _knocks_and_coverage(q: _Query, report: Report, zones: list[tuple[str, str]]) -> None:
    """Door-knocks by outcome and each zone's coverage, in one pass over the zones' visits.

    Known doors need every visit of the zones (not only the period's), so one scan reads them all
    and flags the period's; doors are case-folded in Python (SQLite's lower() folds ASCII only: "Ł").
    """
    zone, zparams = _in("zone_id", q.zone_ids)
    doors: dict[tuple[str, str], str | None] = {}  # door as written → its key (memo)
    outcomes: Counter[str] = Counter()
    visits: Counter[str | None] = Counter()
    knocked: dict[str | None, set[str]] = defaultdict(set)
    known: dict[str | None, set[str]] = defaultdict(set)
    rows = q.db.execute(
        "SELECT zone_id, outcome, street, house_number, visited_at >= ? AND visited_at < ?"
        f" FROM visit WHERE deleted = 0{zone}",
        [q.lo, q.hi, *zparams],
    )
    for zone_id, outcome, street, number, in_period in rows:  # the hot loop: 100,000s of rows
        written = (street, number)
        key = doors.get(written, _UNSEEN)
        if key is _UNSEEN:
            key = doors[written] = _door(street, number)
        if key:
            known[zone_id].add(key)
        if in_period:
            outcomes[outcome] += 1
            visits[zone_id] += 1
            if key:
                knocked[zone_id].add(key)
    report.knocks_by_outcome = dict(sorted(outcomes.items(), key=lambda item: (-item[1], item[0])))
    report.visits = sum(outcomes.values())
    if not zones:
        return
    ids = [z[0] for z in zones]
    for zone_id, street, number in q.rows(
        "SELECT DISTINCT zone_id, street, house_number FROM contact"
        f" WHERE deleted = 0 AND zone_id IN ({_marks(ids)})",
        ids,
    ):
        key = _door(street, number)
        if key:
            known[zone_id].add(key)
    report.coverage = [
        ZoneCoverage(zone_id, name, len(known[zone_id]), len(knocked[zone_id]), visits[zone_id])
        for zone_id, name in zones
    ]


@dataclass(frozen=True)
class _Action:
    id: str
    status: str
    requested: int | None
    granted: int | None
    participants: int
    organisers: list[str]
    partners: list[str]


def _period_actions(q: _Query) -> list[_Action]:
    zone, params = _in("zone_id", q.zone_ids)
    rows = q.rows(
        "SELECT id, status, starts_on, status_changed_at, created_at, grant_requested_gr,"
        " grant_granted_gr, participants, organiser_ids, partner_ids"
        f" FROM neighbourhoodaction WHERE deleted = 0{zone}",
        params,
    )
    found = []
    for id_, status, starts_on, changed, created, req, granted, people, organisers, partners in rows:
        day = date.fromisoformat(starts_on) if starts_on else _local_day(changed or created)
        if day is not None and q.start <= day <= q.end:
            found.append(
                _Action(
                    id_,
                    status,
                    req,
                    granted,
                    people or 0,
                    json.loads(organisers or "[]"),
                    json.loads(partners or "[]"),
                )
            )
    return found


def _actions(q: _Query, report: Report, actions: list[_Action]) -> None:
    report.actions = len(actions)
    statuses = Counter(a.status for a in actions)
    report.actions_by_status = {s.value: statuses.pop(s.value, 0) for s in ActionStatus} | dict(statuses)
    live = [a for a in actions if a.status != ActionStatus.DROPPED]
    report.grant_requested_gr = sum(a.requested or 0 for a in live)
    report.grant_granted_gr = sum(a.granted or 0 for a in live)
    report.grants_requested = sum(1 for a in live if a.requested)
    report.grants_granted = sum(1 for a in live if a.granted)
    report.action_participants = sum(a.participants for a in actions if a.status in HAPPENED)
    mwhere, mparams = q.meetings_where()
    [(meetings, anonymous)] = q.rows(
        f"SELECT count(*), coalesce(sum(m.anonymous_count), 0) FROM meeting m WHERE {mwhere}", mparams
    )
    [(listed,)] = q.rows(
        "SELECT count(*) FROM attendance a JOIN meeting m ON m.id = a.event_id"
        f" WHERE a.deleted = 0 AND a.event_type = 'meeting' AND {mwhere}",
        mparams,
    )
    report.meetings = meetings
    report.meeting_participants = anonymous + listed


def _kinds(q: _Query, ids: set[str]) -> dict[str, str]:
    """Kinds of the live contacts among ``ids``."""
    kinds: dict[str, str] = {}
    chunk = sorted(ids)
    for i in range(0, len(chunk), 500):
        part = chunk[i : i + 500]
        kinds.update(
            q.rows(f"SELECT id, kind FROM contact WHERE deleted = 0 AND id IN ({_marks(part)})", part)
        )
    return kinds


def _attendance_of_actions(q: _Query, action_ids: list[str]) -> list[tuple[str, str, str]]:
    """(action id, contact id, role) of the attendance rows of these actions."""
    rows: list[tuple[str, str, str]] = []
    for i in range(0, len(action_ids), 500):
        part = action_ids[i : i + 500]
        rows += q.rows(
            "SELECT event_id, contact_id, role FROM attendance WHERE deleted = 0 AND event_type = 'action'"
            f" AND contact_id IS NOT NULL AND event_id IN ({_marks(part)})",
            part,
        )
    return rows


def _carried_out(q: _Query, report: Report, actions: list[_Action]) -> None:
    happened = [a for a in actions if a.status in HAPPENED]
    ids = [a.id for a in happened]
    organisers: dict[str, set[str]] = {a.id: set(a.organisers) for a in happened}
    for action_id, contact_id, role in _attendance_of_actions(q, ids):
        if role == "organiser":
            organisers[action_id].add(contact_id)
    kinds = _kinds(q, set().union(*organisers.values()) if organisers else set())
    people: dict[str, set[str]] = defaultdict(set)
    runs: dict[str, set[str]] = defaultdict(set)
    for action_id, contact_ids in organisers.items():
        for contact_id in contact_ids:
            kind = kinds.get(contact_id)
            if kind:
                people[kind].add(contact_id)
                runs[kind].add(action_id)
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        for group_id, action_id in q.rows(
            "SELECT ga.group_id, ga.action_id FROM group_action ga"
            " JOIN activity_group g ON g.id = ga.group_id AND g.deleted = 0"
            f" WHERE ga.deleted = 0 AND ga.action_id IN ({_marks(part)})",
            part,
        ):
            people[ACTIVITY_GROUP].add(group_id)
            runs[ACTIVITY_GROUP].add(action_id)
    report.carried_out_by = sorted(
        (CarriedBy(kind, len(people[kind]), len(runs[kind])) for kind in people),
        key=lambda c: (-c.actions, -c.organisers, c.kind),
    )


def _leaders(q: _Query, report: Report, actions: list[_Action]) -> None:
    leader = ContactKind.LEADER.value
    vwhere, vparams = q.visits_where()
    mwhere, mparams = q.meetings_where()
    outcomes = list(REACHED_OUTCOMES)
    door = {
        r[0]
        for r in q.rows(
            f"SELECT DISTINCT v.contact_id FROM visit v JOIN contact c ON c.id = v.contact_id"
            f" WHERE {vwhere} AND c.deleted = 0 AND c.kind = ? AND v.outcome IN ({_marks(outcomes)})",
            [*vparams, leader, *outcomes],
        )
    }
    meeting = {
        r[0]
        for r in q.rows(
            "SELECT DISTINCT a.contact_id FROM attendance a JOIN meeting m ON m.id = a.event_id"
            " JOIN contact c ON c.id = a.contact_id"
            " WHERE a.deleted = 0 AND a.event_type = 'meeting' AND c.deleted = 0 AND c.kind = ?"
            f" AND {mwhere}",
            [leader, *mparams],
        )
    }
    live = [a for a in actions if a.status != ActionStatus.DROPPED]
    in_actions = {cid for a in live for cid in (*a.organisers, *a.partners)}
    in_actions |= {row[1] for row in _attendance_of_actions(q, [a.id for a in live])}
    kinds = _kinds(q, in_actions)
    action = {cid for cid in in_actions if kinds.get(cid) == leader}
    zone, zparams = _in("g.zone_id", q.zone_ids)
    group = {
        r[0]
        for r in q.rows(
            "SELECT DISTINCT gm.contact_id FROM group_member gm"
            " JOIN activity_group g ON g.id = gm.group_id AND g.deleted = 0"
            " JOIN contact c ON c.id = gm.contact_id"
            " WHERE gm.deleted = 0 AND gm.role = 'leader' AND c.deleted = 0 AND c.kind = ?"
            f" AND gm.joined_on <= ? AND (gm.left_on IS NULL OR gm.left_on >= ?){zone}",
            [leader, q.end.isoformat(), q.start.isoformat(), *zparams],
        )
    }
    report.leaders_by_activity = {
        "door": len(door),
        "meeting": len(meeting),
        "action": len(action),
        "group": len(group),
    }
    report.active_leaders = len(door | meeting | action | group)


def _needs(q: _Query, report: Report) -> None:
    zone, params = _in("d.zone_id", q.zone_ids)
    rows = q.rows(
        "SELECT n.category, n.people_count, d.zone_id FROM need n JOIN diagnosis d ON d.id = n.diagnosis_id"
        " WHERE n.deleted = 0 AND d.deleted = 0 AND d.period_start <= ?"
        f" AND (d.period_end IS NULL OR d.period_end >= ?){zone}",
        [q.end.isoformat(), q.start.isoformat(), *params],
    )
    names: dict[str, str] = {}
    people: Counter[str] = Counter()
    zones: dict[str, set[str]] = defaultdict(set)
    mentions: Counter[str] = Counter()
    for category, count, zone_id in rows:
        key = _fold(category)
        names.setdefault(key, category.strip())
        people[key] += count or 0
        zones[key].add(zone_id)
        mentions[key] += 1
    ranked = sorted(names, key=lambda k: (-people[k], -len(zones[k]), k))
    report.needs = [NeedRank(names[k], people[k], len(zones[k]), mentions[k]) for k in ranked]


def build_report(store: Store, *, start: date, end: date, zone_ids: list[str] | None) -> Report:
    """The report for ``start``–``end`` (inclusive, local dates) over ``zone_ids`` (``None``: all)."""
    if end < start:
        start, end = end, start
    with store.engine.connect() as conn:
        q = _Query(raw(conn), start, end, list(zone_ids) if zone_ids is not None else None)
        zones = _zones(q)
        report = Report(start, end, q.zone_ids, [name for _id, name in zones])
        _knocks_and_coverage(q, report, zones)
        _reached(q, report)
        actions = _period_actions(q)
        _actions(q, report, actions)
        _carried_out(q, report, actions)
        _leaders(q, report, actions)
        _needs(q, report)
    return report
