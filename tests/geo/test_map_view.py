"""The map screen's data and its builder: markers by kind, the outline, and the list fallback."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import flet_map as ftm
import pytest

from fieldapp.geo.gps import Fix
from fieldapp.geo.mapdata import load_map_data
from fieldapp.geo.settings import TileSettings
from fieldapp.i18n.format import format_date
from fieldapp.model import Contact, Diagnosis, Resource, Visit, Zone, utcnow
from fieldapp.store import Store
from fieldapp.ui.context import UiContext
from fieldapp.ui.map_panel import MapPanel, marker_style
from tests.geo import lodz


def add(store: Store, *records) -> None:
    with store.write() as conn:
        for record in records:
            store.save(conn, record)


@pytest.fixture
def zone(store: Store) -> Zone:
    zone = Zone(name="Piotrkowska", polygon=lodz.PIOTRKOWSKA_CORRIDOR)
    diagnosis = Diagnosis(zone_id=zone.id, title="Diagnoza", period_start=utcnow().date())
    add(
        store, zone, diagnosis,
        Contact(kind="resident", name="Anna", address="Piotrkowska 72", lat=lodz.PIOTRKOWSKA_72[0],
                lon=lodz.PIOTRKOWSKA_72[1], zone_id=zone.id),
        Contact(kind="ngo", name="Fundacja", address="Piotrkowska 104", lat=lodz.PIOTRKOWSKA_104[0],
                lon=lodz.PIOTRKOWSKA_104[1], zone_id=zone.id),
        Contact(kind="resident", name="Daleko", lat=lodz.MANUFAKTURA[0], lon=lodz.MANUFAKTURA[1]),
        Resource(diagnosis_id=diagnosis.id, kind="place", category="material", name="Pasaż Rubinsteina",
                 lat=51.76880, lon=19.45640),
        Visit(outcome="talked", address="Piotrkowska 138", lat=lodz.OFF_PIOTRKOWSKA[0],
              lon=lodz.OFF_PIOTRKOWSKA[1], zone_id=zone.id),
        Visit(outcome="not_home", address="Piotrkowska 138", lat=lodz.OFF_PIOTRKOWSKA[0],
              lon=lodz.OFF_PIOTRKOWSKA[1], visited_at=utcnow() - timedelta(days=90)),
    )
    return zone


def test_map_data_of_a_zone(store: Store, zone: Zone) -> None:
    data = load_map_data(store, zone_id=zone.id)
    assert data.zone_name == "Piotrkowska" and len(data.outline) == 4
    assert sorted((i.record_type, i.label) for i in data.items) == [
        ("contact", "Anna"), ("contact", "Fundacja"), ("resource", "Pasaż Rubinsteina"),
        ("visit", "Piotrkowska 138"),  # the 90-day-old visit is not shown
    ]
    assert not data.origin_is_position
    distances = [i.distance_m for i in data.items]
    assert distances == sorted(distances)


def test_map_data_around_the_user(store: Store, zone: Zone) -> None:
    data = load_map_data(store, position=lodz.MANUFAKTURA, radius_m=300)
    assert [i.label for i in data.items] == ["Daleko"] and data.origin_is_position
    assert data.items[0].distance_m < 1
    empty = load_map_data(store, position=(50.06, 19.94))  # Kraków: nothing there
    assert empty.items == [] and empty.center == (50.06, 19.94)


def ctx_for(store: Store) -> UiContext:
    page = SimpleNamespace(update=lambda: None, web=False, platform="linux")
    return UiContext(page, store)  # type: ignore[arg-type]


def test_panel_draws_markers_by_kind_outline_and_position(store: Store, zone: Zone) -> None:
    tiles = TileSettings(url_template="http://127.0.0.1:9/{z}/{x}/{y}.png")
    panel = MapPanel(ctx_for(store), tiles)
    data = load_map_data(store, zone_id=zone.id, position=lodz.PIOTRKOWSKA_72)
    panel.show(data, tiles_ok=True, position=Fix(*lodz.PIOTRKOWSKA_72, accuracy_m=12))
    semantics = panel.body.content
    assert semantics.identifier == "geo-map"
    the_map = semantics.content
    assert isinstance(the_map, ftm.Map)
    kinds = [type(layer).__name__ for layer in the_map.layers]
    assert kinds == ["TileLayer", "PolygonLayer", "CircleLayer", "MarkerLayer", "SimpleAttribution"]
    assert the_map.layers[0].url_template == tiles.url_template
    markers = the_map.layers[3].markers
    ids = sorted(m.content.identifier for m in markers)
    assert ids == ["marker-contact", "marker-contact", "marker-position", "marker-resource", "marker-visit"]
    labels = {m.content.label for m in markers}
    assert "Mieszkaniec / mieszkanka: Anna" in labels and "Rozmowa: Piotrkowska 138" in labels


def test_panel_draws_a_schematic_without_tiles_and_lists_with_distances(store: Store, zone: Zone) -> None:
    panel = MapPanel(ctx_for(store), TileSettings())
    data = load_map_data(store, zone_id=zone.id, position=lodz.PLAC_WOLNOSCI)
    panel.show(data, tiles_ok=False)
    assert panel.mode == "map" and panel.notice.visible
    [drawing] = panel.body.content.controls
    assert drawing.identifier == "geo-schematic" and "skala" in drawing.label
    panel.mode = "list"
    panel._render()
    listing = panel.body.content
    assert listing.identifier == "geo-map-list"
    rows = listing.content.controls
    # Nearest to Plac Wolności first: the passage at Piotrkowska 71, then Anna at 72.
    assert [row.title.value for row in rows[:2]] == ["Pasaż Rubinsteina", "Anna"]
    assert rows[1].subtitle.value.startswith("955\u00a0m na południe · Mieszkaniec")
    visit = next(row for row in rows if row.title.value == "Piotrkowska 138")
    assert visit.subtitle.value.endswith(" · Rozmowa · " + format_date(utcnow().date(), "pl"))


def test_marker_styles() -> None:
    item = SimpleNamespace(record_type="contact", kind="ngo")
    person = SimpleNamespace(record_type="contact", kind="resident")
    assert marker_style(item)[1] != marker_style(person)[1]  # institutions and people differ
