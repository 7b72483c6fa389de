"""PDF, made on the device with fpdf2 (pure Python): no print service, browser or system library is
needed, so a phone makes the same file as a desktop. A4, the sections' tables one under another
(wide tables in a smaller type), each chart as horizontal bars with their values. The font is
DejaVu Sans cut down to the Latin letters Polish needs (``fonts/``, with its licence)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from fieldapp.i18n import t
from fieldapp.i18n.format import format_date
from fieldapp.reports.export.text import cell_text, clean_text
from fieldapp.reports.report import Report
from fieldapp.reports.section import Chart
from fieldapp.reports.tables import Table, period_text, zones_text

FONTS = Path(__file__).with_name("fonts")
FAMILY = "DejaVu"
INK, MUTED, BAR, HEAD_FILL = (27, 31, 36), (85, 85, 85), (27, 94, 158), (232, 238, 246)
#: Above this many columns a table is set in a smaller type.
WIDE = 5


def _pdf():  # type: ignore[no-untyped-def]
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_text_color(*INK)
    return pdf


def _line(pdf, text: str, size: float, *, bold: bool = False, colour=INK, gap: float = 1.5) -> None:  # type: ignore[no-untyped-def]
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.45, clean_text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(gap)


def _table(pdf, table: Table, lang: str) -> None:  # type: ignore[no-untyped-def]
    from fpdf.fonts import FontFace

    _line(pdf, table.title, 11, bold=True, gap=1)
    if not table.rows:
        _line(pdf, t("report.empty", lang), 9, colour=MUTED)
    else:
        size = 6.5 if len(table.headers) > WIDE else 9
        pdf.set_font(FAMILY, "", size)
        first = 2.2 if len(table.headers) > 2 else 3
        widths = (first, *([1] * (len(table.headers) - 1)))
        numeric = [
            all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in table.rows)
            for i in range(len(table.headers))
        ]
        with pdf.table(
            col_widths=widths,
            text_align=tuple("RIGHT" if n and i else "LEFT" for i, n in enumerate(numeric)),
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
            line_height=size * 0.5,
            padding=1,
            markdown=False,
        ) as grid:
            grid.row([clean_text(h) for h in table.headers])
            for row in table.rows:
                grid.row([cell_text(cell, lang) for cell in row])
    if table.note:
        _line(pdf, table.note, 7.5, colour=MUTED, gap=0)
    pdf.ln(4)


def _chart(pdf, chart: Chart, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Bars across the page: the label on the left, the bar, its value at the bar's end."""
    _line(pdf, chart.title, 10, bold=True, gap=1)
    top = max(float(v) for v in chart.values) or 1.0
    label_w, bar_w, height = 60.0, pdf.epw - 60.0 - 18.0, 5.0
    pdf.set_font(FAMILY, "", 8)
    for text, value in zip(chart.labels, chart.values, strict=True):
        if pdf.will_page_break(height + 1):
            pdf.add_page()
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_xy(x, y)
        pdf.cell(label_w - 2, height, clean_text(text)[:40], align="R")
        width = max(0.5, bar_w * float(value) / top)
        pdf.set_fill_color(*BAR)
        pdf.rect(x + label_w, y + 0.8, width, height - 1.6, style="F")
        pdf.set_xy(x + label_w + width + 1.5, y)
        pdf.cell(18, height, cell_text(value, lang))
        pdf.set_xy(x, y + height + 1)
    pdf.set_fill_color(255, 255, 255)
    pdf.ln(4)


def to_pdf(report: Report, lang: str = "pl", *, generated: datetime | None = None) -> bytes:
    pdf = _pdf()
    pdf.set_title(t("report.heading", lang))
    pdf.set_creator("Teren")
    pdf.add_page()
    _line(pdf, t("report.heading", lang), 18, bold=True, gap=2)
    for text in (
        period_text(report, lang),
        zones_text(report, lang),
        t("report.generated", lang, when=format_date(generated or datetime.now(), lang)),
    ):
        _line(pdf, text, 9, colour=MUTED, gap=0.5)
    for part in report.parts(lang):
        pdf.ln(4)
        _line(pdf, part.title, 14, bold=True, colour=BAR, gap=2)
        for table in part.tables:
            _table(pdf, table, lang)
        for chart in part.charts:
            if not chart.empty:
                _chart(pdf, chart, lang)
    return bytes(pdf.output())
