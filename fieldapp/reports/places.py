"""Section "places": community places (CAL, MAM, SAS, community centres).

- **places** — the zones' live places: kind, stage (a program's own stage by its name) and since
  when, partners by sector within the period, rooms;
- **stage moves** in the period;
- **bookings** in the period per place: how many, the hours booked, and how many clash (two
  bookings of a room on a day whose hours overlap);
- **principles over time** — every self-assessment made by the period's end, per place and
  framework, with the principles met and the change since the previous assessment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from fieldapp.i18n import t
from fieldapp.model.cooperation import Sector
from fieldapp.model.places import PRINCIPLES
from fieldapp.reports.query import Query, hours
from fieldapp.reports.section import Chart, Headline, Section
from fieldapp.reports.tables import Cell, Table, headers, label


@dataclass(frozen=True)
class PlaceRow:
    id: str
    name: str
    kind: str
    stage: str
    stage_name: str
    since: date | None
    sectors: dict[str, int]
    rooms: int


@dataclass(frozen=True)
class BookingRow:
    place: str
    bookings: int
    minutes: int
    clashing: int


@dataclass(frozen=True)
class AssessmentRow:
    place: str
    framework: str
    assessed_on: date
    met: tuple[str, ...]
    change: int | None  # principles met minus those met at the previous assessment


@dataclass
class Places:
    places: list[PlaceRow] = field(default_factory=list)
    moves: list[tuple[date, str, str, str]] = field(default_factory=list)  # day, place, stage, name
    bookings: list[BookingRow] = field(default_factory=list)
    assessments: list[AssessmentRow] = field(default_factory=list)


def _minutes(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:5])


def _places(q: Query) -> list[PlaceRow]:
    zone, params = q.in_zones("p.zone_id")
    rows = q.rows(
        "SELECT p.id, p.name, p.kind, p.stage, p.stage_name, p.stage_since,"
        " (SELECT count(*) FROM room r WHERE r.place_id = p.id AND r.deleted = 0)"
        f" FROM community_place p WHERE p.deleted = 0{zone} ORDER BY p.name",
        params,
    )
    sectors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for place_id, sector in q.rows(
        "SELECT place_id, sector FROM place_partner WHERE deleted = 0"
        " AND (joined_on IS NULL OR joined_on <= ?) AND (left_on IS NULL OR left_on >= ?)",
        [q.end.isoformat(), q.start.isoformat()],
    ):
        sectors[place_id][sector] += 1
    return [
        PlaceRow(
            pid,
            name,
            kind,
            stage,
            stage_name,
            date.fromisoformat(since) if since else None,
            dict(sectors[pid]),
            rooms,
        )
        for pid, name, kind, stage, stage_name, since, rooms in rows
    ]


def _bookings(q: Query, places: list[PlaceRow]) -> list[BookingRow]:
    names = {p.id: p.name for p in places}
    by_place: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for place_id, room_id, day, start, end in q.rows(
        "SELECT place_id, room_id, booked_on, start_time, end_time FROM booking"
        " WHERE deleted = 0 AND booked_on >= ? AND booked_on <= ?",
        q.days(),
    ):
        if place_id in names:
            by_place[place_id].append((room_id, day, start, end))
    found = []
    for place_id, rows in by_place.items():
        clashing: set[int] = set()
        for i, (room, day, start, end) in enumerate(rows):
            for j, (room2, day2, start2, end2) in enumerate(rows[i + 1 :], i + 1):
                if room == room2 and day == day2 and start < end2 and start2 < end:
                    clashing.update((i, j))
        minutes = sum(_minutes(end) - _minutes(start) for _, _, start, end in rows)
        found.append(BookingRow(names[place_id], len(rows), minutes, len(clashing)))
    return sorted(found, key=lambda r: r.place.casefold())


def _assessments(q: Query, places: list[PlaceRow]) -> list[AssessmentRow]:
    names = {p.id: p.name for p in places}
    met: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for place_id, framework, day, principle, ok in q.rows(
        "SELECT place_id, framework, assessed_on, principle, met FROM principle_check"
        " WHERE deleted = 0 AND assessed_on <= ? ORDER BY assessed_on",
        [q.end.isoformat()],
    ):
        if place_id in names:
            key = (place_id, framework, day)
            met.setdefault(key, [])
            if ok:
                met[key].append(principle)
    found: list[AssessmentRow] = []
    previous: dict[tuple[str, str], int] = {}
    for (place_id, framework, day), principles in sorted(
        met.items(), key=lambda kv: (names[kv[0][0]], kv[0][1:])
    ):
        order = PRINCIPLES.get(framework, ())
        ordered = tuple(sorted(principles, key=lambda p: order.index(p) if p in order else 99))
        before = previous.get((place_id, framework))
        found.append(
            AssessmentRow(
                names[place_id],
                framework,
                date.fromisoformat(day),
                ordered,
                None if before is None else len(ordered) - before,
            )
        )
        previous[(place_id, framework)] = len(ordered)
    return found


def compute(q: Query) -> Places:
    places = _places(q)
    place_ids = {p.id for p in places}
    moves = [
        (date.fromisoformat(day), name, stage, stage_name)
        for place_id, day, stage, stage_name, name in q.rows(
            "SELECT s.place_id, s.changed_on, s.stage, s.stage_name, p.name FROM place_stage s"
            " JOIN community_place p ON p.id = s.place_id"
            " WHERE s.deleted = 0 AND s.changed_on >= ? AND s.changed_on <= ? ORDER BY s.changed_on, p.name",
            q.days(),
        )
        if place_id in place_ids
    ]
    return Places(places, moves, _bookings(q, places), _assessments(q, places))


def headline(q: Query) -> Headline:
    places = _places(q)
    return [("places", len(places)), ("bookings", sum(b.bookings for b in _bookings(q, places)))]


def _stage(p: PlaceRow, lang: str) -> str:
    return p.stage_name if p.stage == "own" and p.stage_name else label("places.stage", p.stage, lang)


def tables(f: Places, lang: str) -> list[Table]:
    def tr(key: str, **params: object) -> str:
        return t(key, lang, **params)

    def sectors(p: PlaceRow) -> str:
        return ", ".join(
            f"{label('network.sector', s, lang)}: {p.sectors[s]}" for s in Sector if s in p.sectors
        )

    moves: list[list[Cell]] = [
        [day, name, stage_name if stage == "own" and stage_name else label("places.stage", stage, lang)]
        for day, name, stage, stage_name in f.moves
    ]
    return [
        Table(
            "places",
            tr("report.section.place_list"),
            headers(lang, "place", "place_kind", "stage", "stage_since", "place_partners", "rooms"),
            [
                [
                    p.name,
                    label("places.kind", p.kind, lang),
                    _stage(p, lang),
                    p.since,
                    sectors(p) or None,
                    p.rooms,
                ]
                for p in f.places
            ],
        ),
        Table(
            "place_stages", tr("report.section.place_stages"), headers(lang, "date", "place", "stage"), moves
        ),
        Table(
            "bookings",
            tr("report.section.bookings"),
            headers(lang, "place", "bookings", "hours", "clashes"),
            [[b.place, b.bookings, hours(b.minutes), b.clashing] for b in f.bookings],
            tr("report.note.bookings"),
        ),
        Table(
            "principles",
            tr("report.section.principles"),
            headers(lang, "place", "framework", "date", "principles_met", "met_of", "change"),
            [
                [
                    a.place,
                    label("places.framework", a.framework, lang),
                    a.assessed_on,
                    ", ".join(label("places.principle", p, lang) for p in a.met) or None,
                    f"{len(a.met)}/{len(PRINCIPLES.get(a.framework, ()))}",
                    a.change,
                ]
                for a in f.assessments
            ],
            tr("report.note.principles"),
        ),
    ]


def charts(f: Places, lang: str) -> list[Chart]:
    return [
        Chart(
            "place_bookings",
            t("report.chart.place_bookings", lang),
            [b.place for b in f.bookings],
            [b.bookings for b in f.bookings],
        )
    ]


SECTION = Section("places", "report.section.places", compute, tables, charts, headline)
