"""The device's position: GPS through flet-geolocator with its permission flow, or a manual fix.

``GpsReader`` walks the permission steps a phone needs (ask once; "denied forever" → only the
system settings can help; location services off → say so) and reads one fix with a time limit.
Every failure comes back as a status the screen can explain, never an exception, and the screen
offers the fallbacks: a pin on the map or an address (``manual_fix`` / ``address_fix``).
A visit stores the fix's point and accuracy (``Fix.visit_fields``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fieldapp.geo.distance import check_point
from fieldapp.model import utcnow

log = logging.getLogger(__name__)

# Sources of a fix.
SOURCE_GPS, SOURCE_MANUAL, SOURCE_ADDRESS = "gps", "manual", "address"
# Outcomes of a GPS reading (i18n key ``geo.gps.<status>``).
GPS_OK = "ok"
GPS_DENIED = "denied"  # the user said no; asking again is allowed
GPS_DENIED_FOREVER = "denied_forever"  # only the system settings can change it
GPS_SERVICE_OFF = "service_off"  # location services are switched off
GPS_UNSUPPORTED = "unsupported"  # no geolocation on this platform / build
GPS_TIMEOUT = "timeout"  # no fix in time (indoors, cold start)
GPS_ERROR = "error"

#: Platforms where flet-geolocator has a native implementation (plus the web).
SUPPORTED_PLATFORMS = frozenset({"android", "ios", "macos", "windows"})


@dataclass(frozen=True)
class Fix:
    """A position with where it came from and how sure it is."""

    lat: float
    lon: float
    accuracy_m: float | None = None
    source: str = SOURCE_GPS
    at: datetime = field(default_factory=utcnow)

    @property
    def point(self) -> tuple[float, float]:
        return self.lat, self.lon

    def visit_fields(self) -> dict[str, Any]:
        """The fields ``log_visit`` takes: the point and, for GPS fixes, its accuracy."""
        return {"lat": self.lat, "lon": self.lon, "accuracy_m": self.accuracy_m}


@dataclass(frozen=True)
class GpsReading:
    status: str
    fix: Fix | None = None
    detail: str = ""

    @property
    def can_open_settings(self) -> bool:
        """Whether the screen should offer the system settings (the only way forward)."""
        return self.status in (GPS_DENIED_FOREVER, GPS_SERVICE_OFF)


def manual_fix(lat: float, lon: float) -> Fix:
    """A point the user pinned on the map or typed."""
    check_point(lat, lon)
    return Fix(lat, lon, None, SOURCE_MANUAL)


def address_fix(lat: float, lon: float) -> Fix:
    """A point from a geocoded address (the door, not the phone)."""
    check_point(lat, lon)
    return Fix(lat, lon, None, SOURCE_ADDRESS)


def geolocation_available(page: Any) -> bool:
    """Whether this platform has flet-geolocator (the reading may still fail; it is only a hint)."""
    if getattr(page, "web", False):
        return True
    platform = getattr(page, "platform", None)
    name = str(getattr(platform, "value", platform) or "").lower()
    return name in SUPPORTED_PLATFORMS


class GpsReader:
    """Reads fixes from a ``flet_geolocator.Geolocator`` (or anything with the same async methods)."""

    def __init__(self, geolocator: Any, *, timeout_s: float = 20.0, web: bool = False) -> None:
        self.geolocator = geolocator
        self.timeout_s = timeout_s
        self.web = web

    async def read(self) -> GpsReading:
        """One fix, asking for permission first when needed."""
        from flet_geolocator import GeolocatorPermissionStatus as Permission

        try:
            status = await asyncio.wait_for(self.geolocator.get_permission_status(), self.timeout_s)
            if status in (Permission.DENIED, Permission.UNABLE_TO_DETERMINE):
                status = await asyncio.wait_for(self.geolocator.request_permission(), 120)
            if status == Permission.DENIED_FOREVER:
                return GpsReading(GPS_DENIED_FOREVER)
            if status == Permission.DENIED:
                return GpsReading(GPS_DENIED)
            enabled = await asyncio.wait_for(self.geolocator.is_location_service_enabled(), self.timeout_s)
            if not enabled:
                return GpsReading(GPS_SERVICE_OFF)
            position = await asyncio.wait_for(
                self.geolocator.get_current_position(_configuration(self.timeout_s)),
                self.timeout_s + min(5.0, self.timeout_s),
            )
        except TimeoutError:
            return GpsReading(GPS_TIMEOUT)
        except NotImplementedError as exc:
            return GpsReading(GPS_UNSUPPORTED, detail=str(exc))
        except Exception as exc:  # platform errors arrive as plain exceptions with a message
            log.info("GPS reading failed: %s", exc)
            text = str(exc).lower()
            if "denied" in text or "permission" in text:
                return GpsReading(GPS_DENIED, detail=str(exc))
            if "disabled" in text or "service" in text:
                return GpsReading(GPS_SERVICE_OFF, detail=str(exc))
            if "unsupported" in text or "not supported" in text:
                return GpsReading(GPS_UNSUPPORTED, detail=str(exc))
            return GpsReading(GPS_ERROR, detail=str(exc))
        if position is None or position.latitude is None or position.longitude is None:
            return GpsReading(GPS_ERROR, detail="no position")
        try:
            check_point(position.latitude, position.longitude)
        except ValueError as exc:
            return GpsReading(GPS_ERROR, detail=str(exc))
        accuracy = float(position.accuracy) if position.accuracy is not None else None
        return GpsReading(GPS_OK, Fix(float(position.latitude), float(position.longitude), accuracy))

    async def open_settings(self, reading: GpsReading) -> bool:
        """Open the app's settings (permission) or the location settings (service off)."""
        if self.web:
            return False
        try:
            if reading.status == GPS_SERVICE_OFF:
                return bool(await self.geolocator.open_location_settings())
            return bool(await self.geolocator.open_app_settings())
        except Exception:
            log.info("could not open the settings", exc_info=True)
            return False


def _configuration(timeout_s: float) -> Any:
    import flet as ft
    from flet_geolocator import GeolocatorConfiguration, GeolocatorPositionAccuracy

    return GeolocatorConfiguration(
        accuracy=GeolocatorPositionAccuracy.HIGH, time_limit=ft.Duration(seconds=int(timeout_s))
    )
