"""Where geocoding and map tiles come from, kept in the store's ``meta`` table.

Defaults follow the OpenStreetMap Foundation's usage policies: the public Nominatim is asked at
most once a second with an identifying user agent, and the public tile server is named with one
too. A city that runs its own Nominatim or tile server (or an offline MBTiles file served on the
device, see ``fieldapp.geo.tiles``) sets its address here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any
from urllib.parse import urlsplit

from geopy.geocoders import SERVICE_TO_GEOCODER

from fieldapp.errors import FieldError, ValidationFailed
from fieldapp.store import Store

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
#: The public Nominatim allows one request a second per application.
PUBLIC_NOMINATIM_DELAY_S = 1.0
DEFAULT_USER_AGENT = "Teren/0.1 (offline-first field app for community animators in Poland)"
#: flet-map prefixes "flutter_map | ©" itself.
OSM_ATTRIBUTION = "OpenStreetMap contributors"
#: User agents geopy refuses for the public Nominatim (samples from docs); ours must differ.
_SAMPLE_AGENTS = {"my-application", "my_app/1", "my_user_agent/1.0", "specify_your_app_name_here"}

GEOCODER_META_KEY = "geo.geocoder"
TILES_META_KEY = "geo.tiles"


@dataclass(frozen=True)
class GeocoderSettings:
    provider: str = "nominatim"
    #: Host (and optional path) of the service: "nominatim.openstreetmap.org", "geo.lodz.pl/nominatim".
    domain: str = PUBLIC_NOMINATIM
    scheme: str = "https"
    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: float = 10.0
    #: Minimum seconds between requests; None = the provider's policy (1 s for public Nominatim).
    min_delay_s: float | None = None
    country_codes: str = "pl"
    language: str = "pl"
    #: Added to addresses typed without a city ("Łódź" for a team working in Łódź).
    default_city: str = ""
    #: For providers that need a key (not Nominatim).
    api_key: str = ""
    #: How long an answer stays in the cache (days); "no such address" answers stay one day.
    cache_days: int = 90

    @classmethod
    def from_base_url(cls, url: str, **other: Any) -> GeocoderSettings:
        """Settings for a Nominatim at ``url`` ("https://geo.example.pl/nominatim/")."""
        parts = urlsplit(url.strip())
        domain = (parts.netloc + parts.path).strip("/")
        return cls(domain=domain, scheme=parts.scheme or "https", **other)

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.domain}"

    @property
    def host(self) -> str:
        """The service's host as DNS reads it, however spelt: case-folded (IDNA, as requests sends
        it), without trailing dots ("Nominatim.OpenStreetMap.org." is "nominatim.openstreetmap.org")."""
        host = (urlsplit(f"{self.scheme}://{self.domain.strip()}").hostname or "").rstrip(".")
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return host.lower()

    @property
    def service_host(self) -> str:
        """The host, with the port unless it is the scheme's default: the service however spelt, the
        key of its rate limit (providers' limits are per host)."""
        try:
            port = urlsplit(f"{self.scheme}://{self.domain.strip()}").port
        except ValueError:  # not a port number: no request can reach such a service
            port = None
        if port in (None, {"http": 80, "https": 443}.get(self.scheme)):
            return self.host
        return f"[{self.host}]:{port}" if ":" in self.host else f"{self.host}:{port}"

    @property
    def is_public_nominatim(self) -> bool:
        """Whether this is the public Nominatim (on any port: its policy is per host)."""
        return self.provider == "nominatim" and self.host == PUBLIC_NOMINATIM

    @property
    def delay_s(self) -> float:
        """The effective minimum delay: never below the public service's policy."""
        floor = PUBLIC_NOMINATIM_DELAY_S if self.is_public_nominatim else 0.0
        return max(floor, self.min_delay_s if self.min_delay_s is not None else floor)

    @property
    def endpoint_key(self) -> str:
        """Identifies the service's endpoint in the answer cache."""
        return f"{self.provider}:{self.scheme}://{self.domain.lower()}"

    def errors(self) -> list[FieldError]:
        """What is wrong with these settings (``error.<code>`` i18n keys)."""
        found: list[FieldError] = []
        if self.provider not in SERVICE_TO_GEOCODER:
            found.append(FieldError("provider", "geo_provider_unknown", {"provider": self.provider}))
        if not self.domain or " " in self.domain:
            found.append(FieldError("domain", "geo_domain_invalid"))
        if self.scheme not in ("http", "https"):
            found.append(FieldError("scheme", "geo_scheme_invalid"))
        agent = self.user_agent.strip()
        if not agent or agent.lower() in _SAMPLE_AGENTS or agent.startswith("geopy/"):
            found.append(FieldError("user_agent", "geo_user_agent_required"))
        if not self.timeout_s or self.timeout_s <= 0:
            found.append(FieldError("timeout_s", "geo_timeout_invalid"))
        if self.min_delay_s is not None and self.min_delay_s < 0:
            found.append(FieldError("min_delay_s", "geo_delay_invalid"))
        return found


@dataclass(frozen=True)
class TileSettings:
    #: XYZ template of a tile server the coordinator set up (e.g. the city's own); empty: none. The
    #: app fetches nothing from a public server unasked: offline it serves the area's MBTiles file
    #: (``geo.tiles.install_area_map``), and without tiles it draws a schematic map.
    url_template: str = ""
    #: Sent as the User-Agent on mobile/desktop (browsers send their own).
    user_agent_package_name: str = "pl.teren.app"
    attribution: str = OSM_ATTRIBUTION
    max_native_zoom: int = 19
    #: Seconds to wait for one probe tile before falling back to the list.
    probe_timeout_s: float = 4.0

    def errors(self) -> list[FieldError]:
        template = self.url_template.strip()
        if not template:
            return []
        if not template.startswith(("http://", "https://")) or not all(
            part in template for part in ("{z}", "{x}", "{y}")
        ):
            return [FieldError("url_template", "geo_tile_url_invalid")]
        return []


def load_geocoder_settings(store: Store) -> GeocoderSettings:
    return _load(store, GEOCODER_META_KEY, GeocoderSettings)


def save_geocoder_settings(store: Store, settings: GeocoderSettings) -> None:
    _save(store, GEOCODER_META_KEY, settings)


def load_tile_settings(store: Store) -> TileSettings:
    return _load(store, TILES_META_KEY, TileSettings)


def save_tile_settings(store: Store, settings: TileSettings) -> None:
    _save(store, TILES_META_KEY, settings)


def _load(store: Store, key: str, kind: type) -> Any:
    text = store.meta(key)
    if not text:
        return kind()
    known = {f.name for f in fields(kind)}
    stored = {name: value for name, value in json.loads(text).items() if name in known}
    return replace(kind(), **stored)


def _save(store: Store, key: str, settings: Any) -> None:
    problems = settings.errors()
    if problems:
        raise ValidationFailed(problems)
    store.set_meta(key, json.dumps(asdict(settings), ensure_ascii=False))
