"""Section "people": the base of local leaders, volunteers and their hours, the engagement ladder.

- **leaders' base** — every live contact of kind leader of the zone, whenever recorded (erased
  ones too: the record stays for the statistics); **found** in the period — first recorded in it;
  **active** in the period — talked to at the door or on a meeting's attendance list in it;
- **volunteers** — volunteering roles of the zone overlapping the period, and the hours given in the
  period (entries dated in it), per zone; names stay out of the report;
- **engagement ladder** — the rungs of ``fieldapp.cooperation.ladder`` counted with SQL over the
  zones' natural persons who are not erased: how many reached each rung in the period (their first
  evidence of it falls in the period), and how many stand on each rung at the period's end (their
  highest). Evidence dated after the period's end does not count yet. The rungs: met at the door
  (visit "talked"), came to a meeting, took part in an action that happened (attendance,
  organiser or partner), co-organised (organiser of a meeting or of an action that happened), leads
  a group (leader of a live group since ``role_since``, else ``joined_on``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fieldapp.i18n import t
from fieldapp.model.enums import NATURAL_PERSON_KINDS, ContactKind
from fieldapp.reports.query import HAPPENED, Query, hours, local_day, marks
from fieldapp.reports.scans import contacts, visits
from fieldapp.reports.section import Chart, Headline, Section
from fieldapp.reports.summary import meeting_attendees
from fieldapp.reports.tables import Cell, Table, headers

#: The ladder's rungs, lowest first (``network.ladder.rung.<code>``), as ``fieldapp.cooperation.ladder``.
RUNGS: tuple[str, ...] = ("met", "meeting", "action", "co_organised", "leads_group")


@dataclass(frozen=True)
class ZonePeople:
    name: str
    leaders: int = 0
    leaders_found: int = 0
    leaders_active: int = 0
    volunteers: int = 0
    volunteer_minutes: int = 0


@dataclass
class People:
    zones: list[ZonePeople] = field(default_factory=list)
    #: People of the zones on the ladder (natural persons, not erased).
    persons: int = 0
    #: People whose highest rung at the period's end is each rung ("none": no rung).
    at_level: dict[str, int] = field(default_factory=dict)
    #: People who reached each rung within the period.
    reached: dict[str, int] = field(default_factory=dict)

    @property
    def volunteer_hours(self) -> Decimal:
        return hours(sum(z.volunteer_minutes for z in self.zones))


def _leaders(q: Query) -> dict[str | None, tuple[int, int, int]]:
    """Per zone: leaders in the base, found in the period, active in the period."""
    active_ids = visits(q).talked | meeting_attendees(q)
    counts: dict[str | None, list[int]] = {}
    for contact_id, facts in contacts(q).items():
        if facts.kind != ContactKind.LEADER or (q.zone_set is not None and facts.zone_id not in q.zone_set):
            continue
        row = counts.setdefault(facts.zone_id, [0, 0, 0])
        row[0] += 1
        row[1] += q.in_period(facts.created_at)
        row[2] += contact_id in active_ids
    return {zone: (n, new, active) for zone, (n, new, active) in counts.items()}


def _volunteers(q: Query) -> dict[str | None, tuple[int, int]]:
    zone, params = q.in_zones("v.zone_id")
    rows = q.rows(
        "SELECT v.zone_id, count(DISTINCT v.id), coalesce(sum(h.minutes), 0) FROM volunteer v"
        " LEFT JOIN volunteer_hours h ON h.volunteer_id = v.id AND h.deleted = 0"
        " AND h.worked_on >= ? AND h.worked_on <= ?"
        " WHERE v.deleted = 0 AND v.since <= ? AND (v.until IS NULL OR v.until >= ?)"
        f"{zone} GROUP BY v.zone_id",
        [*q.days(), q.end.isoformat(), q.start.isoformat(), *params],
    )
    return {z: (n, minutes) for z, n, minutes in rows}


def _evidence(q: Query, people: set[str]) -> dict[tuple[str, int], date]:
    """The earliest evidence (up to the period's end) of each (person, rung index)."""
    end = q.end
    best: dict[tuple[str, int], date] = {}

    def add(contact_id: str | None, rung: int, day: date | None) -> None:
        if contact_id in people and day is not None and day <= end:
            key = (contact_id, rung)
            if key not in best or day < best[key]:
                best[key] = day

    # Met at the door: the first talk's stored (UTC) moment is compared with the period's bounds
    # as stored, not turned into a local day (13,000 conversions cost ~0.1 s).
    for contact_id in visits(q).first_talk.keys() & people:
        best[(contact_id, 0)] = end
    for contact_id, first, organised in q.rows(
        "SELECT a.contact_id, min(m.held_on), min(CASE WHEN a.role = 'organiser' THEN m.held_on END)"
        " FROM attendance a JOIN meeting m ON m.id = a.event_id AND m.deleted = 0"
        " WHERE a.deleted = 0 AND a.event_type = 'meeting' AND a.contact_id IS NOT NULL"
        " AND m.held_on <= ? GROUP BY a.contact_id",
        [end.isoformat()],
    ):
        add(contact_id, 1, date.fromisoformat(first))
        add(contact_id, 3, date.fromisoformat(organised) if organised else None)
    happened = sorted(HAPPENED)
    days: dict[str, date | None] = {}
    for id_, starts_on, changed, created, organisers, partners in q.rows(
        "SELECT id, starts_on, status_changed_at, created_at, organiser_ids, partner_ids"
        f" FROM neighbourhoodaction WHERE deleted = 0 AND status IN ({marks(happened)})",
        happened,
    ):
        day = days[id_] = date.fromisoformat(starts_on) if starts_on else local_day(changed or created)
        for contact_id in json.loads(organisers or "[]"):
            add(contact_id, 2, day)
            add(contact_id, 3, day)
        for contact_id in json.loads(partners or "[]"):
            add(contact_id, 2, day)
    for action_id, contact_id, role in q.rows(
        "SELECT event_id, contact_id, role FROM attendance"
        " WHERE deleted = 0 AND event_type = 'action' AND contact_id IS NOT NULL"
    ):
        if action_id in days:
            add(contact_id, 2, days[action_id])
            if role == "organiser":
                add(contact_id, 3, days[action_id])
    for contact_id, since in q.rows(
        "SELECT gm.contact_id, min(coalesce(gm.role_since, gm.joined_on)) FROM group_member gm"
        " JOIN activity_group g ON g.id = gm.group_id AND g.deleted = 0"
        " WHERE gm.deleted = 0 AND gm.role = 'leader' AND gm.contact_id IS NOT NULL GROUP BY gm.contact_id"
    ):
        add(contact_id, 4, date.fromisoformat(since) if since else None)
    return best


def _ladder(q: Query, p: People) -> None:
    people = {
        contact_id
        for contact_id, f in contacts(q).items()
        if f.kind in NATURAL_PERSON_KINDS and not f.erased and (q.zone_set is None or f.zone_id in q.zone_set)
    }
    best = _evidence(q, people)
    level: dict[str, int] = {}
    reached: Counter[str] = Counter()
    first_talk = visits(q).first_talk
    for (contact_id, rung), day in best.items():
        level[contact_id] = max(level.get(contact_id, -1), rung)
        if (q.in_period(first_talk[contact_id]) if rung == 0 else day >= q.start):
            reached[RUNGS[rung]] += 1
    at_level = Counter(RUNGS[r] for r in level.values())
    p.persons = len(people)
    p.at_level = {"none": len(people) - len(level), **{r: at_level[r] for r in RUNGS}}
    p.reached = {r: reached[r] for r in RUNGS}


def compute(q: Query) -> People:
    leaders, volunteers = _leaders(q), _volunteers(q)
    p = People()
    for zone_id, name in [*q.zones(), *([(None, "")] if q.zone_ids is None else [])]:
        n, new, active = leaders.get(zone_id, (0, 0, 0))
        count, minutes = volunteers.get(zone_id, (0, 0))
        if zone_id is not None or n or count:
            p.zones.append(ZonePeople(name, n, new, active, count, minutes))
    _ladder(q, p)
    return p


def headline(q: Query) -> Headline:
    base = sum(
        1
        for f in contacts(q).values()
        if f.kind == ContactKind.LEADER
        and f.created_at < q.hi
        and (q.zone_set is None or f.zone_id in q.zone_set)
    )
    minutes = sum(m for _n, m in _volunteers(q).values())
    return [("leaders_base", base), ("volunteer_hours", hours(minutes))]


def tables(p: People, lang: str) -> list[Table]:
    def tr(key: str) -> str:
        return t(key, lang)

    no_zone = tr("report.no_zone")
    ladder: list[list[Cell]] = [
        [t(f"network.ladder.rung.{r}", lang), p.reached[r], p.at_level[r]] for r in RUNGS
    ]
    ladder.append([tr("report.ladder.none"), None, p.at_level["none"]])
    return [
        Table(
            "leaders_base",
            tr("report.section.leaders_base"),
            headers(lang, "zone", "leaders_base", "leaders_found", "leaders_active"),
            [[z.name or no_zone, z.leaders, z.leaders_found, z.leaders_active] for z in p.zones],
            tr("report.note.leaders_base"),
        ),
        Table(
            "volunteers",
            tr("report.section.volunteers"),
            headers(lang, "zone", "volunteers", "hours"),
            [[z.name or no_zone, z.volunteers, hours(z.volunteer_minutes)] for z in p.zones if z.volunteers],
            tr("report.note.volunteers"),
        ),
        Table(
            "ladder",
            tr("report.section.ladder"),
            headers(lang, "rung", "reached_in_period", "at_level"),
            ladder,
            t("report.note.ladder", lang, count=p.persons),
        ),
    ]


def charts(p: People, lang: str) -> list[Chart]:
    return [
        Chart(
            "ladder",
            t("report.chart.ladder", lang),
            [t(f"network.ladder.rung.{r}", lang) for r in RUNGS],
            [p.reached[r] for r in RUNGS],
        ),
    ]


SECTION = Section("people", "report.section.people", compute, tables, charts, headline)
