"""Distances and directions on the WGS84 ellipsoid, exact and fast.

``geodesic_m`` is the exact ellipsoidal distance (geographiclib, which geopy uses) — about 40 µs a
call. Walk lists and nearby queries compare thousands of pairs, so they use ``LocalFrame``: an
equirectangular projection with the ellipsoid's radii of curvature at a reference latitude, which
is within 0.2 % of the geodesic across a city district (tests check it against ``geodesic_m``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geographiclib.geodesic import Geodesic

#: A position as ``(latitude, longitude)`` in degrees.
Point = tuple[float, float]

_WGS84 = Geodesic.WGS84
_A = 6_378_137.0  # semi-major axis (m)
_E2 = 6.694_379_990_14e-3  # first eccentricity squared
_RAD = math.pi / 180.0

#: The eight compass points, clockwise from north (i18n keys ``geo.dir.<point>``).
COMPASS_POINTS: tuple[str, ...] = ("n", "ne", "e", "se", "s", "sw", "w", "nw")


def check_point(lat: float, lon: float) -> None:
    """Raise ValueError for coordinates that cannot be a place on Earth."""
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"not a position: lat={lat}, lon={lon}")


def geodesic_m(a: Point, b: Point) -> float:
    """The exact distance in metres between two points on the WGS84 ellipsoid."""
    return _WGS84.Inverse(a[0], a[1], b[0], b[1], Geodesic.DISTANCE)["s12"]


def bearing_deg(a: Point, b: Point) -> float:
    """Initial compass bearing from ``a`` to ``b`` in degrees, 0 = north, clockwise, in [0, 360)."""
    azimuth = _WGS84.Inverse(a[0], a[1], b[0], b[1], Geodesic.AZIMUTH)["azi1"]
    return azimuth % 360.0


def destination(origin: Point, bearing: float, distance_m: float) -> Point:
    """The point ``distance_m`` metres from ``origin`` along ``bearing`` (geodesic)."""
    result = _WGS84.Direct(origin[0], origin[1], bearing, distance_m)
    return result["lat2"], result["lon2"]


def compass_point(bearing: float) -> str:
    """The nearest of the eight compass points ("n", "ne", …) for a bearing in degrees."""
    return COMPASS_POINTS[round((bearing % 360.0) / 45.0) % 8]


def radii_m(lat: float) -> tuple[float, float]:
    """Meridional radius M and prime-vertical radius N of curvature (m) at a latitude."""
    s = math.sin(lat * _RAD)
    w = 1.0 - _E2 * s * s
    return _A * (1.0 - _E2) / (w * math.sqrt(w)), _A / math.sqrt(w)


@dataclass(frozen=True)
class LocalFrame:
    """A flat east/north frame in metres around a reference point, for fast local geometry."""

    ref_lat: float
    ref_lon: float
    m_per_deg_lat: float
    m_per_deg_lon: float

    @classmethod
    def around(cls, lat: float, lon: float) -> LocalFrame:
        meridional, prime_vertical = radii_m(lat)
        return cls(lat, lon, meridional * _RAD, prime_vertical * math.cos(lat * _RAD) * _RAD)

    @classmethod
    def for_points(cls, points: list[Point]) -> LocalFrame:
        """A frame centred on the bounding box of ``points`` (which must not be empty)."""
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        return cls.around((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        """Metres east and north of the reference point."""
        return (lon - self.ref_lon) * self.m_per_deg_lon, (lat - self.ref_lat) * self.m_per_deg_lat

    def latlon(self, x: float, y: float) -> Point:
        return self.ref_lat + y / self.m_per_deg_lat, self.ref_lon + x / self.m_per_deg_lon

    def distance_m(self, a: Point, b: Point) -> float:
        return math.hypot((b[1] - a[1]) * self.m_per_deg_lon, (b[0] - a[0]) * self.m_per_deg_lat)


def fast_distance_m(a: Point, b: Point) -> float:
    """Distance in metres by the equirectangular formula at the pair's mean latitude.

    Within about 0.01 % of the geodesic for points a few kilometres apart; not for long distances.
    """
    meridional, prime_vertical = radii_m((a[0] + b[0]) / 2)
    dy = (b[0] - a[0]) * _RAD * meridional
    dx = (b[1] - a[1]) * _RAD * prime_vertical * math.cos((a[0] + b[0]) / 2 * _RAD)
    return math.hypot(dx, dy)


def fast_bearing_deg(a: Point, b: Point) -> float:
    """Compass bearing from ``a`` to ``b`` by the local flat approximation (short distances)."""
    meridional, prime_vertical = radii_m((a[0] + b[0]) / 2)
    dy = (b[0] - a[0]) * meridional
    dx = (b[1] - a[1]) * prime_vertical * math.cos((a[0] + b[0]) / 2 * _RAD)
    return math.degrees(math.atan2(dx, dy)) % 360.0


def bounding_box(center: Point, radius_m: float) -> tuple[float, float, float, float]:
    """``(min_lat, max_lat, min_lon, max_lon)`` of a box that surely holds the circle.

    Widened by 1 % so that the flat approximation can never cut off a point the geodesic keeps.
    """
    meridional, prime_vertical = radii_m(center[0])
    reach = radius_m * 1.01
    dlat = reach / (meridional * _RAD)
    cos_lat = max(math.cos(min(89.9, abs(center[0]) + dlat) * _RAD), 1e-6)
    dlon = min(180.0, reach / (prime_vertical * cos_lat * _RAD))
    return center[0] - dlat, center[0] + dlat, center[1] - dlon, center[1] + dlon
