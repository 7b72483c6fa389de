"""Addresses to coordinates and back, through geopy, politely and with a cache.

Every request to a service goes through one geopy ``RateLimiter`` per service host and process
(however the host is spelt: case, a trailing dot, the default port), so the app's screens and the
background queue together keep to the provider's policy (1 request/s for the public Nominatim).
A 429 answer blocks the host for its ``Retry-After``. Answers are cached
in the store. Nothing here guesses: several candidates, or a street without the asked house number,
come back as ``ambiguous`` for the user to pick or correct.
"""

from __future__ import annotations

import inspect
import json
import threading
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from geopy.adapters import RequestsAdapter
from geopy.exc import (
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
)
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.location import Location

from fieldapp.geo.address import AddressQuery, same_house_number
from fieldapp.geo.distance import check_point, fast_distance_m
from fieldapp.geo.settings import GeocoderSettings, load_geocoder_settings
from fieldapp.model import utcnow
from fieldapp.store import Store
from fieldapp.store.codec import to_sqlite_datetime

#: Candidates closer than this are one place (a building and a shop in it).
SAME_PLACE_M = 30.0
#: Seconds a service stays blocked after a 429 without Retry-After.
DEFAULT_RETRY_AFTER_S = 60.0
NOT_FOUND_CACHE = timedelta(days=1)

# Statuses of a GeocodeResult.
OK, AMBIGUOUS, NOT_FOUND = "ok", "ambiguous", "not_found"
UNAVAILABLE, RATE_LIMITED, ERROR = "unavailable", "rate_limited", "error"
#: Errors worth retrying later (the network or the service may come back).
TRANSIENT_ERRORS = frozenset({"offline", "timeout", "server_error", "rate_limited"})

_STREET_KEYS = ("road", "pedestrian", "square", "footway", "path", "cycleway", "place", "residential")
_CITY_KEYS = ("city", "town", "village", "municipality", "hamlet", "suburb")


@dataclass(frozen=True)
class Place:
    """One candidate answer of a geocoder."""

    lat: float
    lon: float
    label: str
    street: str = ""
    house_number: str = ""
    city: str = ""
    postcode: str = ""
    #: The OSM class/type ("building/yes", "highway/pedestrian"), when the service says.
    category: str = ""

    @classmethod
    def from_location(cls, location: Location) -> Place:
        raw = location.raw if isinstance(location.raw, dict) else {}
        address = raw.get("address") or {}
        category = "/".join(str(raw[k]) for k in ("class", "type") if raw.get(k))
        return cls(
            lat=float(location.latitude),
            lon=float(location.longitude),
            label=location.address or "",
            street=next((address[k] for k in _STREET_KEYS if address.get(k)), ""),
            house_number=str(address.get("house_number", "")),
            city=next((address[k] for k in _CITY_KEYS if address.get(k)), ""),
            postcode=str(address.get("postcode", "")),
            category=category,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Place:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def point(self) -> tuple[float, float]:
        return self.lat, self.lon


@dataclass(frozen=True)
class GeocodeResult:
    """What a geocoder said about one query, in terms a screen can show."""

    #: ok | ambiguous | not_found | unavailable | rate_limited | error
    status: str
    query: str
    candidates: tuple[Place, ...] = ()
    #: For unavailable/rate_limited/error: offline | timeout | server_error | rate_limited |
    #: forbidden | bad_query | bad_response (i18n key ``geo.error.<error>``).
    error: str = ""
    #: For ambiguous: several | approximate (a street, not the house asked for).
    reason: str = ""
    retry_after_s: float | None = None
    from_cache: bool = False

    @property
    def place(self) -> Place | None:
        """The one place found, only when the answer is unambiguous."""
        return self.candidates[0] if self.status == OK else None

    @property
    def transient(self) -> bool:
        """Worth asking again later (offline, timeout, server trouble, rate limit)."""
        return self.error in TRANSIENT_ERRORS


def build_geocoder(settings: GeocoderSettings) -> Any:
    """A geopy geocoder for the settings (Nominatim or any geopy service taking domain/scheme)."""
    cls = get_geocoder_for_service(settings.provider)
    offered = {
        "domain": settings.domain,
        "scheme": settings.scheme,
        "user_agent": settings.user_agent,
        "timeout": settings.timeout_s,
        "api_key": settings.api_key or None,
        "adapter_factory": _adapter_without_retries,
    }
    accepted = inspect.signature(cls.__init__).parameters
    return cls(**{k: v for k, v in offered.items() if k in accepted and v is not None})


def _adapter_without_retries(*, proxies: Any, ssl_context: Any) -> RequestsAdapter:
    """geopy's requests adapter, minus urllib3's silent retries: they would bypass the rate
    limiter (three requests for one question) and blur a timeout into "unavailable"."""
    return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)


