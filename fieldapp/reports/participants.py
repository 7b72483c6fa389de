"""Section "participants": who took part, without personal data — the anonymous profiles of the
period's actions and meetings summed by age band and by group (seniors, youth, people with
disabilities, people at risk of exclusion, migrants) — and individual support in training series.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp.i18n import t
from fieldapp.model.cooperation import MeetingKind
from fieldapp.model.participants import AGE_BANDS, GROUPS
from fieldapp.reports.query import Query, chunks, hours, marks, period_actions
from fieldapp.reports.section import Chart, Headline, Section
from fieldapp.reports.tables import Table, headers


@dataclass
class Participants:
    events: int = 0
    ages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGE_BANDS, 0))
    groups: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    #: Per training series: (series name, support sessions, support minutes).
    support: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(self.ages.values())


def _profiles(q: Query, event_type: str, ids: list[str]) -> list[tuple]:
    columns = ", ".join((*AGE_BANDS, *GROUPS))
    found: list[tuple] = []
    for part in chunks(ids):
        found += q.rows(
            f"SELECT {columns} FROM participant_profile WHERE deleted = 0 AND event_type = ?"
            f" AND event_id IN ({marks(part)})",
            [event_type, *part],
        )
    return found


def compute(q: Query) -> Participants:
    where, params = q.meetings_where()
    meetings = [row[0] for row in q.rows(f"SELECT m.id FROM meeting m WHERE {where}", params)]
    rows = _profiles(q, "action", [a.id for a in period_actions(q)]) + _profiles(q, "meeting", meetings)
    found = Participants(events=len(rows))
    for row in rows:
        for i, band in enumerate(AGE_BANDS):
            found.ages[band] += row[i]
        for i, group in enumerate(GROUPS, len(AGE_BANDS)):
            found.groups[group] += row[i]
    found.support = [
        (name, n, minutes)
        for name, n, minutes in q.rows(
            "SELECT coalesce(s.name, ''), count(*), sum(m.duration_min) FROM meeting m"
            " LEFT JOIN training_series s ON s.id = m.series_id AND s.deleted = 0"
            f" WHERE {where} AND m.kind = ? GROUP BY s.id ORDER BY s.name IS NULL, s.name",
            [*params, MeetingKind.SUPPORT.value],
        )
    ]
    return found


def headline(q: Query) -> Headline:
    found = compute(q)
    return [("profiled_people", found.people)]


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def tables(p: Participants, lang: str) -> list[Table]:
    def tr(key: str, **params: object) -> str:
        return t(key, lang, **params)

    return [
        Table(
            "participant_ages",
            tr("report.section.participant_ages"),
            headers(lang, "age_band", "people", "share"),
            [
                [tr(f"participants.age.{band}"), p.ages[band], _share(p.ages[band], p.people)]
                for band in AGE_BANDS
            ],
            tr("report.note.participants", events=p.events),
        ),
        Table(
            "participant_groups",
            tr("report.section.participant_groups"),
            headers(lang, "participant_group", "people", "share"),
            [[tr(f"participants.group.{g}"), p.groups[g], _share(p.groups[g], p.people)] for g in GROUPS],
        ),
        Table(
            "support",
            tr("report.section.support"),
            headers(lang, "series", "sessions", "hours"),
            [[name or tr("report.no_series"), n, hours(minutes)] for name, n, minutes in p.support],
        ),
    ]


def charts(p: Participants, lang: str) -> list[Chart]:
    return [
        Chart(
            "participant_groups",
            t("report.chart.participant_groups", lang),
            [t(f"participants.group.{g}", lang) for g in GROUPS],
            [p.groups[g] for g in GROUPS],
        )
    ]


SECTION = Section("participants", "report.section.participants", compute, tables, charts, headline)
