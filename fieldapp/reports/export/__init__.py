"""Exports of a report, as bytes for the user to download, save or share (never a file left in a
folder the user cannot reach): XLSX, CSV (Polish spreadsheet convention, or plain), print-ready
HTML and PDF (made on the device: ``pdf``). ``render`` gives the file's name, bytes and media type."""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.i18n.format import format_date
from fieldapp.reports.export.csv_file import csv_cell, to_csv
from fieldapp.reports.export.html import to_html
from fieldapp.reports.export.pdf import to_pdf
from fieldapp.reports.export.text import FORMULA_START, cell_text, clean_text, csv_text
from fieldapp.reports.export.xlsx import to_xlsx
from fieldapp.reports.report import Report

FORMATS: tuple[str, ...] = ("xlsx", "csv", "html", "pdf")
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class ExportFile:
    name: str
    data: bytes
    media_type: str


def file_name(report: Report, fmt: str, lang: str = "pl") -> str:
    """ "raport_01.03.2026-31.03.2026.xlsx": the period as the report writes it (one date format)."""
    start, end = format_date(report.start, lang), format_date(report.end, lang)
    stem = "raport" if lang == "pl" else "report"
    return f"{stem}_{start}-{end}.{fmt}" if lang == "pl" else f"{stem}_{start}_{end}.{fmt}"


def render(report: Report, fmt: str, lang: str = "pl", *, plain_csv: bool = False) -> ExportFile:
    """The report in ``fmt`` (xlsx, csv, html, pdf)."""
    if fmt == "csv":
        data = to_csv(report, lang, plain=plain_csv)
    elif fmt == "xlsx":
        data = to_xlsx(report, lang)
    elif fmt == "html":
        data = to_html(report, lang).encode("utf-8")
    elif fmt == "pdf":
        data = to_pdf(report, lang)
    else:
        raise ValueError(fmt)
    return ExportFile(file_name(report, fmt, lang), data, MEDIA_TYPES[fmt])


__all__ = [
    "FORMATS",
    "FORMULA_START",
    "ExportFile",
    "cell_text",
    "clean_text",
    "csv_cell",
    "csv_text",
    "file_name",
    "render",
    "to_csv",
    "to_html",
    "to_pdf",
    "to_xlsx",
]
