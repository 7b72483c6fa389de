"""Zone membership of a point, and the zone a contact or visit belongs to.

A zone is a circle (centre + radius, measured along the geodesic) or a polygon of ``[lat, lon]``
points (a polygon wins when both are set). When zones overlap — a library's SAS inside a
revitalisation quarter — a point belongs to the smallest zone that holds it, which is the most
specific answer; a zone the user already chose is kept while the point is still inside it.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from fieldapp.errors import FieldError
from fieldapp.geo.distance import LocalFrame, Point, check_point, destination, geodesic_m
from fieldapp.model import Zone
from fieldapp.model.geometry import self_intersects
from fieldapp.store import raw

#: Points this close to a polygon's edge count as inside (GPS and digitising are not sharper).
EDGE_TOLERANCE_M = 0.5
MIN_RADIUS_M = 10.0
MAX_RADIUS_M = 50_000.0


@dataclass(frozen=True)
class ZoneShape:
    """A zone's geometry, prepared for fast membership tests."""

    zone_id: str
    name: str
    area_m2: float
    bbox: tuple[float, float, float, float]  # min_lat, max_lat, min_lon, max_lon
    center: Point | None = None
    radius_m: float | None = None
    frame: LocalFrame | None = None
    ring: tuple[tuple[float, float], ...] = ()  # polygon vertices in ``frame`` metres

    @property
    def is_polygon(self) -> bool:
        return bool(self.ring)

    def contains(self, point: Point) -> bool:
        lat, lon = point
        min_lat, max_lat, min_lon, max_lon = self.bbox
        if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
            return False
        if self.ring:
            assert self.frame is not None
            return _in_ring(self.frame.xy(lat, lon), self.ring)
        assert self.center is not None and self.radius_m is not None
        return geodesic_m(self.center, point) <= self.radius_m


def shape_of(zone: Zone) -> ZoneShape | None:
    """The geometry of a zone, or None when it has no usable shape."""
    polygon = _clean_polygon(zone.polygon)
    if polygon:
        frame = LocalFrame.for_points(polygon)
        ring = tuple(frame.xy(lat, lon) for lat, lon in polygon)
        pad_lat = 2 * EDGE_TOLERANCE_M / frame.m_per_deg_lat
        pad_lon = 2 * EDGE_TOLERANCE_M / frame.m_per_deg_lon
        bbox = (
            min(p[0] for p in polygon) - pad_lat,
            max(p[0] for p in polygon) + pad_lat,
            min(p[1] for p in polygon) - pad_lon,
            max(p[1] for p in polygon) + pad_lon,
        )
        return ZoneShape(zone.id, zone.name, abs(_ring_area(ring)), bbox, frame=frame, ring=ring)
    if zone.center_lat is None or zone.center_lon is None or not zone.radius_m or zone.radius_m <= 0:
        return None
    center = (zone.center_lat, zone.center_lon)
    frame = LocalFrame.around(*center)
    reach_lat = zone.radius_m * 1.01 / frame.m_per_deg_lat
    reach_lon = zone.radius_m * 1.01 / frame.m_per_deg_lon
    bbox = (center[0] - reach_lat, center[0] + reach_lat, center[1] - reach_lon, center[1] + reach_lon)
    area = math.pi * zone.radius_m**2
    return ZoneShape(zone.id, zone.name, area, bbox, center=center, radius_m=zone.radius_m)


def contains(zone: Zone, lat: float, lon: float) -> bool:
    """Whether the point lies in the zone (on a polygon's edge counts as inside)."""
    shape = shape_of(zone)
    return shape is not None and shape.contains((lat, lon))


def zones_containing(shapes: Iterable[ZoneShape], lat: float, lon: float) -> list[ZoneShape]:
    """The zones holding the point, smallest (most specific) first."""
    found = [shape for shape in shapes if shape.contains((lat, lon))]
    found.sort(key=lambda shape: (shape.area_m2, shape.zone_id))
    return found


def zone_for_point(
    shapes: Iterable[ZoneShape], lat: float | None, lon: float | None, current: str | None = None
) -> str | None:
    """The zone id a record at this point belongs to.

    ``current`` (the zone the record has now) is kept when the point is still inside it, or when
    the record has no position or lies in no zone at all — a zone chosen by hand is never dropped
    for lack of information.
    """
    if lat is None or lon is None:
        return current
    holding = zones_containing(shapes, lat, lon)
    if not holding:
        return current
    if current is not None and any(shape.zone_id == current for shape in holding):
        return current
    return holding[0].zone_id


# -- the zones of a store, cached per database until a zone changes ----------------------------

_cache: dict[str, tuple[tuple[Any, ...], list[ZoneShape]]] = {}
_cache_lock = threading.Lock()


def zone_shapes(conn: Connection) -> list[ZoneShape]:
    """The shapes of all live zones in this connection's database (cached until zones change)."""
    db = raw(conn)
    path = db.execute("PRAGMA database_list").fetchone()[2] or f"memory:{id(db)}"
    stamp = tuple(db.execute("SELECT count(*), max(updated_hlc) FROM zone").fetchone())
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    zones = [
        Zone(id=row[0], name=row[1], center_lat=row[2], center_lon=row[3], radius_m=row[4],
             polygon=_json_list(row[5]))
        for row in db.execute(
            "SELECT id, name, center_lat, center_lon, radius_m, polygon FROM zone WHERE deleted = 0"
        )
    ]
    shapes = [shape for shape in map(shape_of, zones) if shape is not None]
    with _cache_lock:
        _cache[path] = (stamp, shapes)
    return shapes


