"""Section "zones": each zone's coverage and work — doors, talks, leaders found, its stage, actions.

- **door** — a building entrance, ``street + house number`` (trimmed, case-folded; both known).
  Flats are left out on purpose: erasure (RODO) removes the flat from a person's contact and
  visits, and the report's counts must not change when someone is erased;
- **known doors** of a zone — the doors of its live contacts (erased ones too: their street stays)
  and of all its live visits ever; **knocked doors** — distinct doors of its visits in the period;
  **coverage** = knocked / known (0 when nothing is known);
- **talks** — visits of the period with the outcome "talked";
- **leaders found** — live contacts of kind leader of the zone first recorded in the period; the
  **leaders' base** — all of them, whenever recorded;
- **actions** — the zone's actions of the period (see ``fieldapp.reports.query.period_actions``),
  and those of them that happened (done or reported);
- **stage** — how far the zone's work has come by the period's end, the highest of: door-to-door
  (a visit), diagnosis (a diagnosis begun), groups (a Local Activity Group or a partnership),
  actions (an action done or reported); ``none`` before anything.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from fieldapp.i18n import t
from fieldapp.model.enums import ContactKind
from fieldapp.reports.query import HAPPENED, Query, period_actions
from fieldapp.reports.scans import contacts, door, visit_counts, visits
from fieldapp.reports.section import Chart, Headline, Section
from fieldapp.reports.tables import Table, headers

#: The stages of a zone's work, in order (``report.stage.<code>``).
STAGES: tuple[str, ...] = ("none", "door_to_door", "diagnosis", "groups", "actions")


@dataclass(frozen=True)
class ZoneFigures:
    zone_id: str
    name: str
    known_doors: int = 0
    knocked_doors: int = 0
    visits: int = 0
    talks: int = 0
    leaders_found: int = 0
    leaders: int = 0
    actions: int = 0
    actions_happened: int = 0
    stage: str = "none"

    @property
    def share(self) -> float:
        """Knocked doors / known doors (0.0 when no door is known)."""
        return self.knocked_doors / self.known_doors if self.known_doors else 0.0


@dataclass
class Zones:
    zones: list[ZoneFigures] = field(default_factory=list)


def _leaders(q: Query) -> tuple[Counter[str], Counter[str]]:
    """Per zone: leaders in the base, and those first recorded in the period."""
    base: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for facts in contacts(q).values():
        if facts.kind == ContactKind.LEADER and facts.zone_id:
            base[facts.zone_id] += 1
            found[facts.zone_id] += q.in_period(facts.created_at)
    return base, found


def _stages(q: Query, visited: set[str]) -> dict[str, str]:
    """Each zone's stage at the period's end (see the module's docstring)."""
    end = q.end.isoformat()
    zone, params = q.in_zones("zone_id")
    reached: dict[str, set[str]] = defaultdict(set)
    for zone_id in visited:
        reached[zone_id].add("door_to_door")
    for stage, sql, args in (
        (
            "diagnosis",
            "SELECT DISTINCT zone_id FROM diagnosis WHERE deleted = 0 AND period_start <= ?",
            [end],
        ),
        (
            "groups",
            "SELECT zone_id FROM activity_group WHERE deleted = 0"
            " AND coalesce(founded_on, date(created_at)) <= ?"
            " UNION SELECT zone_id FROM partnership WHERE deleted = 0 AND date(created_at) <= ?",
            [end, end],
        ),
        (
            "actions",
            "SELECT DISTINCT zone_id FROM neighbourhoodaction WHERE deleted = 0"
            " AND status IN ('done', 'reported')"
            " AND coalesce(starts_on, date(status_changed_at)) <= ?",
            [end],
        ),
    ):
        for (zone_id,) in q.rows(f"SELECT zone_id FROM ({sql}) WHERE 1{zone}", [*args, *params]):
            reached[zone_id].add(stage)
    return {z: max(stages, key=STAGES.index) for z, stages in reached.items()}


def compute(q: Query) -> Zones:
    zones = q.zones()
    if not zones:
        return Zones()
    scan = visits(q)
    known, knocked = scan.known, scan.knocked
    for zone_id, street, number in q.memo(
        "contact_doors",
        lambda: q.rows("SELECT DISTINCT zone_id, street, house_number FROM contact WHERE deleted = 0"),
        period=False,
    ):
        key = door(street, number)
        if key and zone_id and (q.zone_set is None or zone_id in q.zone_set):
            known[zone_id].add(key)
    base, found = _leaders(q)
    actions: Counter[str | None] = Counter()
    happened: Counter[str | None] = Counter()
    for action in period_actions(q):
        actions[action.zone_id] += 1
        happened[action.zone_id] += action.status in HAPPENED
    stages = _stages(q, {z for z, doors in known.items() if doors} | set(scan.visits))
    return Zones(
        [
            ZoneFigures(
                zone_id,
                name,
                len(known[zone_id]),
                len(knocked[zone_id]),
                scan.visits[zone_id],
                scan.talks[zone_id],
                found[zone_id],
                base[zone_id],
                actions[zone_id],
                happened[zone_id],
                stages.get(zone_id, "none"),
            )
            for zone_id, name in zones
        ]
    )


def headline(q: Query) -> Headline:
    found = sum(
        1
        for f in contacts(q).values()
        if f.kind == ContactKind.LEADER
        and q.in_period(f.created_at)
        and (q.zone_set is None or f.zone_id in q.zone_set)
    )
    return [("talks", visit_counts(q)[1]), ("leaders_found", found)]


def tables(z: Zones, lang: str) -> list[Table]:
    return [
        Table(
            "zones",
            t("report.section.zones", lang),
            headers(
                lang,
                "zone",
                "stage",
                "known_doors",
                "knocked_doors",
                "share",
                "visits",
                "talks",
                "leaders_found",
                "leaders_base",
                "actions",
                "actions_happened",
            ),
            [
                [
                    f.name,
                    t(f"report.stage.{f.stage}", lang),
                    f.known_doors,
                    f.knocked_doors,
                    round(f.share * 100, 1),
                    f.visits,
                    f.talks,
                    f.leaders_found,
                    f.leaders,
                    f.actions,
                    f.actions_happened,
                ]
                for f in z.zones
            ],
            t("report.note.coverage", lang) + " " + t("report.note.stage", lang),
        )
    ]


def charts(z: Zones, lang: str) -> list[Chart]:
    names = [f.name for f in z.zones]
    return [
        Chart(
            "coverage", t("report.chart.coverage", lang), names, [round(f.share * 100, 1) for f in z.zones]
        ),
        Chart("zone_actions", t("report.chart.zone_actions", lang), names, [f.actions for f in z.zones]),
    ]


SECTION = Section("zones", "report.part.zones", compute, tables, charts, headline)
