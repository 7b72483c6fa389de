"""Section "diagnosis": needs ranked (across zones and per zone), resources by kind, and each zone's
latest diagnosis compared with its previous one.

- the diagnoses read are the live diagnoses of the zones whose period overlaps the report's; needs
  are grouped by category (trimmed, case-folded), ranked by people, then by zones that raised them;
- a zone's **latest** diagnosis is its live diagnosis begun last by the report's end; its
  **previous** one is the one begun before it. Their needs are set side by side by category.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from fieldapp.i18n import t
from fieldapp.i18n.format import format_date
from fieldapp.reports.query import Query, fold
from fieldapp.reports.section import Chart, Headline, Section
from fieldapp.reports.tables import Cell, Table, headers, label

#: Needs shown per zone.
TOP_PER_ZONE = 3


@dataclass(frozen=True)
class NeedRank:
    category: str
    people: int
    zones: int
    mentions: int


@dataclass(frozen=True)
class NeedChange:
    zone: str
    category: str
    now: int | None  # people; None: not in the latest diagnosis
    before: int | None  # None: not in the previous one


@dataclass
class Diagnoses:
    needs: list[NeedRank] = field(default_factory=list)
    #: (zone name, need, people), the top needs of each zone.
    top_by_zone: list[tuple[str, str, int]] = field(default_factory=list)
    #: (kind, group) → resources.
    resources: dict[tuple[str, str], int] = field(default_factory=dict)
    changes: list[NeedChange] = field(default_factory=list)
    #: (zone name, latest diagnosis's start, previous one's start)
    compared: list[tuple[str, date, date | None]] = field(default_factory=list)


def _overlapping(q: Query, what: str, table: str, join: str) -> list[tuple]:
    zone, params = q.in_zones("d.zone_id")
    return q.rows(
        f"SELECT {what} FROM {table} x JOIN diagnosis d ON d.id = x.{join} JOIN zone z ON z.id = d.zone_id"
        " WHERE x.deleted = 0 AND d.deleted = 0 AND z.deleted = 0 AND d.period_start <= ?"
        f" AND (d.period_end IS NULL OR d.period_end >= ?){zone}",
        [q.end.isoformat(), q.start.isoformat(), *params],
    )


def _needs(q: Query, d: Diagnoses) -> None:
    names: dict[str, str] = {}
    people: Counter[str] = Counter()
    zones: dict[str, set[str]] = defaultdict(set)
    mentions: Counter[str] = Counter()
    per_zone: dict[str, Counter[str]] = defaultdict(Counter)
    for category, count, zone_name in _overlapping(
        q, "x.category, x.people_count, z.name", "need", "diagnosis_id"
    ):
        key = fold(category)
        names.setdefault(key, category.strip())
        people[key] += count or 0
        zones[key].add(zone_name)
        mentions[key] += 1
        per_zone[zone_name][key] += count or 0
    ranked = sorted(names, key=lambda k: (-people[k], -len(zones[k]), k))
    d.needs = [NeedRank(names[k], people[k], len(zones[k]), mentions[k]) for k in ranked]
    for zone_name in sorted(per_zone):
        top = sorted(per_zone[zone_name].items(), key=lambda item: (-item[1], item[0]))[:TOP_PER_ZONE]
        d.top_by_zone += [(zone_name, names[k], n) for k, n in top]


def _resources(q: Query, d: Diagnoses) -> None:
    counts = Counter(
        (kind, group) for kind, group in _overlapping(q, "x.kind, x.category", "resource", "diagnosis_id")
    )
    d.resources = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _needs_of(q: Query, diagnosis_id: str) -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {}
    for category, count in q.rows(
        "SELECT category, people_count FROM need WHERE deleted = 0 AND diagnosis_id = ?", [diagnosis_id]
    ):
        name, before = found.get(fold(category), (category.strip(), 0))
        found[fold(category)] = (name, before + (count or 0))
    return found


def _compared(q: Query, d: Diagnoses) -> None:
    zone, params = q.in_zones("z.id")
    latest: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for zone_name, diagnosis_id, start in q.rows(
        "SELECT z.name, d.id, d.period_start FROM diagnosis d JOIN zone z ON z.id = d.zone_id"
        f" WHERE d.deleted = 0 AND z.deleted = 0 AND d.period_start <= ?{zone}"
        " ORDER BY z.name, d.period_start DESC, d.created_at DESC",
        [q.end.isoformat(), *params],
    ):
        if len(latest[zone_name]) < 2:
            latest[zone_name].append((diagnosis_id, start, zone_name))
    for zone_name, pair in latest.items():
        now = _needs_of(q, pair[0][0])
        before = _needs_of(q, pair[1][0]) if len(pair) > 1 else {}
        previous = date.fromisoformat(pair[1][1]) if len(pair) > 1 else None
        d.compared.append((zone_name, date.fromisoformat(pair[0][1]), previous))
        if previous is None:
            continue
        keys = sorted(now.keys() | before.keys(), key=lambda k: (-(now.get(k, ("", 0))[1]), k))
        for key in keys:
            name = (now.get(key) or before[key])[0]
            d.changes.append(
                NeedChange(
                    zone_name,
                    name,
                    now[key][1] if key in now else None,
                    before[key][1] if key in before else None,
                )
            )


def compute(q: Query) -> Diagnoses:
    d = Diagnoses()
    _needs(q, d)
    _resources(q, d)
    _compared(q, d)
    return d


def headline(q: Query) -> Headline:
    needs = {fold(c) for (c,) in _overlapping(q, "x.category", "need", "diagnosis_id")}
    resources = len(_overlapping(q, "x.id", "resource", "diagnosis_id"))
    return [("needs", len(needs)), ("resources", resources)]


def tables(d: Diagnoses, lang: str) -> list[Table]:
    def tr(key: str) -> str:
        return t(key, lang)

    changes: list[list[Cell]] = [
        [c.zone, c.category, c.now, c.before, (c.now or 0) - (c.before or 0)] for c in d.changes
    ]
    compared = "; ".join(
        f"{zone}: {t('report.diagnosis_dates', lang, now=_day(now, lang), before=_day(before, lang))}"
        for zone, now, before in d.compared
    )
    return [
        Table(
            "needs",
            tr("report.section.needs"),
            headers(lang, "need", "need_people", "zones", "mentions"),
            [[n.category, n.people, n.zones, n.mentions] for n in d.needs],
        ),
        Table(
            "top_needs",
            tr("report.section.top_needs"),
            headers(lang, "zone", "need", "need_people"),
            [list(row) for row in d.top_by_zone],
        ),
        Table(
            "resources",
            tr("report.section.resources"),
            headers(lang, "resource_kind", "resource_group", "count"),
            [
                [label("resource.kind", kind, lang), label("resource.category", group, lang), n]
                for (kind, group), n in d.resources.items()
            ],
        ),
        Table(
            "diagnosis_change",
            tr("report.section.diagnosis_change"),
            headers(lang, "zone", "need", "people_now", "people_before", "change"),
            changes,
            compared,
        ),
    ]


def _day(day: date | None, lang: str) -> str:
    return format_date(day, lang) if day else "—"


def charts(d: Diagnoses, lang: str) -> list[Chart]:
    top = d.needs[:8]
    return [Chart("needs", t("report.chart.needs", lang), [n.category for n in top], [n.people for n in top])]


SECTION = Section("diagnosis", "report.section.diagnosis", compute, tables, charts, headline)