def derive_zone_id(
    conn: Connection, lat: float | None, lon: float | None, current: str | None = None
) -> str | None:
    """The zone of a record at ``(lat, lon)``, inside the caller's transaction (see zone_for_point)."""
    if lat is None or lon is None:
        return current
    return zone_for_point(zone_shapes(conn), lat, lon, current)


def assign_zone(conn: Connection, record: Any) -> list[str]:
    """Set ``record.zone_id`` from its position; returns ``["zone_id"]`` if it changed, else ``[]``.

    For services saving a contact or visit: call before ``store.save`` and add the returned names
    to ``changed``.
    """
    zone_id = derive_zone_id(conn, record.lat, record.lon, record.zone_id)
    if zone_id == record.zone_id:
        return []
    record.zone_id = zone_id
    return ["zone_id"]


# -- outlines and validation --------------------------------------------------------------------


def outline(zone: Zone, segments: int = 64) -> list[Point]:
    """The zone's boundary as a closed list of points (a circle becomes a polygon), for maps."""
    polygon = _clean_polygon(zone.polygon)
    if polygon:
        return polygon
    if zone.center_lat is None or zone.center_lon is None or not zone.radius_m:
        return []
    center = (zone.center_lat, zone.center_lon)
    return [destination(center, 360.0 * i / segments, zone.radius_m) for i in range(segments)]


def center_of(zone: Zone) -> Point | None:
    """A point to centre a map on: the circle's centre or the polygon's bounding-box middle."""
    polygon = _clean_polygon(zone.polygon)
    if polygon:
        frame = LocalFrame.for_points(polygon)
        return frame.ref_lat, frame.ref_lon
    if zone.center_lat is not None and zone.center_lon is not None:
        return zone.center_lat, zone.center_lon
    return None


def zone_shape_errors(data: dict[str, Any]) -> list[FieldError]:
    """What is wrong with a zone's geometry in ``data`` (center_lat/center_lon/radius_m/polygon).

    A zone without any geometry is valid (a named area); codes are ``error.<code>`` i18n keys.
    """
    errors: list[FieldError] = []
    lat, lon, radius = data.get("center_lat"), data.get("center_lon"), data.get("radius_m")
    if any(value is not None for value in (lat, lon, radius)):
        if lat is None or lon is None:
            errors.append(FieldError("center_lat", "geo_center_missing"))
        elif not _valid_point(lat, lon):
            errors.append(FieldError("center_lat", "geo_position_invalid"))
        if radius is None or not isinstance(radius, int | float) or not (
            MIN_RADIUS_M <= radius <= MAX_RADIUS_M
        ):
            limits = {"min": int(MIN_RADIUS_M), "max": int(MAX_RADIUS_M)}
            errors.append(FieldError("radius_m", "geo_radius_range", limits))
    polygon = data.get("polygon")
    if polygon:
        errors.extend(_polygon_errors(polygon))
    return errors


def _polygon_errors(polygon: Any) -> list[FieldError]:
    try:
        points = [(float(p[0]), float(p[1])) for p in polygon]
    except (TypeError, ValueError, IndexError):
        return [FieldError("polygon", "geo_polygon_format")]
    if not all(_valid_point(*p) for p in points):
        return [FieldError("polygon", "geo_position_invalid")]
    distinct = _clean_polygon(points)
    if len(distinct) < 3:
        return [FieldError("polygon", "geo_polygon_too_few_points")]
    frame = LocalFrame.for_points(distinct)
    ring = [frame.xy(*p) for p in distinct]
    if _self_intersects(ring):
        return [FieldError("polygon", "geo_polygon_self_intersecting")]
    return []


def _valid_point(lat: Any, lon: Any) -> bool:
    try:
        check_point(float(lat), float(lon))
    except (TypeError, ValueError):
        return False
    return True


def _json_list(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value)
    return value


def _clean_polygon(polygon: Sequence[Sequence[float]] | None) -> list[Point]:
    """Vertices as tuples, without repeats and without a closing copy of the first point."""
    if not polygon:
        return []
    points: list[Point] = []
    for vertex in polygon:
        if len(vertex) < 2:
            continue
        point = (float(vertex[0]), float(vertex[1]))
        if not points or point != points[-1]:
            points.append(point)
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points if len(points) >= 3 else []


def _ring_area(ring: Sequence[tuple[float, float]]) -> float:
    total = 0.0
    for i, (x1, y1) in enumerate(ring):
        x2, y2 = ring[(i + 1) % len(ring)]
        total += x1 * y2 - x2 * y1
    return total / 2.0


def _in_ring(p: tuple[float, float], ring: Sequence[tuple[float, float]]) -> bool:
    """Even-odd ray casting, with points within EDGE_TOLERANCE_M of an edge counted inside."""
    x, y = p
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if _segment_distance(x, y, x1, y1, x2, y2) <= EDGE_TOLERANCE_M:
            return True
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _segment_distance(px: float, py: float, x1: float, y1: float, x2: float, y2: float) -> float:
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length2))
    return math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))


def _self_intersects(ring: Sequence[tuple[float, float]]) -> bool:
    return self_intersects(ring)  # the record rule's own (``fieldapp.model.geometry``)
