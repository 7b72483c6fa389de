"""What every section of a report reads with: the period and zones as SQL conditions on the store.

The period ``start``–``end`` is inclusive and in the device's local time; ``zone_ids=None`` means
every zone (and, for visits and meetings, records without a zone too); ``[]`` means none.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from fieldapp.model.enums import ActionStatus

T = TypeVar("T")

#: Statuses after which an action has happened.
HAPPENED: frozenset[str] = frozenset({ActionStatus.DONE, ActionStatus.REPORTED})
#: Ids bound per ``IN (…)`` list (SQLite's default limit is 32,766 variables; chunks keep plans small).
CHUNK = 500


def pln(grosze: int) -> Decimal:
    """Grosze as złoty, exactly, with two decimals."""
    return (Decimal(grosze) / 100).quantize(Decimal("0.01"))


def hours(minutes: int) -> Decimal:
    """Minutes as hours with two decimals (90 → 1.50)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def utc_bound(day: date) -> str:
    """The stored (UTC) form of local midnight at the start of ``day``."""
    moment = datetime.combine(day, time()).astimezone().astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def fold(value: str | None) -> str:
    """Trimmed and case-folded in Python: SQLite's lower() folds ASCII letters only ("Ł")."""
    return (value or "").strip().casefold()


def local_day(stored: str | None) -> date | None:
    """The local date of a stored (UTC) date-time."""
    if not stored:
        return None
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone().date()


def marks(values: list) -> str:
    """``?,?,?`` for an ``IN`` list (``NULL`` when empty: matches nothing)."""
    return ",".join("?" * len(values)) or "NULL"


def chunks(ids: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def zone_in(column: str, ids: list[str] | None) -> tuple[str, list[str]]:
    """``AND column IN (…)`` for a zone set (nothing when every zone is wanted)."""
    if ids is None:
        return "", []
    if not ids:
        return " AND 0", []
    return f" AND {column} IN ({marks(ids)})", list(ids)


class Query:
    """A read connection with the report's period and zones."""

    def __init__(
        self,
        db: sqlite3.Connection,
        start: date,
        end: date,
        zone_ids: list[str] | None,
        *,
        shared: dict[str, Any] | None = None,
    ):
        self.db = db
        self.start, self.end = start, end
        self.lo, self.hi = utc_bound(start), utc_bound(end + timedelta(days=1))
        self.zone_ids = zone_ids
        self.zone_set = None if zone_ids is None else frozenset(zone_ids)
        self._memo: dict[str, Any] = {}
        self._shared = {} if shared is None else shared

    def shifted(self, start: date, end: date) -> Query:
        """The same zones over another period (the comparison's previous period)."""
        return Query(self.db, start, end, self.zone_ids, shared=self._shared)

    def has(self, key: str) -> bool:
        """Whether ``key`` was already read for this period."""
        return key in self._memo

    def memo(self, key: str, make: Callable[[], T], *, period: bool = True) -> T:
        """What ``make`` reads, read once per report: for this period (``period``), or for every
        period of the report (the comparison's too) when it does not depend on the period."""
        cache = self._memo if period else self._shared
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def in_period(self, stored: str) -> bool:
        """A stored (UTC) date-time within the period's local days."""
        return self.lo <= stored < self.hi

    def rows(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        return self.db.execute(sql, list(params)).fetchall()

    def one(self, sql: str, params: list | tuple = ()) -> tuple:
        return self.db.execute(sql, list(params)).fetchone()

    def in_zones(self, column: str) -> tuple[str, list[str]]:
        return zone_in(column, self.zone_ids)

    def days(self) -> list[str]:
        """The period as stored dates (ISO), for ``BETWEEN``."""
        return [self.start.isoformat(), self.end.isoformat()]

    def visits_where(self, alias: str = "v") -> tuple[str, list]:
        zone, zparams = self.in_zones(f"{alias}.zone_id")
        where = f"{alias}.deleted = 0 AND {alias}.visited_at >= ? AND {alias}.visited_at < ?{zone}"
        return where, [self.lo, self.hi, *zparams]

    def meetings_where(self, alias: str = "m") -> tuple[str, list]:
        zone, zparams = self.in_zones(f"{alias}.zone_id")
        where = f"{alias}.deleted = 0 AND {alias}.held_on >= ? AND {alias}.held_on <= ?{zone}"
        return where, [*self.days(), *zparams]

    def created_in_period(self, alias: str) -> tuple[str, list]:
        """``created_at`` (UTC) within the period's local days."""
        return f"{alias}.created_at >= ? AND {alias}.created_at < ?", [self.lo, self.hi]

    def zones(self) -> list[tuple[str, str]]:
        """(id, name) of the live zones of the report, by name."""
        zone, params = self.in_zones("id")
        return self.rows(f"SELECT id, name FROM zone WHERE deleted = 0{zone} ORDER BY name", params)


@dataclass(frozen=True)
class PeriodAction:
    id: str
    zone_id: str | None
    status: str
    requested: int | None
    granted: int | None
    participants: int
    organisers: list[str]
    partners: list[str]


def period_actions(q: Query) -> list[PeriodAction]:
    """The live actions of the zones whose day falls in the period (read once per report)."""
    return q.memo("actions", lambda: _period_actions(q))


def _period_actions(q: Query) -> list[PeriodAction]:
    """The live actions of the zones whose day falls in the period: ``starts_on``, else the local
    date of their last status change, else of their creation."""
    zone, params = q.in_zones("zone_id")
    rows = q.rows(
        "SELECT id, zone_id, status, starts_on, status_changed_at, created_at, grant_requested_gr,"
        " grant_granted_gr, participants, organiser_ids, partner_ids"
        f" FROM neighbourhoodaction WHERE deleted = 0{zone}",
        params,
    )
    found = []
    for id_, zone_id, status, starts_on, changed, created, req, granted, people, organisers, partners in rows:
        day = date.fromisoformat(starts_on) if starts_on else local_day(changed or created)
        if day is not None and q.start <= day <= q.end:
            found.append(
                PeriodAction(
                    id_,
                    zone_id,
                    status,
                    req,
                    granted,
                    people or 0,
                    json.loads(organisers or "[]"),
                    json.loads(partners or "[]"),
                )
            )
    return found
