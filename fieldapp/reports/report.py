"""A report: its period, its zones and the figures of each section; ``build_report`` makes one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fieldapp.i18n import t
from fieldapp.reports.query import Query
from fieldapp.reports.section import Chart, Section
from fieldapp.reports.sections import SECTIONS
from fieldapp.reports.tables import Table
from fieldapp.store import Store, raw


@dataclass(frozen=True)
class Part:
    """What one section shows, in a language."""

    key: str
    title: str
    tables: list[Table]
    charts: list[Chart]


@dataclass
class Report:
    start: date
    end: date
    zone_ids: list[str] | None
    zone_names: list[str]
    sections: tuple[Section, ...] = ()
    #: Each section's figures by its key.
    figures: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.figures[key]

    def parts(self, lang: str) -> list[Part]:
        return [
            Part(
                s.key,
                t(s.title_key, lang),
                s.tables(self.figures[s.key], lang),
                s.charts(self.figures[s.key], lang),
            )
            for s in self.sections
            if s.key in self.figures
        ]

    def tables(self, lang: str) -> list[Table]:
        return [table for part in self.parts(lang) for table in part.tables]


def build_report(
    store: Store,
    *,
    start: date,
    end: date,
    zone_ids: list[str] | None,
    sections: Sequence[Section] | None = None,
) -> Report:
    """The report for ``start``–``end`` (inclusive, local dates) over ``zone_ids`` (``None``: all)."""
    if sections is None:
        sections = SECTIONS
    if end < start:
        start, end = end, start
    with store.engine.connect() as conn:
        q = Query(raw(conn), start, end, list(zone_ids) if zone_ids is not None else None)
        names = [name for _id, name in q.zones()]
        report = Report(start, end, q.zone_ids, names, tuple(sections))
        for section in sections:
            report.figures[section.key] = section.compute(q)
    return report
