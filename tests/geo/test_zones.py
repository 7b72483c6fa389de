"""Zone membership on known Łódź coordinates: circles by geodesic distance, and polygons."""

from __future__ import annotations

import pytest

from fieldapp.geo.distance import destination, geodesic_m
from fieldapp.geo.zones import (
    contains,
    derive_zone_id,
    outline,
    shape_of,
    zone_for_point,
    zone_shape_errors,
    zone_shapes,
)
from fieldapp.model import Zone
from fieldapp.store import Store
from tests.geo import lodz


def corridor() -> Zone:
    return Zone(name="Piotrkowska", polygon=lodz.PIOTRKOWSKA_CORRIDOR)


def circle() -> Zone:
    (lat, lon), radius = lodz.CITY_HALL_CIRCLE
    return Zone(name="SAS Urząd Miasta", center_lat=lat, center_lon=lon, radius_m=radius)


@pytest.mark.parametrize(
    "point, inside",
    [
        (lodz.PLAC_WOLNOSCI, True),
        (lodz.PIOTRKOWSKA_72, True),
        (lodz.PIOTRKOWSKA_104, True),
        (lodz.OFF_PIOTRKOWSKA, True),
        (lodz.ARCHIKATEDRA, True),
        (lodz.TRAUGUTTA_3, False),
        (lodz.SZESCIU_SIERPNIA_5, False),
        (lodz.TUWIMA_10, False),
        (lodz.MANUFAKTURA, False),
        (lodz.EC1, False),
    ],
)
def test_polygon_membership_along_piotrkowska(point: tuple[float, float], inside: bool) -> None:
    assert contains(corridor(), *point) is inside


@pytest.mark.parametrize(
    "point, inside",
    [
        (lodz.PIOTRKOWSKA_72, True),
        (lodz.MONIUSZKI_4, True),
        (lodz.TUWIMA_10, True),
        (lodz.SZESCIU_SIERPNIA_5, True),
        (lodz.NAWROT_2, True),
        (lodz.PLAC_WOLNOSCI, False),
        (lodz.ARCHIKATEDRA, False),
        (lodz.MANUFAKTURA, False),
        (lodz.EC1, False),
    ],
)
def test_circle_membership_around_city_hall(point: tuple[float, float], inside: bool) -> None:
    assert contains(circle(), *point) is inside


def test_circle_edge_is_geodesic() -> None:
    (lat, lon), radius = lodz.CITY_HALL_CIRCLE
    for bearing in (0, 45, 90, 200, 300):
        assert contains(circle(), *destination((lat, lon), bearing, radius - 0.05))
        assert not contains(circle(), *destination((lat, lon), bearing, radius + 0.05))


def test_polygon_edges_and_vertices_count_as_inside() -> None:
    zone = corridor()
    lat1, lon1 = lodz.PIOTRKOWSKA_CORRIDOR[0]
    _, lon2 = lodz.PIOTRKOWSKA_CORRIDOR[1]
    assert contains(zone, lat1, lon1)
    assert contains(zone, lat1, (lon1 + lon2) / 2)
    assert not contains(zone, lat1 + 0.0001, (lon1 + lon2) / 2)  # 11 m north of the edge


def test_the_smallest_zone_wins_and_a_chosen_zone_is_kept() -> None:
    strip, ring = corridor(), circle()
    shapes = [shape_of(strip), shape_of(ring)]
    # Piotrkowska 72 lies in both: the narrow strip is the more specific answer.
    assert zone_for_point(shapes, *lodz.PIOTRKOWSKA_72) == strip.id
    assert zone_for_point(shapes, *lodz.PIOTRKOWSKA_72, current=ring.id) == ring.id
    assert zone_for_point(shapes, *lodz.MONIUSZKI_4, current=strip.id) == ring.id
    # No position, or a point in no zone: the zone chosen by hand stays.
    assert zone_for_point(shapes, None, None, current=ring.id) == ring.id
    assert zone_for_point(shapes, *lodz.MANUFAKTURA, current=ring.id) == ring.id
    assert zone_for_point(shapes, *lodz.MANUFAKTURA) is None


def test_zone_shapes_follow_the_store(store: Store) -> None:
    strip = corridor()
    with store.write() as conn:
        store.save(conn, strip)
        assert derive_zone_id(conn, *lodz.PIOTRKOWSKA_72) == strip.id
        assert derive_zone_id(conn, *lodz.MONIUSZKI_4) is None
    ring = circle()
    with store.write() as conn:
        store.save(conn, ring)
        assert derive_zone_id(conn, *lodz.MONIUSZKI_4) == ring.id
        store.delete(conn, strip)
        assert derive_zone_id(conn, *lodz.PIOTRKOWSKA_72) == ring.id
        assert [s.zone_id for s in zone_shapes(conn)] == [ring.id]


def test_outline_of_a_circle_is_on_its_edge() -> None:
    points = outline(circle(), segments=16)
    assert len(points) == 16
    (lat, lon), radius = lodz.CITY_HALL_CIRCLE
    assert all(abs(geodesic_m((lat, lon), p) - radius) < 1e-6 for p in points)
    assert outline(Zone(name="no shape")) == []
    assert outline(corridor()) == [tuple(p) for p in lodz.PIOTRKOWSKA_CORRIDOR]


def test_zone_shape_validation() -> None:
    assert zone_shape_errors({"name": "named area only"}) == []
    assert zone_shape_errors({"center_lat": 51.7, "center_lon": 19.4, "radius_m": 400}) == []
    assert zone_shape_errors({"polygon": lodz.PIOTRKOWSKA_CORRIDOR}) == []
    codes = lambda data: [e.code for e in zone_shape_errors(data)]  # noqa: E731
    assert codes({"center_lat": 51.7, "radius_m": 400}) == ["geo_center_missing"]
    assert codes({"center_lat": 95, "center_lon": 19.4, "radius_m": 400}) == ["geo_position_invalid"]
    assert codes({"center_lat": 51.7, "center_lon": 19.4, "radius_m": 2}) == ["geo_radius_range"]
    assert codes({"polygon": [[51.7, 19.4], [51.8, 19.4]]}) == ["geo_polygon_too_few_points"]
    assert codes({"polygon": [[51.7, 19.4], "x"]}) == ["geo_polygon_format"]
    bow_tie = [[51.70, 19.40], [51.71, 19.41], [51.70, 19.41], [51.71, 19.40]]
    assert codes({"polygon": bow_tie}) == ["geo_polygon_self_intersecting"]
