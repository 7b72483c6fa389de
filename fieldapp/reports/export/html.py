"""Print-ready HTML: one self-contained page (inline CSS, no links out) from a Jinja2 template with
autoescape, so every text the program typed is escaped; charts as bars drawn with CSS, each with
its value, their labels wrapping at a phone's width. A browser prints it (or saves it as PDF)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from fieldapp.i18n import t
from fieldapp.i18n.format import format_date
from fieldapp.reports.export.text import cell_text, clean_text
from fieldapp.reports.report import Report
from fieldapp.reports.tables import period_text, zones_text

_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("fieldapp.reports.export", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=lambda value: clean_text(value) if isinstance(value, str) else value,
    )
    env.filters["figure"] = cell_text
    env.filters["zip"] = lambda first, second: list(zip(first, second, strict=True))
    return env


def to_html(report: Report, lang: str = "pl", *, generated: datetime | None = None) -> str:
    env = _environment()
    template = env.get_template("report.html.j2")
    parts = report.parts(lang)
    for part in parts:  # the colours go into a style attribute: only "#RRGGBB" ever gets there
        for chart in part.charts:
            if not all(_COLOUR.fullmatch(c) for c in chart.colors):
                chart.colors.clear()

    return template.render(
        lang=lang,
        heading=t("report.heading", lang),
        period=period_text(report, lang),
        zones=zones_text(report, lang),
        generated=t("report.generated", lang, when=format_date(generated or datetime.now(), lang)),
        parts=parts,
        empty=t("report.empty", lang),
    )


__all__ = ["to_html"]
