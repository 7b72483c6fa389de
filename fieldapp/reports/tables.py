"""A report as labelled tables: the one layout the screen, CSV, XLSX and HTML exports share.

Cells keep their types so each export formats them its own way (numbers stay numbers in XLSX,
dates stay dates): ``int`` a count, ``float`` a share in per cent (one decimal), ``Decimal`` złoty
or hours (two decimals), ``date`` a day, ``str`` a text, ``None`` nothing to say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from fieldapp.i18n import catalogs, t
from fieldapp.i18n.format import format_date

Cell = str | int | float | Decimal | date | None


@dataclass(frozen=True)
class Table:
    key: str  # short name: the HTML anchor, and the ``report.sheet.<key>`` XLSX sheet name
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    note: str = ""


def label(prefix: str, code: str, lang: str) -> str:
    """The name of a vocabulary code (``visit.outcome.talked``); a program's own code shows as is."""
    key = f"{prefix}.{code}"
    return t(key, lang) if key in catalogs()[lang] else code


def headers(lang: str, *names: str) -> list[str]:
    """Column headers from ``report.col.<name>`` keys."""
    return [t(f"report.col.{name}", lang) for name in names]


class Scope(Protocol):
    """A report's period and zones (``fieldapp.reports.Report``)."""

    start: date
    end: date
    zone_ids: list[str] | None
    zone_names: list[str]


def period_text(report: Scope, lang: str) -> str:
    start, end = format_date(report.start, lang), format_date(report.end, lang)
    return t("report.period_text", lang, start=start, end=end)


def zones_text(report: Scope, lang: str) -> str:
    names = t("report.all_zones", lang) if report.zone_ids is None else ", ".join(report.zone_names) or "—"
    return t("report.zones_text", lang, zones=names)
