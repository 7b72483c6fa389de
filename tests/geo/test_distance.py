"""Distances: the fast local metrics agree with the exact geodesic at city scale."""

from __future__ import annotations

import random

import pytest

from fieldapp.geo.distance import (
    LocalFrame,
    bearing_deg,
    bounding_box,
    check_point,
    compass_point,
    destination,
    fast_bearing_deg,
    fast_distance_m,
    geodesic_m,
)
from tests.geo import lodz


def test_known_distances_in_lodz() -> None:
    # Piotrkowska from Plac Wolności to the cathedral is about 2.9 km.
    assert 2_800 < geodesic_m(lodz.PLAC_WOLNOSCI, lodz.ARCHIKATEDRA) < 2_950
    assert 100 < geodesic_m(lodz.PIOTRKOWSKA_72, lodz.TRAUGUTTA_3) < 160
    assert geodesic_m(lodz.EC1, lodz.EC1) == 0


def test_fast_metrics_match_geodesic_within_a_city() -> None:
    rng = random.Random(5)
    frame = LocalFrame.around(*lodz.PIOTRKOWSKA_104)
    worst_fast = worst_frame = 0.0
    for _ in range(500):
        a = (51.74 + rng.random() * 0.06, 19.42 + rng.random() * 0.08)
        b = (51.74 + rng.random() * 0.06, 19.42 + rng.random() * 0.08)
        exact = geodesic_m(a, b)
        if exact < 50:
            continue
        worst_fast = max(worst_fast, abs(fast_distance_m(a, b) - exact) / exact)
        worst_frame = max(worst_frame, abs(frame.distance_m(a, b) - exact) / exact)
    assert worst_fast < 1e-4
    assert worst_frame < 2e-3


def test_bearings_and_compass_points() -> None:
    # Plac Wolności is north (slightly west) of the cathedral; EC1 is east of Piotrkowska 72.
    assert compass_point(bearing_deg(lodz.ARCHIKATEDRA, lodz.PLAC_WOLNOSCI)) == "n"
    assert compass_point(bearing_deg(lodz.PIOTRKOWSKA_72, lodz.EC1)) == "e"
    assert compass_point(bearing_deg(lodz.PIOTRKOWSKA_72, lodz.MANUFAKTURA)) == "nw"
    exact = bearing_deg(lodz.PIOTRKOWSKA_72, lodz.EC1)
    assert abs(fast_bearing_deg(lodz.PIOTRKOWSKA_72, lodz.EC1) - exact) < 0.5
    assert compass_point(359) == "n" and compass_point(-44) == "nw" and compass_point(200) == "s"


def test_destination_round_trip_and_frame_inverse() -> None:
    point = destination(lodz.PIOTRKOWSKA_104, 123.0, 750.0)
    assert geodesic_m(lodz.PIOTRKOWSKA_104, point) == pytest.approx(750.0, abs=1e-6)
    frame = LocalFrame.around(*lodz.PIOTRKOWSKA_104)
    back = frame.latlon(*frame.xy(*lodz.EC1))
    assert back == pytest.approx(lodz.EC1, abs=1e-12)


def test_bounding_box_holds_the_circle() -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(lodz.PIOTRKOWSKA_104, 1_000)
    for bearing in range(0, 360, 5):
        lat, lon = destination(lodz.PIOTRKOWSKA_104, bearing, 1_000)
        assert min_lat < lat < max_lat and min_lon < lon < max_lon


@pytest.mark.parametrize("lat, lon", [(91, 0), (0, 181), (float("nan"), 0), (0, float("inf"))])
def test_impossible_positions_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(ValueError):
        check_point(lat, lon)
