"""Fixtures of the geo tests: a loopback Nominatim and a Geocoding pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fieldapp.geo.geocoding import Geocoding
from fieldapp.geo.settings import GeocoderSettings
from fieldapp.store import Store
from tests.geo.fake_nominatim import FakeNominatim, lodz_gazetteer


@pytest.fixture
def nominatim() -> Iterator[FakeNominatim]:
    server = FakeNominatim(lodz_gazetteer()).start()
    yield server
    server.stop()


def settings_for(server: FakeNominatim, **other) -> GeocoderSettings:
    other.setdefault("timeout_s", 2.0)
    other.setdefault("min_delay_s", 0.0)
    return GeocoderSettings(domain=server.domain, scheme="http", **other)


@pytest.fixture
def geocoding(store: Store, nominatim: FakeNominatim) -> Geocoding:
    return Geocoding(store, settings_for(nominatim))
