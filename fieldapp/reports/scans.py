"""What several sections read, read once per report: every visit in one pass, every contact's
facts. A range scan of the visits' ``visited_at`` index costs a table look-up per visit (~1 s for
100,000 visits from a cold file, measured with tests/benchmarks/reports.py), a plain scan reads
the table in order (~0.1 s warm), so the sections share one plain scan per period."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from fieldapp.model.enums import VisitOutcome
from fieldapp.reports.query import Query, fold

TALKED = VisitOutcome.TALKED.value


def door(street: str | None, number: str | None) -> str | None:
    """A door's key: ``street|number`` trimmed and case-folded (``None`` without either)."""
    street, number = fold(street), fold(number)
    return f"{street}|{number}" if street and number else None


@dataclass
class VisitScan:
    """The visits of the report's zones (all of them when every zone is wanted)."""

    #: The period's visits by outcome.
    outcomes: Counter[str] = field(default_factory=Counter)
    #: Per zone: the period's visits and talks, the doors knocked in the period, all doors known.
    visits: Counter[str] = field(default_factory=Counter)
    talks: Counter[str] = field(default_factory=Counter)
    knocked: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    known: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: Contacts talked to at the door in the period, and the period's talks.
    talked: set[str] = field(default_factory=set)
    talk_count: int = 0
    #: Each contact's first talk at the door (stored UTC date-time) up to the period's end, in any zone.
    first_talk: dict[str, str] = field(default_factory=dict)


def visits(q: Query) -> VisitScan:
    return q.memo("visits", lambda: _scan(q))


def _scan(q: Query) -> VisitScan:
    """One pass over the visits (see the module's docstring). Written for the hot loop: the door of
    each spelling is folded once, each zone's sets and counts are looked up once per row."""
    scan = VisitScan()
    wanted, lo, hi = q.zone_set, q.lo, q.hi
    first = scan.first_talk
    doors: dict[tuple[str, str], str | None] = {}  # door as written → its key
    zones: dict[str | None, tuple[set[str], set[str], list[int]]] = {}  # known, knocked, [visits, talks]
    outcomes: dict[str, int] = {}
    talked_ids = scan.talked
    talk_count = 0
    rows = q.db.execute(
        "SELECT zone_id, outcome, street, house_number, contact_id, visited_at FROM visit WHERE deleted = 0"
    )
    for zone_id, outcome, street, number, contact_id, at in rows:  # the hot loop: 100,000s of rows
        talked = outcome == TALKED
        if talked and contact_id and at < hi:
            seen = first.get(contact_id)
            if seen is None or at < seen:
                first[contact_id] = at
        if wanted is not None and zone_id not in wanted:
            continue
        try:
            key = doors[street, number]
        except KeyError:
            key = doors[street, number] = door(street, number)
        zone = zones.get(zone_id)
        if zone is None:
            zone = zones[zone_id] = (set(), set(), [0, 0])
        if key:
            zone[0].add(key)
        if lo <= at < hi:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            counts = zone[2]
            counts[0] += 1
            if key:
                zone[1].add(key)
            if talked:
                counts[1] += 1
                talk_count += 1
                if contact_id:
                    talked_ids.add(contact_id)
    scan.outcomes.update(outcomes)
    scan.talk_count = talk_count
    for zone_id, (known, knocked, (visits, talks)) in zones.items():
        if zone_id:  # visits without a zone count in the period's outcomes only
            scan.known[zone_id], scan.knocked[zone_id] = known, knocked
            scan.visits[zone_id], scan.talks[zone_id] = visits, talks
    return scan


class ContactFacts(NamedTuple):
    kind: str
    zone_id: str | None
    created_at: str
    erased: bool


def contacts(q: Query) -> dict[str, ContactFacts]:
    """Every live contact's kind, zone, creation and whether it was erased (the same for every period)."""
    return q.memo("contacts", lambda: _contacts(q), period=False)


def _contacts(q: Query) -> dict[str, ContactFacts]:
    rows = q.db.execute(
        "SELECT id, kind, zone_id, created_at, erased_at IS NOT NULL FROM contact WHERE deleted = 0"
    )
    return {id_: ContactFacts(kind, zone, created, bool(erased)) for id_, kind, zone, created, erased in rows}


def meeting_attendees(q: Query) -> set[str]:
    """Contacts on the attendance lists of the period's meetings."""
    where, params = q.meetings_where()
    return q.memo(
        "meeting_attendees",
        lambda: {
            r[0]
            for r in q.rows(
                "SELECT DISTINCT a.contact_id FROM attendance a JOIN meeting m ON m.id = a.event_id"
                f" WHERE a.deleted = 0 AND a.event_type = 'meeting' AND a.contact_id IS NOT NULL AND {where}",
                params,
            )
        },
    )


def visit_counts(q: Query) -> tuple[int, int]:
    """The period's visits and talks (of the zones): from the scan when the report made one for this
    period, else counted through the ``visited_at`` index (a previous period: few rows, or none)."""
    if q.has("visits"):
        scan = visits(q)
        return sum(scan.outcomes.values()), scan.talk_count
    where, params = q.visits_where()
    count, talks = q.one(
        f"SELECT count(*), coalesce(sum(v.outcome = ?), 0) FROM visit v WHERE {where}", [TALKED, *params]
    )
    return count, talks
