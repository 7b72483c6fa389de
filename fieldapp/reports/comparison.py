"""Section "comparison": the headline figures of every section beside the previous period's.

The previous period is as long as the report's and ends the day before it starts; a report of
whole calendar months is compared with as many whole months before it (March with February).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from fieldapp.i18n import t
from fieldapp.i18n.format import format_date
from fieldapp.reports.query import Query
from fieldapp.reports.section import Section
from fieldapp.reports.tables import Cell, Table, headers


def _month_start(day: date, back: int) -> date:
    months = day.year * 12 + day.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period to compare with (see the module's docstring)."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return _month_start(start, months), start - timedelta(days=1)
    length = end - start
    before = start - timedelta(days=1)
    return before - length, before


@dataclass(frozen=True)
class Change:
    section: str
    name: str
    now: int | Decimal
    before: int | Decimal

    @property
    def difference(self) -> int | Decimal:
        return self.now - self.before

    @property
    def percent(self) -> float | None:
        """The change in per cent of the previous figure (``None`` when that was 0)."""
        return round(float(self.difference) * 100 / float(self.before), 1) if self.before else None


@dataclass
class Comparison:
    start: date | None = None
    end: date | None = None
    changes: list[Change] = field(default_factory=list)


def section(compared: Sequence[Section]) -> Section[Comparison]:
    """The comparison of the headline figures of ``compared``."""

    def compute(q: Query) -> Comparison:
        start, end = previous_period(q.start, q.end)
        before = q.shifted(start, end)
        changes = []
        for other in compared:
            past = dict(other.headline(before))
            changes += [
                Change(other.key, name, value, past.get(name, 0)) for name, value in other.headline(q)
            ]
        return Comparison(start, end, changes)

    def tables(c: Comparison, lang: str) -> list[Table]:
        rows: list[list[Cell]] = [
            [t(f"report.fig.{ch.name}", lang), ch.now, ch.before, ch.difference, ch.percent]
            for ch in c.changes
        ]
        period = f"{format_date(c.start, lang)} – {format_date(c.end, lang)}"
        return [
            Table(
                "comparison",
                t("report.section.comparison", lang),
                headers(lang, "figure", "this_period", "previous_period", "change", "change_percent"),
                rows,
                t("report.note.comparison", lang, period=period),
            )
        ]

    return Section("comparison", "report.part.comparison", compute, tables)
