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
from typing import Any

from fieldapp.i18n import t
from fieldapp.model.enums import ContactKind, VisitOutcome
from fieldapp.reports.query import HAPPENED, Query, fold, period_actions
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


_UNSEEN: Any = object()


def door(street: str | None, number: str | None) -> str | None:
    """A door's key (``None`` without street and number)."""
    street, number = fold(street), fold(number)
    return f"{street}|{number}" if street and number else None


def _visits(q: Query, ids: list[str]) -> tuple[dict, dict, Counter, Counter]:
    """Known and knocked doors, visits and talks per zone, in one pass over the zones' visits.

    Known doors need every visit of the zones (not only the period's), so one scan reads them all
    and flags the period's.
    """
    doors: dict[tuple[str, str], str | None] = {}  # door as written → its key (memo)
    visits: Counter[str] = Counter()
    talks: Counter[str] = Counter()
    knocked: dict[str, set[str]] = defaultdict(set)
    known: dict[str, set[str]] = defaultdict(set)
    zone, params = q.in_zones("zone_id")
    rows = q.db.execute(
        "SELECT zone_id, outcome = ?, street, house_number, visited_at >= ? AND visited_at < ?"
        f" FROM visit WHERE deleted = 0 AND zone_id IS NOT NULL{zone}",
        [VisitOutcome.TALKED.value, q.lo, q.hi, *params],
    )
    for zone_id, talked, street, number, in_period in rows:  # the hot loop: 100,000s of rows
        written = (street, number)
        key = doors.get(written, _UNSEEN)
        if key is _UNSEEN:
            key = doors[written] = door(street, number)
        if key:
            known[zone_id].add(key)
        if in_period:
            visits[zone_id] += 1
            talks[zone_id] += talked
            if key:
                knocked[zone_id].add(key)
    for zone_id, street, number in q.rows(
        f"SELECT DISTINCT zone_id, street, house_number FROM contact WHERE deleted = 0{zone}", params
    ):
        key = door(street, number)
        if key and zone_id:
            known[zone_id].add(key)
    return known, knocked, visits, talks


def _leaders(q: Query) -> tuple[Counter[str], Counter[str]]:
    zone, params = q.in_zones("zone_id")
    rows = q.rows(
        "SELECT zone_id, count(*), sum(created_at >= ? AND created_at < ?) FROM contact"
        f" WHERE deleted = 0 AND kind = ? AND zone_id IS NOT NULL{zone} GROUP BY zone_id",
        [q.lo, q.hi, ContactKind.LEADER.value, *params],
    )
    return Counter({z: n for z, n, _ in rows}), Counter({z: new for z, _, new in rows})


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
    known, knocked, visits, talks = _visits(q, [z for z, _ in zones])
    base, found = _leaders(q)
    actions: Counter[str | None] = Counter()
    happened: Counter[str | None] = Counter()
    for action in period_actions(q):
        actions[action.zone_id] += 1
        happened[action.zone_id] += action.status in HAPPENED
    stages = _stages(q, {z for z, doors in known.items() if doors} | set(visits))
    return Zones(
        [
            ZoneFigures(
                zone_id,
                name,
                len(known[zone_id]),
                len(knocked[zone_id]),
                visits[zone_id],
                talks[zone_id],
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
    where, params = q.visits_where()
    (talks,) = q.one(f"SELECT count(*) FROM visit v WHERE {where} AND v.outcome = ?", [*params, "talked"])
    zone, zparams = q.in_zones("zone_id")
    (found,) = q.one(
        "SELECT count(*) FROM contact WHERE deleted = 0 AND kind = ?"
        f" AND created_at >= ? AND created_at < ?{zone}",
        [ContactKind.LEADER.value, q.lo, q.hi, *zparams],
    )
    return [("talks", talks), ("leaders_found", found)]


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


SECTION = Section("zones", "report.section.zones", compute, tables, charts, headline)
