"""A report as labelled tables: the one layout the CSV, XLSX and HTML exports share.

Cells keep their types (int, float share 0–100, Decimal złoty, str) so each export formats them its
own way: numbers stay numbers in XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fieldapp.i18n import catalogs, t
from fieldapp.i18n.format import format_date
from fieldapp.reports.compute import Report

Cell = str | int | float | Decimal


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


def summary_rows(report: Report, lang: str) -> list[list[Cell]]:
    figures: list[tuple[str, Cell]] = [
        ("visits", report.visits),
        ("contacts", report.contacts_reached),
        ("leaders", report.active_leaders),
        ("actions", report.actions),
        ("requested", report.grant_requested_pln),
        ("granted", report.grant_granted_pln),
        ("grants_requested", report.grants_requested),
        ("grants_granted", report.grants_granted),
        ("action_participants", report.action_participants),
        ("meetings", report.meetings),
        ("meeting_participants", report.meeting_participants),
        ("participants", report.participants),
    ]
    return [[t(f"report.fig.{name}", lang), value] for name, value in figures]


def tables(report: Report, lang: str = "pl") -> list[Table]:
    def tr(key: str) -> str:
        return t(key, lang)

    leaders = [[tr(f"report.activity.{name}"), count] for name, count in report.leaders_by_activity.items()]
    leaders.append([tr("report.activity.any"), report.active_leaders])
    return [
        Table(
            "summary",
            tr("report.section.summary"),
            [tr("report.col.figure"), tr("report.col.value")],
            summary_rows(report, lang),
            tr("report.note.grants"),
        ),
        Table(
            "knocks",
            tr("report.section.knocks"),
            [tr("report.col.outcome"), tr("report.col.count")],
            [[label("visit.outcome", k, lang), n] for k, n in report.knocks_by_outcome.items()],
        ),
        Table(
            "contacts",
            tr("report.section.contacts"),
            [tr("report.col.kind"), tr("report.col.count")],
            [[label("contact.kind", k, lang), n] for k, n in report.contacts_by_kind.items()],
            tr("report.note.reached"),
        ),
        Table(
            "coverage",
            tr("report.section.coverage"),
            [
                tr("report.col.zone"),
                tr("report.col.known_doors"),
                tr("report.col.knocked_doors"),
                tr("report.col.share"),
                tr("report.col.visits"),
            ],
            [
                [c.name, c.known_doors, c.knocked_doors, round(c.share * 100, 1), c.visits]
                for c in report.coverage
            ],
            tr("report.note.coverage"),
        ),
        Table(
            "leaders",
            tr("report.section.leaders"),
            [tr("report.col.activity"), tr("report.col.people")],
            leaders,
        ),
        Table(
            "needs",
            tr("report.section.needs"),
            [
                tr("report.col.need"),
                tr("report.col.need_people"),
                tr("report.col.zones"),
                tr("report.col.mentions"),
            ],
            [[n.category, n.people, n.zones, n.mentions] for n in report.needs],
        ),
        Table(
            "actions",
            tr("report.section.actions"),
            [tr("report.col.status"), tr("report.col.count")],
            [[label("action.status", k, lang), n] for k, n in report.actions_by_status.items()],
        ),
        Table(
            "carried_out_by",
            tr("report.section.carried"),
            [tr("report.col.kind"), tr("report.col.organisers"), tr("report.col.actions")],
            [
                [
                    label("report.kind", c.kind, lang)
                    if c.kind == "activity_group"
                    else label("contact.kind", c.kind, lang),
                    c.organisers,
                    c.actions,
                ]
                for c in report.carried_out_by
            ],
        ),
    ]


def period_text(report: Report, lang: str) -> str:
    start, end = format_date(report.start, lang), format_date(report.end, lang)
    return t("report.period_text", lang, start=start, end=end)


def zones_text(report: Report, lang: str) -> str:
    names = t("report.all_zones", lang) if report.zone_ids is None else ", ".join(report.zone_names) or "—"
    return t("report.zones_text", lang, zones=names)
