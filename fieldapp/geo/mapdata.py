"""What the map screen shows, gathered without Flet: markers, the zone's outline, distances.

The same ``MapData`` feeds the map and its list fallback (nearest first, with distance and
direction from the user's position, or from the zone's centre when the position is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from fieldapp.geo.distance import Point, bounding_box, compass_point, fast_bearing_deg, fast_distance_m
from fieldapp.geo.spatial import in_box
from fieldapp.geo.zones import ZoneShape, center_of, outline, shape_of
from fieldapp.i18n.format import address_of
from fieldapp.model import Visit, Zone, utcnow
from fieldapp.store import Store

#: Where the map opens when nothing is known yet: the middle of Poland.
POLAND = (52.07, 19.48)


@dataclass(frozen=True)
class MapItem:
    #: contact | resource | visit
    record_type: str
    id: str
    #: Contact kind, resource kind, or visit outcome.
    kind: str
    label: str
    detail: str
    lat: float
    lon: float
    distance_m: float | None = None
    bearing_deg: float | None = None
    #: The day of a visit (the screen writes it in the user's language).
    day: date | None = None

    @property
    def point(self) -> Point:
        return self.lat, self.lon

    @property
    def direction(self) -> str | None:
        return compass_point(self.bearing_deg) if self.bearing_deg is not None else None


@dataclass
class MapData:
    items: list[MapItem] = field(default_factory=list)
    #: The zone's boundary (closed ring of points), empty without a zone.
    outline: list[Point] = field(default_factory=list)
    center: Point = POLAND
    zone_name: str = ""
    #: The point distances are measured from, and whether it is the user's own position.
    origin: Point | None = None
    origin_is_position: bool = False

    def count(self, record_type: str) -> int:
        return sum(1 for item in self.items if item.record_type == record_type)


def load_map_data(
    store: Store,
    *,
    zone_id: str | None = None,
    position: Point | None = None,
    radius_m: float = 1_500,
    visits_days: int = 30,
    limit: int = 500,
) -> MapData:
    """Contacts, resources and recent visits of a zone (or around the position), nearest first."""
    with store.engine.connect() as conn, Session(bind=conn) as session:
        zone = session.get(Zone, zone_id) if zone_id else None
        if zone is not None and zone.deleted:
            zone = None
        shape = shape_of(zone) if zone is not None else None
        zone_center = center_of(zone) if zone is not None else None
        origin = position or zone_center
        if shape is not None:
            box = shape.bbox
        else:
            center = origin or _centre_of_contacts(conn)
            if center is None:
                return MapData(center=POLAND, zone_name=zone.name if zone else "")
            box = bounding_box(center, radius_m)
            origin = origin or center
        items = [
            *_records_in(conn, "contact", box, shape, zone_id, limit),
            *_records_in(conn, "resource", box, shape, None, limit),
            *_visits_in(session, box, shape, zone_id, visits_days, limit),
        ]
    items = [_measured(item, origin) for item in items]
    items.sort(key=lambda item: (item.distance_m if item.distance_m is not None else 0.0, item.label))
    return MapData(
        items=items[:limit],
        outline=outline(zone) if zone is not None else [],
        center=position or zone_center or origin or POLAND,
        zone_name=zone.name if zone is not None else "",
        origin=origin,
        origin_is_position=position is not None,
    )


def _records_in(
    conn, record_type: str, box, shape: ZoneShape | None, zone_id: str | None, limit: int
) -> list[MapItem]:
    rows = in_box(conn, box, record_type, limit=limit * 4)
    if zone_id is not None and record_type == "contact":
        # Contacts put in the zone by hand count even when their point lies outside its outline.
        seen = {row[0] for row in rows}
        rows += [
            row
            for row in conn.exec_driver_sql(
                "SELECT id, kind, name, address, lat, lon, zone_id FROM contact WHERE zone_id = ? "
                "AND deleted = 0 AND erased_at IS NULL AND restricted_at IS NULL "
                "AND lat IS NOT NULL AND lon IS NOT NULL LIMIT ?",
                (zone_id, limit),
            )
            if row[0] not in seen
        ]
    items = []
    for row_id, kind, name, detail, lat, lon, row_zone in rows:
        inside = shape is None or shape.contains((lat, lon)) or (zone_id is not None and row_zone == zone_id)
        if inside:
            label = name or detail or ""
            items.append(MapItem(record_type, row_id, kind or "", label, detail or "", lat, lon))
    return items


def _visits_in(
    session: Session, box, shape: ZoneShape | None, zone_id: str | None, days: int, limit: int
) -> list[MapItem]:
    min_lat, max_lat, min_lon, max_lon = box
    since = utcnow() - timedelta(days=days)
    query = (
        select(Visit)
        .where(
            Visit.deleted == False,  # noqa: E712
            Visit.visited_at >= since,
            Visit.lat.between(min_lat, max_lat),
            Visit.lon.between(min_lon, max_lon),
        )
        .order_by(Visit.visited_at.desc())
        .limit(limit)
    )
    items = []
    for visit in session.exec(query):
        if shape is not None and not (shape.contains((visit.lat, visit.lon)) or visit.zone_id == zone_id):
            continue
        items.append(
            MapItem(
                "visit",
                visit.id,
                visit.outcome,
                address_of(visit),
                "",
                visit.lat,
                visit.lon,
                day=visit.visited_at.date(),
            )
        )
    return items


def _measured(item: MapItem, origin: Point | None) -> MapItem:
    if origin is None:
        return item
    return MapItem(
        item.record_type,
        item.id,
        item.kind,
        item.label,
        item.detail,
        item.lat,
        item.lon,
        fast_distance_m(origin, item.point),
        fast_bearing_deg(origin, item.point),
        item.day,
    )


def _centre_of_contacts(conn) -> Point | None:
    row = conn.exec_driver_sql(
        "SELECT avg(lat), avg(lon) FROM (SELECT lat, lon FROM contact WHERE deleted = 0 AND lat IS NOT NULL "
        "AND lon IS NOT NULL ORDER BY updated_hlc DESC LIMIT 200)"
    ).fetchone()
    return (row[0], row[1]) if row and row[0] is not None else None