# -- one rate limiter per service and process ---------------------------------------------------

_limiters: dict[str, RateLimiter] = {}
_blocked_until: dict[str, float] = {}
_limit_lock = threading.Lock()


def _invoke(func: Any, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


class _SpacedLimiter(RateLimiter):
    """geopy's limiter spaces the starts of requests: one held up on its way (a busy phone, a slow
    network) could then reach the service less than the delay after the one before. This one counts
    the delay from the end of the previous request, so the service never sees two closer."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        finally:
            with self._lock:
                self._last_call = self._clock()


def shared_limiter(settings: GeocoderSettings) -> RateLimiter:
    """The process-wide limiter of the service's host, with the delay of the settings made last
    (never below the public Nominatim's policy); errors are not retried here: the queue does that."""
    with _limit_lock:
        limiter = _limiters.get(settings.service_host)
        if limiter is None:
            limiter = _SpacedLimiter(
                _invoke, min_delay_seconds=settings.delay_s, max_retries=0, swallow_exceptions=False,
                error_wait_seconds=settings.delay_s,
            )
            _limiters[settings.service_host] = limiter
        limiter.min_delay_seconds = settings.delay_s
        return limiter


def blocked_for(settings: GeocoderSettings) -> float:
    """Seconds until the service may be asked again after a 429 (0 when it may be asked now)."""
    with _limit_lock:
        return max(0.0, _blocked_until.get(settings.service_host, 0.0) - time.monotonic())


def _block(settings: GeocoderSettings, seconds: float) -> None:
    with _limit_lock:
        _blocked_until[settings.service_host] = time.monotonic() + seconds


class Geocoding:
    """Forward and reverse geocoding for one store, with its cache and the service's limits."""

    def __init__(self, store: Store, settings: GeocoderSettings | None = None, *, geocoder: Any = None):
        self.store = store
        self.settings = settings or load_geocoder_settings(store)
        self.geocoder = geocoder if geocoder is not None else build_geocoder(self.settings)
        self.limiter = shared_limiter(self.settings)

    # -- public API ------------------------------------------------------------------------

    def forward(self, query: AddressQuery | str, *, limit: int = 5, use_cache: bool = True) -> GeocodeResult:
        """Candidates for an address; ``ok`` only when exactly one place fits."""
        if isinstance(query, str):
            parsed = AddressQuery.parse(query, self.settings.default_city)
            if parsed is None:
                return GeocodeResult(NOT_FOUND, query)
            query = parsed
        text = query.text()
        key = f"{self.settings.endpoint_key}|fwd|{self.settings.country_codes}|{query.key()}"
        cached = self._cached(key) if use_cache else None
        if cached is not None:
            return _classify(text, query.house_number, cached, from_cache=True)
        kwargs = self._supported(
            self.geocoder.geocode, exactly_one=False, limit=limit, addressdetails=True,
            language=self.settings.language or False, country_codes=self.settings.country_codes or None,
        )
        answer = self._call(text, self.geocoder.geocode, text, **kwargs)
        if isinstance(answer, GeocodeResult):
            return answer
        places = [Place.from_location(location) for location in (answer or [])]
        self._remember(key, "forward", text, places)
        return _classify(text, query.house_number, places)

    def reverse(self, lat: float, lon: float, *, use_cache: bool = True) -> GeocodeResult:
        """The nearest address of a point (e.g. a GPS fix at the door)."""
        check_point(lat, lon)
        text = f"{lat:.6f}, {lon:.6f}"
        key = f"{self.settings.endpoint_key}|rev|{lat:.5f},{lon:.5f}"
        cached = self._cached(key) if use_cache else None
        if cached is not None:
            return _reverse_result(text, cached, from_cache=True)
        kwargs = self._supported(self.geocoder.reverse, exactly_one=True, addressdetails=True,
                                 language=self.settings.language or False)
        answer = self._call(text, self.geocoder.reverse, (lat, lon), **kwargs)
        if isinstance(answer, GeocodeResult):
            return answer
        places = [Place.from_location(answer)] if answer else []
        self._remember(key, "reverse", text, places)
        return _reverse_result(text, places)

    # -- plumbing --------------------------------------------------------------------------

    def _call(self, text: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one request through the limiter; errors become a GeocodeResult."""
        wait = blocked_for(self.settings)
        if wait > 0:
            return GeocodeResult(RATE_LIMITED, text, error="rate_limited", retry_after_s=wait)
        try:
            return self.limiter(func, *args, **kwargs)
        except GeocoderRateLimited as exc:
            seconds = float(exc.retry_after) if exc.retry_after else DEFAULT_RETRY_AFTER_S
            _block(self.settings, seconds)
            return GeocodeResult(RATE_LIMITED, text, error="rate_limited", retry_after_s=seconds)
        except GeocoderTimedOut:
            return GeocodeResult(UNAVAILABLE, text, error="timeout")
        except GeocoderUnavailable:
            return GeocodeResult(UNAVAILABLE, text, error="offline")
        except (GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges, GeocoderQuotaExceeded):
            return GeocodeResult(ERROR, text, error="forbidden")
        except GeocoderQueryError:
            return GeocodeResult(ERROR, text, error="bad_query")
        except GeocoderParseError:
            return GeocodeResult(ERROR, text, error="bad_response")
        except GeocoderServiceError:
            return GeocodeResult(ERROR, text, error="server_error")

    @staticmethod
    def _supported(method: Any, **kwargs: Any) -> dict[str, Any]:
        accepted = inspect.signature(method).parameters
        return {k: v for k, v in kwargs.items() if k in accepted}

    def _cached(self, key: str) -> list[Place] | None:
        with self.store.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT status, results, fetched_at FROM geocode_cache WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        age = NOT_FOUND_CACHE if row[0] == NOT_FOUND else timedelta(days=self.settings.cache_days)
        if row[2] < to_sqlite_datetime(utcnow() - age):
            return None
        return [Place.from_json(item) for item in json.loads(row[1])]

    def _remember(self, key: str, kind: str, text: str, places: list[Place]) -> None:
        status = "found" if places else NOT_FOUND
        with self.store.write() as conn:
            conn.exec_driver_sql(
                "INSERT INTO geocode_cache (key, kind, provider, query, status, results, fetched_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET status = excluded.status, "
                "results = excluded.results, fetched_at = excluded.fetched_at",
                (key, kind, self.settings.endpoint_key, text, status,
                 json.dumps([p.to_json() for p in places], ensure_ascii=False),
                 to_sqlite_datetime(utcnow())),
            )


def prune_cache(store: Store, older_than: timedelta = timedelta(days=90)) -> int:
    """Drop cached answers older than ``older_than``; returns how many went."""
    with store.write() as conn:
        return conn.exec_driver_sql(
            "DELETE FROM geocode_cache WHERE fetched_at < ?", (to_sqlite_datetime(utcnow() - older_than),)
        ).rowcount


def distinct_places(places: list[Place]) -> list[Place]:
    """Candidates without near-duplicates (the first of each cluster is kept)."""
    kept: list[Place] = []
    for place in places:
        if all(fast_distance_m(place.point, other.point) > SAME_PLACE_M for other in kept):
            kept.append(place)
    return kept


def _classify(
    text: str, house_number: str, places: list[Place], *, from_cache: bool = False
) -> GeocodeResult:
    if not places:
        return GeocodeResult(NOT_FOUND, text, from_cache=from_cache)
    distinct = distinct_places(places)
    if house_number:
        matching = [p for p in distinct if same_house_number(p.house_number, house_number)]
        if len(matching) == 1:
            return GeocodeResult(OK, text, (matching[0],), from_cache=from_cache)
        reason = "several" if matching else "approximate"
        shown = tuple(matching or distinct)
        return GeocodeResult(AMBIGUOUS, text, shown, reason=reason, from_cache=from_cache)
    if len(distinct) == 1:
        return GeocodeResult(OK, text, (distinct[0],), from_cache=from_cache)
    return GeocodeResult(AMBIGUOUS, text, tuple(distinct), reason="several", from_cache=from_cache)


def _reverse_result(text: str, places: list[Place], *, from_cache: bool = False) -> GeocodeResult:
    if not places:
        return GeocodeResult(NOT_FOUND, text, from_cache=from_cache)
    return GeocodeResult(OK, text, tuple(places[:1]), from_cache=from_cache)


__all__ = [
    "AMBIGUOUS", "ERROR", "NOT_FOUND", "OK", "RATE_LIMITED", "UNAVAILABLE",
    "GeocodeResult", "Geocoding", "Place", "blocked_for", "build_geocoder", "distinct_places",
    "prune_cache", "shared_limiter",
]
