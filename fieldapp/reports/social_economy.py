"""Section "owes": the social-economy animation log of the period — the indicators (entities
supported, initiative groups formed, social enterprises created, partnerships formed, consultations
held, hours of animation) and the activities by form and by task."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from fieldapp.i18n import t
from fieldapp.model.social_economy import CONSULTATION_FORMS, OwesForm, OwesTask
from fieldapp.reports.query import Query, hours
from fieldapp.reports.section import Chart, Headline, Section
from fieldapp.reports.tables import Cell, Table, headers, label


@dataclass
class Owes:
    activities: int = 0
    entities: int = 0
    groups_formed: int = 0
    enterprises_created: int = 0
    partnerships_formed: int = 0
    consultations: int = 0
    minutes: int = 0
    by_form: dict[str, tuple[int, int]] = field(default_factory=dict)  # form → (activities, minutes)
    by_task: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


def compute(q: Query) -> Owes:
    def read() -> Owes:
        zone, params = q.in_zones("zone_id")
        rows = q.rows(
            "SELECT form, task, entity_ids, group_ids, minutes, groups_formed, enterprises_created,"
            " partnerships_formed FROM owes_activity"
            f" WHERE deleted = 0 AND held_on >= ? AND held_on <= ?{zone}",
            [*q.days(), *params],
        )
        found = Owes(activities=len(rows))
        supported: set[tuple[str, str]] = set()
        forms: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        tasks: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for form, task, entities, groups, minutes, formed, created, partnered in rows:
            supported |= {("c", i) for i in json.loads(entities or "[]")}
            supported |= {("g", i) for i in json.loads(groups or "[]")}
            found.minutes += minutes
            found.groups_formed += formed
            found.enterprises_created += created
            found.partnerships_formed += partnered
            found.consultations += form in CONSULTATION_FORMS
            for code, into in ((form, forms), (task, tasks)):
                if code:
                    into[code][0] += 1
                    into[code][1] += minutes
        found.entities = len(supported)
        found.by_form = {k: (v[0], v[1]) for k, v in forms.items()}
        found.by_task = {k: (v[0], v[1]) for k, v in tasks.items()}
        return found

    return q.memo("owes", read)


def headline(q: Query) -> Headline:
    owes = compute(q)
    return [("owes_entities", owes.entities), ("owes_hours", owes.hours)]


def tables(o: Owes, lang: str) -> list[Table]:
    def tr(key: str, **params: object) -> str:
        return t(key, lang, **params)

    indicators: list[tuple[str, Cell]] = [
        ("owes_activities", o.activities),
        ("owes_entities", o.entities),
        ("owes_groups_formed", o.groups_formed),
        ("owes_enterprises", o.enterprises_created),
        ("owes_partnerships", o.partnerships_formed),
        ("owes_consultations", o.consultations),
        ("owes_hours", o.hours),
    ]

    def rows(prefix: str, order: list[str], counts: dict[str, tuple[int, int]]) -> list[list]:
        return [[label(prefix, c, lang), counts[c][0], hours(counts[c][1])] for c in order if c in counts]

    return [
        Table(
            "owes_indicators",
            tr("report.section.owes_indicators"),
            headers(lang, "indicator", "value"),
            [[tr(f"report.fig.{name}"), value] for name, value in indicators],
        ),
        Table(
            "owes_forms",
            tr("report.section.owes_forms"),
            headers(lang, "owes_form", "count", "hours"),
            rows("owes.form", [f.value for f in OwesForm], o.by_form),
        ),
        Table(
            "owes_tasks",
            tr("report.section.owes_tasks"),
            headers(lang, "owes_task", "count", "hours"),
            rows("owes.task", [k.value for k in OwesTask], o.by_task),
        ),
    ]


def charts(o: Owes, lang: str) -> list[Chart]:
    forms = [f.value for f in OwesForm if f.value in o.by_form]
    return [
        Chart(
            "owes_forms",
            t("report.chart.owes_forms", lang),
            [label("owes.form", f, lang) for f in forms],
            [o.by_form[f][0] for f in forms],
        )
    ]


SECTION = Section("owes", "report.section.owes", compute, tables, charts, headline)
