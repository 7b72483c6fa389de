"""XLSX: a sheet per section, its tables one under another, then its charts (native Excel charts).

Numbers stay numbers and dates stay dates, with formats a Polish spreadsheet shows as "1 500,50"
and "01.03.2026" (the format codes are locale-neutral: the program draws the separators of its
locale); shares in per cent with one decimal. Texts are written as string cells even when they
look like a formula or an error ("=…", "#N/A"), without control characters.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from fieldapp.i18n import t
from fieldapp.reports.export.text import clean_text
from fieldapp.reports.report import Part, Report
from fieldapp.reports.section import Chart
from fieldapp.reports.tables import Cell, Table, period_text, zones_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

#: Excel's limit on a sheet's name.
SHEET_NAME_MAX = 31
INTEGER = "#,##0"
MONEY = "#,##0.00"
SHARE = "0.0"
DATES = {"pl": "dd.mm.yyyy", "en": "yyyy-mm-dd"}
HEADER_FILL = "E8EEF6"
BAR_COLOUR = "1B5E9E"


def _value(value: Cell) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _format(value: Cell, lang: str) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, date):
        return DATES.get(lang, DATES["pl"])
    if isinstance(value, Decimal):
        return MONEY
    if isinstance(value, float):
        return SHARE
    return INTEGER


class _Sheet:
    """Rows appended one under another, with styles."""

    def __init__(self, sheet: Worksheet, lang: str) -> None:
        from openpyxl.styles import Font, PatternFill

        self.sheet, self.lang, self.row = sheet, lang, 0
        self.bold, self.big, self.italic = (
            Font(bold=True),
            Font(bold=True, size=13),
            Font(italic=True, color="555555"),
        )
        self.fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.widths: dict[int, int] = {}

    def append(self, values: list[Cell], *, font=None, fill=None) -> int:  # type: ignore[no-untyped-def]
        """Write a row: a text as a string cell (openpyxl makes "=…" a live formula, "#N/A" an error)."""
        self.row += 1
        for column, value in enumerate(values, start=1):
            cell = self.sheet.cell(self.row, column, _value(value))
            if isinstance(value, str):
                cell.data_type = "s"
            elif (number_format := _format(value, self.lang)) is not None:
                cell.number_format = number_format
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if value is not None and not (column == 1 and font is self.big):
                self.widths[column] = max(self.widths.get(column, 0), min(len(str(value)), 50))
        return self.row

    def skip(self) -> None:
        self.row += 1

    def table(self, table: Table) -> None:
        self.append([table.title], font=self.bold)
        self.append(list(table.headers), font=self.bold, fill=self.fill)
        for row in table.rows:
            self.append(row)
        if not table.rows:
            self.append([t("report.empty", self.lang)], font=self.italic)
        if table.note:
            self.append([table.note], font=self.italic)
        self.skip()

    def chart(self, chart: Chart) -> None:
        """The chart's data as a small table, and a bar chart of it below (values on the bars)."""
        from openpyxl.chart import BarChart, Reference
        from openpyxl.chart.label import DataLabelList

        top = self.append([chart.title, t("report.col.value", self.lang)], font=self.bold, fill=self.fill)
        for text, value in zip(chart.labels, chart.values, strict=True):
            self.append([text, value])
        bars = BarChart()
        bars.type = "bar"  # horizontal: long names stay readable
        bars.title = chart.title
        bars.legend = None
        bars.height = max(5.0, 1.0 + 0.7 * len(chart.labels))
        bars.width = 16.0
        bars.add_data(Reference(self.sheet, min_col=2, min_row=top, max_row=self.row), titles_from_data=True)
        bars.set_categories(Reference(self.sheet, min_col=1, min_row=top + 1, max_row=self.row))
        bars.x_axis.scaling.orientation = "maxMin"  # the first label on top, as in the table
        bars.x_axis.delete = False
        bars.y_axis.delete = False
        bars.y_axis.majorGridlines = None
        bars.dataLabels = DataLabelList()
        bars.dataLabels.showVal = True
        bars.series[0].graphicalProperties.solidFill = BAR_COLOUR
        self.sheet.add_chart(bars, f"D{top}")
        self.row = max(self.row, top + int(bars.height * 2)) + 1

    def fit_columns(self) -> None:
        from openpyxl.utils import get_column_letter

        for column, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = max(width + 2, 12)


def _section_sheet(book, part: Part, report: Report, lang: str) -> None:  # type: ignore[no-untyped-def]
    name = clean_text(t(f"report.sheet.{part.key}", lang))[:SHEET_NAME_MAX]
    sheet = _Sheet(book.create_sheet(name), lang)
    sheet.append([part.title], font=sheet.big)
    sheet.append([period_text(report, lang)])
    sheet.append([zones_text(report, lang)])
    sheet.skip()
    for table in part.tables:
        sheet.table(table)
    for chart in part.charts:
        if not chart.empty:
            sheet.chart(chart)
    sheet.fit_columns()
    sheet.sheet.freeze_panes = "A5"


def to_xlsx(report: Report, lang: str = "pl") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for part in report.parts(lang):
        _section_sheet(book, part, report, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
