"""Text in a report comes from anyone in the program (zone names, need categories, a program's own
codes), so every export treats it as data: control characters are dropped (openpyxl refuses them,
and they have no place in CSV or HTML), a text starting like a formula is written as text — a
string cell in XLSX, a leading apostrophe in CSV (OWASP's advice against CSV injection) — and
HTML escapes it (the template engine's autoescape).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from fieldapp.i18n.format import format_date, format_number
from fieldapp.reports.tables import Cell

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


def places(value: Decimal | float) -> int:
    """Decimals shown: złoty and hours with two, shares (per cent) with one."""
    return 2 if isinstance(value, Decimal) else 1


def cell_text(value: Cell, lang: str) -> str:
    """A cell for people (screen, HTML) in the language's way: "7 500,50", "01.03.2026", "—"."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, date):
        return format_date(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return format_number(value, lang, 0)
    return format_number(value, lang, places(value))
