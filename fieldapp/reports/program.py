"""Section "program": the micro-grant cycle as the program reports it — applications submitted,
evaluated and decided, initiatives realised, their participants and grants, and who realised them.

Definitions:

- **applications** — live actions whose application was submitted (``submitted_on``) within the
  period, of the zones; drafts never submitted are not applications yet. Counted by their state
  now: under evaluation (submitted or being evaluated), accepted, rejected, withdrawn;
- **realised** — those of them accepted whose action happened (done or reported); **reported** —
  of these, the reported ones; **settled** — those with a settlement day;
- **participants** — of the realised initiatives (the action's own count);
- **grants** — the amounts requested over all applications, granted over the accepted ones;
- **by implementer** — the realised initiatives by the program's category of their lead
  implementer (``enums.implementer_kind``: residents and leaders are natural persons), one lead per
  initiative so the rows add up to the realised count: the action's ``lead_id``, else its first
  organiser; none named counts under ``not_named``. Partners are not counted here.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from fieldapp.i18n import t
from fieldapp.model.enums import IMPLEMENTER_KINDS, ApplicationStatus, implementer_kind
from fieldapp.reports.query import HAPPENED, Query, pln
from fieldapp.reports.scans import contacts
from fieldapp.reports.section import Chart, Headline, Section
from fieldapp.reports.tables import Cell, Table, headers, label

#: The category of a realised initiative with no implementer named.
NOT_NAMED = "not_named"


@dataclass(frozen=True)
class Implementers:
    """Realised initiatives led by implementers of one category."""

    kind: str
    initiatives: int
    participants: int


@dataclass
class Program:
    """Plain figures; money in grosze (``*_pln`` for złoty)."""

    submitted: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    realised: int = 0
    reported: int = 0
    settled: int = 0
    participants: int = 0
    requested_gr: int = 0
    granted_gr: int = 0
    by_implementer: list[Implementers] = field(default_factory=list)

    @property
    def requested_pln(self) -> Decimal:
        return pln(self.requested_gr)

    @property
    def granted_pln(self) -> Decimal:
        return pln(self.granted_gr)


#: The states an application is counted by (submitted and under evaluation count as one: pending).
STATES: tuple[str, ...] = (
    ApplicationStatus.UNDER_EVALUATION,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)


def _applications(q: Query) -> list[tuple]:
    zone, params = q.in_zones("zone_id")
    return q.rows(
        "SELECT application_status, status, participants, grant_requested_gr, grant_granted_gr,"
        " lead_id, organiser_ids, settled_on FROM neighbourhoodaction"
        f" WHERE deleted = 0 AND submitted_on IS NOT NULL AND submitted_on BETWEEN ? AND ?{zone}",
        [*q.days(), *params],
    )


def compute(q: Query) -> Program:
    p = Program()
    rows = q.memo("applications", lambda: _applications(q))
    facts = contacts(q)
    states: Counter[str] = Counter()
    initiatives: Counter[str] = Counter()
    people: Counter[str] = Counter()
    for state, status, participants, requested, granted, lead_id, organisers, settled_on in rows:
        p.submitted += 1
        shown = ApplicationStatus.UNDER_EVALUATION if state == ApplicationStatus.SUBMITTED else state
        states[shown] += 1
        p.requested_gr += requested or 0
        if state != ApplicationStatus.ACCEPTED:
            continue
        p.granted_gr += granted or 0
        if status not in HAPPENED:
            continue
        p.realised += 1
        p.reported += status == "reported"
        p.settled += settled_on is not None
        p.participants += participants or 0
        lead = lead_id or next(iter(json.loads(organisers or "[]")), None)
        kind = implementer_kind(facts[lead].kind) if lead in facts else NOT_NAMED
        initiatives[kind] += 1
        people[kind] += participants or 0
    p.by_state = {s: states.pop(s, 0) for s in STATES} | dict(states)
    order = {kind: i for i, kind in enumerate((*IMPLEMENTER_KINDS, NOT_NAMED))}
    p.by_implementer = [
        Implementers(kind, n, people[kind])
        for kind, n in sorted(initiatives.items(), key=lambda r: (-r[1], order.get(r[0], len(order)), r[0]))
    ]
    return p


def headline(q: Query) -> Headline:
    p = compute(q)
    return [
        ("applications_submitted", p.submitted),
        ("initiatives_realised", p.realised),
        ("initiative_participants", p.participants),
    ]


def implementer_name(kind: str, lang: str) -> str:
    if kind == NOT_NAMED:
        return t("report.kind.not_named", lang)
    return label("contact.kind", kind, lang)


def tables(p: Program, lang: str) -> list[Table]:
    def tr(key: str) -> str:
        return t(key, lang)

    figures: list[tuple[str, Cell]] = [
        ("applications_submitted", p.submitted),
        *((f"applications_{state}", n) for state, n in p.by_state.items()),
        ("initiatives_realised", p.realised),
        ("initiatives_reported", p.reported),
        ("initiatives_settled", p.settled),
        ("initiative_participants", p.participants),
        ("grants_requested_pln", p.requested_pln),
        ("grants_granted_pln", p.granted_pln),
    ]
    rows: list[list[Cell]] = [[tr(f"report.fig.{name}"), value] for name, value in figures]
    implementers: list[list[Cell]] = [
        [implementer_name(i.kind, lang), i.initiatives, i.participants] for i in p.by_implementer
    ]
    implementers.append([tr("report.program.total"), p.realised, p.participants])
    return [
        Table(
            "program",
            tr("report.section.program"),
            headers(lang, "figure", "value"),
            rows,
            tr("report.note.program"),
        ),
        Table(
            "implementers",
            tr("report.section.implementers"),
            headers(lang, "implementer_kind", "initiatives", "participants"),
            implementers,
            tr("report.note.implementers"),
        ),
    ]


def charts(p: Program, lang: str) -> list[Chart]:
    return [
        Chart(
            "implementers",
            t("report.chart.implementers", lang),
            [implementer_name(i.kind, lang) for i in p.by_implementer],
            [i.initiatives for i in p.by_implementer],
        )
    ]


SECTION = Section("program", "report.part.program", compute, tables, charts, headline)
