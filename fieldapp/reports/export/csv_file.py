"""CSV: the Polish spreadsheet convention by default, plain CSV as an option.

Polish (what a Polish Excel or LibreOffice opens into columns with a double-click): fields split by
semicolons, a decimal comma, dates as dd.mm.rrrr, UTF-8 with a BOM (Excel then reads Polish
letters). Plain: commas, a decimal point, ISO dates, UTF-8 with a BOM too. Numbers are written
without thousands separators, so the spreadsheet reads them as numbers. One block per table: its
title, headers and rows, then a blank row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fieldapp.i18n import t
from fieldapp.reports.export.text import csv_text, places
from fieldapp.reports.report import Report
from fieldapp.reports.tables import Cell, period_text, zones_text


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    date_format: str


POLISH = Dialect(";", ",", "%d.%m.%Y")
PLAIN = Dialect(",", ".", "%Y-%m-%d")


def csv_cell(value: Cell, dialect: Dialect = POLISH) -> str:
    """A CSV field: texts neutralised, numbers machine-readable in the dialect (a negative one too)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_text(value)
    if isinstance(value, date):
        return value.strftime(dialect.date_format)
    if isinstance(value, Decimal | float):
        return f"{value:.{places(value)}f}".replace(".", dialect.decimal)
    return str(value)


def to_csv(report: Report, lang: str = "pl", *, plain: bool = False) -> bytes:
    dialect = PLAIN if plain else POLISH
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    for line in (t("report.heading", lang), period_text(report, lang), zones_text(report, lang)):
        writer.writerow([csv_text(line)])
    for table in report.tables(lang):
        writer.writerow([])
        writer.writerow([csv_text(table.title)])
        writer.writerow([csv_text(h) for h in table.headers])
        writer.writerows([[csv_cell(cell, dialect) for cell in row] for row in table.rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
