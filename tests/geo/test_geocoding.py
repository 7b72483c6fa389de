"""The real geopy code path (Nominatim geocoder, requests adapter, RateLimiter) against a loopback
server speaking Nominatim's JSON: forward, reverse, nothing found, server error, timeout, 429 and
the 1 request/s limit, plus the cache in the store."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.geo.address import AddressQuery
from fieldapp.geo.geocoding import Geocoding, blocked_for, build_geocoder, prune_cache
from fieldapp.geo.settings import (
    DEFAULT_USER_AGENT,
    GeocoderSettings,
    load_geocoder_settings,
    save_geocoder_settings,
)
from fieldapp.store import Store
from tests.geo import lodz
from tests.geo.conftest import settings_for
from tests.geo.fake_nominatim import FakeNominatim, free_port


def test_forward_finds_the_building(geocoding: Geocoding, nominatim: FakeNominatim) -> None:
    result = geocoding.forward("ul. Piotrkowska 72, Łódź")
    assert result.status == "ok" and not result.from_cache
    place = result.place
    assert place is not None
    assert place.point == pytest.approx(lodz.PIOTRKOWSKA_72, abs=1e-6)
    assert (place.street, place.house_number, place.city) == ("Piotrkowska", "72", "Łódź")
    assert place.postcode == "90-102"
    assert place.label.startswith("72, Piotrkowska") and place.category == "building/yes"
    hit = nominatim.hits[-1]
    assert hit.path == "/search"
    assert hit.params["q"] == "Piotrkowska 72, Łódź"
    assert hit.params["format"] == "json" and hit.params["addressdetails"] == "1"
    assert hit.params["countrycodes"] == "pl" and hit.params["accept-language"] == "pl"
    assert hit.user_agent == DEFAULT_USER_AGENT


def test_answers_are_cached_in_the_store(store: Store, nominatim: FakeNominatim) -> None:
    first = Geocoding(store, settings_for(nominatim)).forward("Piotrkowska 72, Łódź")
    # Another instance (another screen, or after a restart) reads the same cache.
    again = Geocoding(store, settings_for(nominatim)).forward("PIOTRKOWSKA  72,  lodz")
    assert len(nominatim.hits) == 1
    assert again.from_cache and again.place == first.place
    assert prune_cache(store, older_than=timedelta(0)) == 1
    Geocoding(store, settings_for(nominatim)).forward("Piotrkowska 72, Łódź")
    assert len(nominatim.hits) == 2


def test_the_same_address_in_two_cities_is_ambiguous(geocoding: Geocoding) -> None:
    result = geocoding.forward("Kościuszki 5")
    assert result.status == "ambiguous" and result.reason == "several"
    assert {c.city for c in result.candidates} == {"Łódź", "Kraków"}
    assert result.place is None  # never a silent guess
    assert geocoding.forward("Kościuszki 5, Łódź").status == "ok"


def test_a_street_without_the_house_is_only_a_candidate(geocoding: Geocoding) -> None:
    result = geocoding.forward("Piotrkowska 999, Łódź")
    assert result.status == "ambiguous" and result.reason == "approximate"
    assert [c.house_number for c in result.candidates] == [""]
    assert result.candidates[0].category == "highway/pedestrian"


def test_nothing_found(geocoding: Geocoding, nominatim: FakeNominatim) -> None:
    result = geocoding.forward("Nieistniejąca 1, Łódź")
    assert result.status == "not_found" and result.candidates == ()
    assert geocoding.forward("Nieistniejąca 1, Łódź").from_cache
    assert len(nominatim.hits) == 1
    assert geocoding.forward("   ").status == "not_found"


def test_default_city_completes_a_bare_street(store: Store, nominatim: FakeNominatim) -> None:
    geocoding = Geocoding(store, settings_for(nominatim, default_city="Łódź"))
    assert geocoding.forward("Kościuszki 5").status == "ok"
    assert nominatim.hits[-1].params["q"] == "Kościuszki 5, Łódź"


def test_reverse_gives_the_nearest_address(geocoding: Geocoding, nominatim: FakeNominatim) -> None:
    lat, lon = lodz.TRAUGUTTA_3
    result = geocoding.reverse(lat + 0.0001, lon)  # GPS 11 m off, as at a door
    assert result.status == "ok"
    assert (result.place.street, result.place.house_number) == ("Romualda Traugutta", "3")
    assert nominatim.hits[-1].path == "/reverse"
    assert float(nominatim.hits[-1].params["lat"]) == pytest.approx(lat + 0.0001)
    assert geocoding.reverse(lat + 0.0001, lon).from_cache


def test_reverse_with_nothing_nearby(geocoding: Geocoding) -> None:
    assert geocoding.reverse(*lodz.MANUFAKTURA).status == "not_found"
    with pytest.raises(ValueError):
        geocoding.reverse(100.0, 0.0)


def test_server_error_is_reported_not_cached(geocoding: Geocoding, nominatim: FakeNominatim) -> None:
    nominatim.mode = "error"
    result = geocoding.forward("Piotrkowska 72, Łódź")
    assert (result.status, result.error, result.transient) == ("error", "server_error", True)
    nominatim.mode = "normal"
    assert geocoding.forward("Piotrkowska 72, Łódź").status == "ok"


def test_timeout(store: Store, nominatim: FakeNominatim) -> None:
    nominatim.mode, nominatim.slow_s = "slow", 1.5
    result = Geocoding(store, settings_for(nominatim, timeout_s=0.3)).forward("Piotrkowska 72, Łódź")
    assert (result.status, result.error, result.transient) == ("unavailable", "timeout", True)


def test_offline(store: Store) -> None:
    down = FakeNominatim(port=free_port())  # nothing listens there
    result = Geocoding(store, settings_for(down)).forward("Piotrkowska 72, Łódź")
    assert (result.status, result.error, result.transient) == ("unavailable", "offline", True)


def test_http_429_blocks_the_service_for_retry_after(store: Store, nominatim: FakeNominatim) -> None:
    nominatim.mode, nominatim.retry_after = "rate_limited", 30
    geocoding = Geocoding(store, settings_for(nominatim))
    result = geocoding.forward("Piotrkowska 72, Łódź")
    assert (result.status, result.error, result.retry_after_s) == ("rate_limited", "rate_limited", 30)
    assert 25 < blocked_for(geocoding.settings) <= 30
    nominatim.mode = "normal"
    # Still blocked: the service is not asked again before Retry-After is over.
    again = Geocoding(store, settings_for(nominatim)).reverse(*lodz.PIOTRKOWSKA_72)
    assert again.status == "rate_limited" and len(nominatim.hits) == 1


def test_one_request_per_second_across_screens(store: Store, nominatim: FakeNominatim) -> None:
    settings = settings_for(nominatim, min_delay_s=1.0)
    screen, background = Geocoding(store, settings), Geocoding(store, settings)
    screen.forward("Piotrkowska 72, Łódź")
    background.forward("Traugutta 3, Łódź")
    screen.reverse(*lodz.MONIUSZKI_4)
    times = [hit.at for hit in nominatim.hits]
    assert len(times) == 3
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))


def test_public_nominatim_policy_is_enforced() -> None:
    public = GeocoderSettings()
    assert public.is_public_nominatim and public.delay_s == 1.0
    assert GeocoderSettings(min_delay_s=0.1).delay_s == 1.0
    own = GeocoderSettings.from_base_url("https://geo.lodz.example/nominatim/")
    assert (own.domain, own.scheme, own.delay_s) == ("geo.lodz.example/nominatim", "https", 0.0)
    assert [e.code for e in GeocoderSettings(user_agent="my-application").errors()] == [
        "geo_user_agent_required"
    ]


def test_self_hosted_nominatim_under_a_path(store: Store, nominatim: FakeNominatim) -> None:
    settings = GeocoderSettings.from_base_url(f"http://{nominatim.domain}/nominatim", min_delay_s=0.0)
    assert Geocoding(store, settings).forward("Piotrkowska 72, Łódź").status == "ok"
    assert nominatim.hits[-1].path == "/nominatim/search"


def test_settings_round_trip_and_validation(store: Store) -> None:
    assert load_geocoder_settings(store) == GeocoderSettings()
    own = GeocoderSettings.from_base_url("http://10.0.0.5:8080", default_city="Łódź")
    save_geocoder_settings(store, own)
    assert load_geocoder_settings(store) == own
    with pytest.raises(ValidationFailed) as failed:
        save_geocoder_settings(store, GeocoderSettings(provider="nope", scheme="ftp"))
    assert {e.code for e in failed.value.errors} == {"geo_provider_unknown", "geo_scheme_invalid"}


@pytest.mark.parametrize(
    "typed, street, house, city",
    [
        ("ul. Piotrkowska 72/4, 90-102 Łódź", "Piotrkowska", "72", "Łódź"),
        ("al. Kościuszki 10 m. 5", "aleja Kościuszki", "10", ""),
        ("6 Sierpnia 5", "6 Sierpnia", "5", ""),
        ("Rewolucji 1905 r. 10a, Łódź", "Rewolucji 1905 r.", "10a", "Łódź"),
        ("Plac Wolności", "plac Wolności", "", ""),
    ],
)
def test_typed_addresses_are_read(typed: str, street: str, house: str, city: str) -> None:
    query = AddressQuery.parse(typed)
    assert (query.street, query.house_number, query.city) == (street, house, city)


PUBLIC_SPELLINGS = (
    "nominatim.openstreetmap.org",
    "nominatim.openstreetmap.org:443",
    "nominatim.openstreetmap.org.",
    "Nominatim.OpenStreetMap.ORG",
    "NOMINATIM.openstreetmap.org.:443/",
)


def test_public_nominatim_however_spelt_keeps_one_request_a_second(
    store: Store, nominatim: FakeNominatim
) -> None:
    for domain in PUBLIC_SPELLINGS:
        spelt = GeocoderSettings(domain=domain, min_delay_s=0.0)
        assert spelt.is_public_nominatim and spelt.delay_s == 1.0, domain
        assert spelt.service_host == "nominatim.openstreetmap.org", domain
    # The requests go to the loopback fake (never the public service); the limiter is the one
    # the settings naming the public host get, whichever way they spell it.
    fake = build_geocoder(settings_for(nominatim))
    for domain, address in zip(PUBLIC_SPELLINGS[1:4], ("Piotrkowska 72", "Traugutta 3", "Moniuszki 4"),
                               strict=True):
        settings = GeocoderSettings(domain=domain, min_delay_s=0.0, timeout_s=2.0)
        assert Geocoding(store, settings, geocoder=fake).forward(f"{address}, Łódź").status == "ok"
    times = [hit.at for hit in nominatim.hits]
    assert len(times) == 3
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))


def test_a_self_hosted_service_keeps_its_own_limit_per_host_and_port() -> None:
    own = GeocoderSettings.from_base_url("http://Geo.Lodz.Example.:80/nominatim")
    assert (own.service_host, own.is_public_nominatim) == ("geo.lodz.example", False)
    other_port = GeocoderSettings.from_base_url("http://geo.lodz.example:8080")
    assert other_port.service_host == "geo.lodz.example:8080"
