"""Section "cooperation": Local Activity Groups, partnerships, meetings by kind, trainings.

- **groups** — the zones' live groups, each with its bond, status, founding day and members in the
  period (memberships overlapping it, erased members too: they still count); **formed** in the
  period — founded (else created) within it;
- **partnerships** — the zones' live partnerships, their phase, the sectors of their partners in
  the period and whether all three sectors (public, civic, business) take part;
- **meetings by kind** — the period's meetings, their participants (listed and anonymous) and
  hours; consultations with what they came to;
- **trainings** — per series (sessions without one together): sessions held in the period, their
  hours and the attendance summed over sessions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from fieldapp.i18n import t
from fieldapp.model.cooperation import MeetingKind, Sector
from fieldapp.reports.query import Query, hours, local_day
from fieldapp.reports.section import Chart, Headline, Section
from fieldapp.reports.tables import Cell, Table, headers, label


@dataclass(frozen=True)
class GroupRow:
    name: str
    bond: str
    status: str
    founded_on: date | None
    members: int
    leaders: int
    formed: bool


@dataclass(frozen=True)
class PartnershipRow:
    name: str
    phase: str
    sectors: tuple[str, ...]
    partners: int
    written: bool

    @property
    def three_sector(self) -> bool:
        return len(set(self.sectors) & {s.value for s in Sector}) == len(Sector)


@dataclass(frozen=True)
class MeetingKindRow:
    kind: str
    meetings: int
    participants: int
    minutes: int


@dataclass(frozen=True)
class TrainingRow:
    series: str  # "" for sessions outside any series
    sessions: int
    minutes: int
    attendance: int
    sessions_planned: int


@dataclass
class Cooperation:
    groups: list[GroupRow] = field(default_factory=list)
    partnerships: list[PartnershipRow] = field(default_factory=list)
    meetings: list[MeetingKindRow] = field(default_factory=list)
    consultations: list[tuple[date, str, str]] = field(default_factory=list)
    trainings: list[TrainingRow] = field(default_factory=list)

    @property
    def groups_formed(self) -> int:
        return sum(g.formed for g in self.groups)

    @property
    def three_sector(self) -> int:
        return sum(p.three_sector for p in self.partnerships)


def _groups(q: Query) -> list[GroupRow]:
    zone, params = q.in_zones("g.zone_id")
    rows = q.rows(
        "SELECT g.name, g.bond, g.status, g.founded_on, g.created_at,"
        " count(m.id), coalesce(sum(m.role = 'leader'), 0)"
        " FROM activity_group g LEFT JOIN group_member m ON m.group_id = g.id AND m.deleted = 0"
        " AND m.joined_on <= ? AND (m.left_on IS NULL OR m.left_on >= ?)"
        f" WHERE g.deleted = 0{zone} GROUP BY g.id ORDER BY g.name",
        [q.end.isoformat(), q.start.isoformat(), *params],
    )
    found = []
    for name, bond, status, founded, created, members, leaders in rows:
        day = date.fromisoformat(founded) if founded else local_day(created)
        found.append(
            GroupRow(name, bond, status, day, members, leaders, day is not None and q.start <= day <= q.end)
        )
    return found


def _partnerships(q: Query) -> list[PartnershipRow]:
    zone, params = q.in_zones("p.zone_id")
    rows = q.rows(
        "SELECT p.id, p.name, p.phase, p.written_agreement FROM partnership p"
        f" WHERE p.deleted = 0{zone} ORDER BY p.name",
        params,
    )
    sectors: dict[str, list[str]] = defaultdict(list)
    for partnership_id, sector in q.rows(
        "SELECT partnership_id, sector FROM partner WHERE deleted = 0"
        " AND (joined_on IS NULL OR joined_on <= ?) AND (left_on IS NULL OR left_on >= ?)",
        [q.end.isoformat(), q.start.isoformat()],
    ):
        sectors[partnership_id].append(sector)
    order = [s.value for s in Sector]
    return [
        PartnershipRow(
            name,
            phase,
            tuple(sorted(set(sectors[pid]), key=lambda s: order.index(s) if s in order else 9)),
            len(sectors[pid]),
            bool(written),
        )
        for pid, name, phase, written in rows
    ]


def _meetings(q: Query) -> tuple[list[MeetingKindRow], list[tuple[date, str, str]]]:
    where, params = q.meetings_where()
    rows = q.rows(
        "SELECT m.kind, count(*), sum(m.anonymous_count + coalesce(a.listed, 0)), sum(m.duration_min)"
        " FROM meeting m LEFT JOIN (SELECT event_id, count(*) AS listed FROM attendance"
        " WHERE deleted = 0 AND event_type = 'meeting' GROUP BY event_id) a ON a.event_id = m.id"
        f" WHERE {where} GROUP BY m.kind",
        params,
    )
    by_kind = {kind: MeetingKindRow(kind, n, people, minutes) for kind, n, people, minutes in rows}
    order = [k.value for k in MeetingKind]
    kinds = [*order, *sorted(set(by_kind) - set(order))]
    consultations = [
        (date.fromisoformat(held), topic, outcome)
        for held, topic, outcome in q.rows(
            f"SELECT m.held_on, m.topic, m.outcome FROM meeting m WHERE {where} AND m.kind = ?"
            " ORDER BY m.held_on, m.topic",
            [*params, MeetingKind.CONSULTATION.value],
        )
    ]
    return [by_kind.get(k, MeetingKindRow(k, 0, 0, 0)) for k in kinds], consultations


def _trainings(q: Query) -> list[TrainingRow]:
    where, params = q.meetings_where()
    rows = q.rows(
        "SELECT coalesce(s.name, ''), coalesce(s.sessions_planned, 0), count(*), sum(m.duration_min),"
        " sum(m.anonymous_count + coalesce(a.listed, 0))"
        " FROM meeting m LEFT JOIN training_series s ON s.id = m.series_id AND s.deleted = 0"
        " LEFT JOIN (SELECT event_id, count(*) AS listed FROM attendance"
        " WHERE deleted = 0 AND event_type = 'meeting' GROUP BY event_id) a ON a.event_id = m.id"
        f" WHERE {where} AND m.kind = ? GROUP BY s.id ORDER BY s.name IS NULL, s.name",
        [*params, MeetingKind.TRAINING.value],
    )
    return [TrainingRow(name, n, minutes, people, planned) for name, planned, n, minutes, people in rows]


def compute(q: Query) -> Cooperation:
    meetings, consultations = _meetings(q)
    return Cooperation(_groups(q), _partnerships(q), meetings, consultations, _trainings(q))


def headline(q: Query) -> Headline:
    formed = sum(g.formed for g in _groups(q))
    where, params = q.meetings_where()
    consultations, minutes = q.one(
        f"SELECT coalesce(sum(m.kind = ?), 0), coalesce(sum(CASE WHEN m.kind = ? THEN m.duration_min END), 0)"
        f" FROM meeting m WHERE {where}",
        [MeetingKind.CONSULTATION.value, MeetingKind.TRAINING.value, *params],
    )
    return [("groups_formed", formed), ("consultations", consultations), ("training_hours", hours(minutes))]


def _yes(value: bool, lang: str) -> str:
    return t("report.yes" if value else "report.no", lang)


def tables(c: Cooperation, lang: str) -> list[Table]:
    def tr(key: str, **params: object) -> str:
        return t(key, lang, **params)

    sectors = lambda p: ", ".join(label("network.sector", s, lang) for s in p.sectors)  # noqa: E731
    trainings: list[list[Cell]] = [
        [
            r.series or tr("report.no_series"),
            r.sessions,
            r.sessions_planned or None,
            hours(r.minutes),
            r.attendance,
        ]
        for r in c.trainings
    ]
    return [
        Table(
            "groups",
            tr("report.section.groups"),
            headers(lang, "group", "bond", "status", "founded_on", "members", "group_leaders", "formed"),
            [
                [
                    g.name,
                    label("network.group.bond", g.bond, lang),
                    label("network.group.status", g.status, lang),
                    g.founded_on,
                    g.members,
                    g.leaders,
                    _yes(g.formed, lang),
                ]
                for g in c.groups
            ],
            tr("report.note.groups", formed=c.groups_formed),
        ),
        Table(
            "partnerships",
            tr("report.section.partnerships"),
            headers(lang, "partnership", "phase", "sectors", "partners", "three_sector", "written"),
            [
                [
                    p.name,
                    label("network.partnership.phase", p.phase, lang),
                    sectors(p),
                    p.partners,
                    _yes(p.three_sector, lang),
                    _yes(p.written, lang),
                ]
                for p in c.partnerships
            ],
            tr("report.note.partnerships", count=c.three_sector),
        ),
        Table(
            "meetings",
            tr("report.section.meetings"),
            headers(lang, "meeting_kind", "count", "participants", "hours"),
            [
                [label("network.meeting.kind", m.kind, lang), m.meetings, m.participants, hours(m.minutes)]
                for m in c.meetings
            ],
        ),
        Table(
            "consultations",
            tr("report.section.consultations"),
            headers(lang, "date", "topic", "outcome_text"),
            [[held, topic, outcome or None] for held, topic, outcome in c.consultations],
        ),
        Table(
            "trainings",
            tr("report.section.trainings"),
            headers(lang, "series", "sessions", "sessions_planned", "hours", "attendance"),
            trainings,
            tr("report.note.trainings"),
        ),
    ]


def charts(c: Cooperation, lang: str) -> list[Chart]:
    held = [m for m in c.meetings if m.meetings]
    return [
        Chart(
            "meetings",
            t("report.chart.meetings", lang),
            [label("network.meeting.kind", m.kind, lang) for m in held],
            [m.meetings for m in held],
        ),
        Chart(
            "meeting_people",
            t("report.chart.meeting_people", lang),
            [label("network.meeting.kind", m.kind, lang) for m in held],
            [m.participants for m in held],
        ),
    ]


SECTION = Section("cooperation", "report.section.cooperation", compute, tables, charts, headline)
