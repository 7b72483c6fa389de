"""Contacts and resources near a point, through the store's spatial index.

The R*Tree narrows the search to a box around the circle; exact distances then decide. The flat
local metric is used for the bulk of the candidates and the geodesic only for the few that lie
within a hair of the radius, so "within N metres" means the geodesic distance at no real cost.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from fieldapp.geo.distance import (
    LocalFrame,
    Point,
    bounding_box,
    check_point,
    compass_point,
    fast_distance_m,
    geodesic_m,
)
from fieldapp.store import Store, raw, spatial_index

#: Record types the spatial index covers.
INDEXED_TYPES: tuple[str, ...] = ("contact", "resource")
#: Relative error bound of the flat metric within a few kilometres, with a safety margin.
_FAST_TOLERANCE = 0.002
#: Up to this radius one flat frame around the query point stays well inside that bound; beyond
#: it each pair gets the mean-latitude formula.
_FLAT_REACH_M = 5_000.0

_SELECT = {
    "contact": "SELECT t.id, t.kind, t.name, t.address, t.lat, t.lon, t.zone_id FROM {source} "
    "WHERE t.deleted = 0 AND t.erased_at IS NULL AND t.restricted_at IS NULL AND {box}",
    "resource": "SELECT t.id, t.kind, t.name, t.description, t.lat, t.lon, NULL FROM {source} "
    "WHERE t.deleted = 0 AND {box}",
}


@dataclass(frozen=True)
class NearbyPlace:
    """A contact or resource with its distance and direction from the query point."""

    record_type: str
    id: str
    kind: str
    name: str
    #: The contact's address, or the resource's description.
    address: str
    lat: float
    lon: float
    distance_m: float
    bearing_deg: float
    zone_id: str | None = None

    @property
    def direction(self) -> str:
        """Compass point ("n", "ne", …) from the query point; i18n key ``geo.dir.<direction>``."""
        return compass_point(self.bearing_deg)


def nearby(
    source: Store | Connection,
    lat: float,
    lon: float,
    radius_m: float,
    *,
    record_types: Sequence[str] = INDEXED_TYPES,
    kinds: Iterable[str] | None = None,
    limit: int | None = 200,
) -> list[NearbyPlace]:
    """Live contacts and resources within ``radius_m`` metres (geodesic) of a point, nearest first.

    Erased persons are never returned. ``kinds`` filters on the record's ``kind``.
    """
    check_point(lat, lon)
    if radius_m < 0:
        raise ValueError("radius_m must not be negative")
    unknown = set(record_types) - set(INDEXED_TYPES)
    if unknown:
        raise ValueError(f"no spatial index for {sorted(unknown)}")
    if isinstance(source, Store):
        with source.engine.connect() as conn:
            return nearby(conn, lat, lon, radius_m, record_types=record_types, kinds=kinds, limit=limit)
    center = (lat, lon)
    frame = LocalFrame.around(lat, lon)  # flat metres around the point: exact enough for a city
    wanted = set(kinds) if kinds is not None else None
    found: list[NearbyPlace] = []
    for record_type in record_types:
        for row in _rows_in_box(source, record_type, bounding_box(center, radius_m)):
            if wanted is not None and row[1] not in wanted:
                continue
            point = (row[4], row[5])
            dx, dy = frame.xy(*point)
            flat = math.hypot(dx, dy) if radius_m <= _FLAT_REACH_M else fast_distance_m(center, point)
            distance = _distance_within(center, point, flat, radius_m)
            if distance is None:
                continue
            bearing = math.degrees(math.atan2(dx, dy)) % 360.0
            found.append(
                NearbyPlace(
                    record_type,
                    row[0],
                    row[1],
                    row[2] or "",
                    row[3] or "",
                    row[4],
                    row[5],
                    distance,
                    bearing,
                    row[6],
                )
            )
    found.sort(key=lambda place: (place.distance_m, place.id))
    return found if limit is None else found[:limit]


def in_box(
    conn: Connection, box: tuple[float, float, float, float], record_type: str, limit: int = 1000
) -> list[tuple]:
    """Rows ``(id, kind, name, address, lat, lon, zone_id)`` with a position inside ``box``

    (``min_lat, max_lat, min_lon, max_lon``), e.g. the markers of a map view.
    """
    return list(_rows_in_box(conn, record_type, box))[:limit]


def _distance_within(center: Point, point: Point, flat_m: float, radius_m: float) -> float | None:
    """The distance if within the radius: the flat one, or the geodesic near the edge."""
    distance = flat_m
    if distance > radius_m * (1 + _FAST_TOLERANCE) + 0.01:
        return None
    if distance >= radius_m * (1 - _FAST_TOLERANCE) - 0.01:
        distance = geodesic_m(center, point)
        if distance > radius_m:
            return None
    return distance


def _rows_in_box(conn: Connection, record_type: str, box: tuple[float, float, float, float]):
    db = raw(conn)
    min_lat, max_lat, min_lon, max_lon = box
    if spatial_index.has_rtree_table(db, record_type) and not spatial_index.is_deferred(db, record_type):
        source = f"geo_{record_type} AS g JOIN {record_type} AS t ON t.rowid = g.id"
        condition = "g.max_lat >= ? AND g.min_lat <= ? AND g.max_lon >= ? AND g.min_lon <= ?"
        params = (min_lat, max_lat, min_lon, max_lon)
    else:
        source = f"{record_type} AS t"
        condition = "t.lat BETWEEN ? AND ? AND t.lon BETWEEN ? AND ?"
        params = (min_lat, max_lat, min_lon, max_lon)
    sql = _SELECT[record_type].format(source=source, box=condition)
    for row in db.execute(sql, params):
        # The R*Tree keeps 32-bit boxes (rounded outwards): re-check with the stored doubles.
        if row[4] is not None and min_lat <= row[4] <= max_lat and min_lon <= row[5] <= max_lon:
            yield row


def rebuild_spatial_index(store: Store) -> None:
    """Rebuild the R*Trees from the tables (needed after a VACUUM, which may renumber rowids)."""
    with store.write() as conn:
        spatial_index.rebuild(raw(conn))
