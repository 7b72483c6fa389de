"""The interface of a report's section, and of the charts it draws.

A section is one module of ``fieldapp.reports`` holding a ``SECTION = Section(...)``: its figures
computed with SQL over the store for the report's period and zones (``compute``), the tables and
charts that show them (``tables``, ``charts``: the screen and every export take these), and,
optionally, a few headline figures that the comparison with the previous period puts side by side
(``headline``: cheap counts, computed for both periods). Adding a section is writing that module and
naming it in ``fieldapp.reports.sections.SECTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from fieldapp.reports.query import Query
from fieldapp.reports.tables import Table

F = TypeVar("F")

#: A headline figure: (name, value). The name is ``report.fig.<name>`` in the catalogs.
Headline = list[tuple[str, int | Decimal]]


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar per label. Values are counts (int) or figures (Decimal, float)."""

    key: str
    title: str
    labels: list[str]
    values: list[int | float | Decimal]
    #: One colour per bar ("#RRGGBB"), or none for the theme's colour.
    colors: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(self.values)


def _no_charts(_figures: Any, _lang: str) -> list[Chart]:
    return []


def _no_headline(_q: Query) -> Headline:
    return []


@dataclass(frozen=True)
class Section(Generic[F]):
    """One section of the report (see the module's docstring)."""

    #: Short name: the figures' key in ``Report.figures``, the HTML anchor.
    key: str
    #: Catalog key of the section's heading.
    title_key: str
    compute: Callable[[Query], F]
    tables: Callable[[F, str], list[Table]]
    charts: Callable[[F, str], list[Chart]] = _no_charts
    headline: Callable[[Query], Headline] = _no_headline
