"""Exports of a report: CSV (UTF-8 with BOM, one section per table), XLSX (one sheet per table) and
a self-contained print-ready HTML page (inline CSS, no external assets).

Text in a report comes from anyone in the program (zone names, need categories, a program's own
codes), so every export treats it as data: control characters are dropped (openpyxl refuses them,
and they have no place in CSV or HTML), a text starting like a formula is written as text — a
string cell in XLSX, a leading apostrophe in CSV (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.i18n import t
from fieldapp.i18n.format import format_date, format_number
from fieldapp.reports.compute import Report
from fieldapp.reports.tables import Cell, Table, period_text, tables, zones_text
from fieldapp.store.private_files import private_folder, write_private

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell as XlsxCell
    from openpyxl.worksheet.worksheet import Worksheet

FORMATS: tuple[str, ...] = ("csv", "xlsx", "html")

#: Characters a spreadsheet reads as the start of a formula (tab and CR too: some programs strip them).
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: C0 control characters but tab, LF and CR: openpyxl's ``ILLEGAL_CHARACTERS_RE``, also for CSV/HTML.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: str) -> str:
    """The text without the control characters no export can carry."""
    return _CONTROL.sub("", value)


def csv_text(value: str) -> str:
    """A CSV field for a text: cleaned, and prefixed with an apostrophe if it starts like a formula."""
    value = clean_text(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_cell(value: Cell) -> str:
    """A CSV field for a table cell: numbers as machine-readable numbers (a negative one too)."""
    return csv_text(value) if isinstance(value, str) else cell_text(value)


def cell_text(value: Cell, lang: str = "") -> str:
    """A cell as text: złoty with two decimals, shares with one.

    Without ``lang`` (CSV) plain machine-readable numbers; for people (HTML, screen) in the
    language's way (``fieldapp.i18n.format.format_number``): "7 500,50" / "7,500.50".
    """
    if not isinstance(value, Decimal | float):
        return str(value)
    places = 2 if isinstance(value, Decimal) else 1
    return format_number(value, lang, places) if lang else f"{value:.{places}f}"


def to_csv(report: Report, lang: str = "pl") -> bytes:
    """UTF-8 with a BOM (Excel then reads Polish letters); a title row, the table, a blank row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in (t("report.heading", lang), period_text(report, lang), zones_text(report, lang)):
        writer.writerow([csv_text(line)])
    for table in tables(report, lang):
        writer.writerow([])
        writer.writerow([csv_text(table.title)])
        writer.writerow([csv_text(h) for h in table.headers])
        writer.writerows([[csv_cell(cell) for cell in row] for row in table.rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _append(sheet: Worksheet, values: list[Cell]) -> tuple[XlsxCell, ...]:
    """Append a row: texts cleaned and kept as string cells (openpyxl makes a text starting with
    "=" a live formula, one equal to "#N/A" an error), numbers as numbers; returns its cells."""
    sheet.append([clean_text(v) if isinstance(v, str) else float(v) if isinstance(v, Decimal) else v
                  for v in values])
    cells = tuple(sheet.cell(sheet.max_row, column) for column in range(1, len(values) + 1))
    for cell, value in zip(cells, values, strict=True):
        if isinstance(value, str):
            cell.data_type = "s"
        elif isinstance(value, Decimal):
            cell.number_format = "#,##0.00"
    return cells


def to_xlsx(report: Report, lang: str = "pl") -> bytes:
    """One sheet per table (short names, ≤ 31 characters as Excel wants); numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables(report, lang):
        sheet = book.create_sheet(t(f"report.sheet.{table.key}", lang)[:31])
        _append(sheet, [table.title])[0].font = Font(bold=True, size=13)
        _append(sheet, [period_text(report, lang)])
        _append(sheet, [zones_text(report, lang)])
        sheet.append([])
        for cell in _append(sheet, list(table.headers)):
            cell.font = Font(bold=True)
        for row in table.rows:
            _append(sheet, row)
        if table.note:
            sheet.append([])
            _append(sheet, [table.note])
        sheet.column_dimensions["A"].width = (
            max([len(str(r[0])) for r in table.rows] + [len(table.headers[0]), 12]) + 2
        )
        for letter in "BCDE"[: len(table.headers) - 1]:
            sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1b1f24; margin: 24px; font-size: 11pt; }
h1 { font-size: 18pt; margin: 0 0 4px; }
h2 { font-size: 13pt; margin: 22px 0 6px; border-bottom: 2px solid #1b5e9e; padding-bottom: 2px; }
p.meta { margin: 2px 0; color: #444; }
table { border-collapse: collapse; width: 100%; margin-bottom: 4px; page-break-inside: avoid; }
th, td { border: 1px solid #b8c0cc; padding: 4px 8px; text-align: left; }
th { background: #e8eef6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
p.note { font-size: 9pt; color: #555; margin: 2px 0 0; }
p.empty { font-style: italic; color: #666; }
td.barcell { width: 35%; }
.bar { display: inline-block; height: 10px; background: #1b5e9e; vertical-align: middle;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } }
@page { size: A4; margin: 15mm; }
"""


#: Tables of counts drawn with a bar beside each row in the printed report.
_BARS = frozenset({"knocks", "contacts", "actions", "carried_out_by"})


def _bar(value: Cell, top: float) -> str:
    width = 0.0 if not top else 100 * float(value) / top  # type: ignore[arg-type]
    return f'<td class="barcell"><span class="bar" style="width:{width:.0f}%"></span></td>'


def _escape(value: str) -> str:
    return html.escape(clean_text(value))


def _table_html(table: Table, lang: str) -> str:
    parts = [f'<section id="{table.key}"><h2>{_escape(table.title)}</h2>']
    bars = table.key in _BARS and bool(table.rows)
    top = max((float(row[-1]) for row in table.rows), default=0.0) if bars else 0.0  # type: ignore[arg-type]
    if not table.rows:
        parts.append(f'<p class="empty">{_escape(t("report.empty", lang))}</p>')
    else:
        head = "".join(f"<th>{_escape(h)}</th>" for h in table.headers) + ("<th></th>" if bars else "")
        body = []
        for row in table.rows:
            cells = "".join(
                f'<td class="num">{_escape(cell_text(c, lang))}</td>'
                if isinstance(c, int | float | Decimal)
                else f"<td>{_escape(str(c))}</td>"
                for c in row
            )
            body.append(f"<tr>{cells}{_bar(row[-1], top) if bars else ''}</tr>")
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    if table.note:
        parts.append(f'<p class="note">{_escape(table.note)}</p>')
    parts.append("</section>")
    return "".join(parts)


def to_html(report: Report, lang: str = "pl", *, generated: datetime | None = None) -> str:
    """A self-contained page to print (or save as PDF from a browser): inline CSS, no links out."""
    when = format_date(generated or datetime.now(), lang)
    title = _escape(t("report.heading", lang))
    sections = "".join(_table_html(table, lang) for table in tables(report, lang))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        f"<h1>{title}</h1>"
        f'<p class="meta">{_escape(period_text(report, lang))}</p>'
        f'<p class="meta">{_escape(zones_text(report, lang))}</p>'
        f'<p class="meta">{_escape(t("report.generated", lang, when=when))}</p>'
        f"{sections}</body></html>\n"
    )


def file_name(report: Report, fmt: str) -> str:
    return f"raport_{report.start.isoformat()}_{report.end.isoformat()}.{fmt}"


def write_report(report: Report, folder: Path, fmt: str, lang: str = "pl") -> Path:
    """Write the report in ``fmt`` (csv, xlsx, html) into ``folder``; returns the file's path."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    path = private_folder(folder) / file_name(report, fmt)
    if fmt == "csv":
        data = to_csv(report, lang)
    elif fmt == "xlsx":
        data = to_xlsx(report, lang)
    else:
        data = to_html(report, lang).encode("utf-8")
    return write_private(path, data)
