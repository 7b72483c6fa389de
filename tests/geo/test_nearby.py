"""Nearby contacts and resources around Piotrkowska, checked against brute-force geodesics."""

from __future__ import annotations

import random
import sqlite3

import pytest

from fieldapp.geo.distance import destination, geodesic_m
from fieldapp.geo.spatial import nearby, rebuild_spatial_index
from fieldapp.model import Contact, Diagnosis, Resource, utcnow
from fieldapp.store import Store, raw
from tests.geo import lodz
from tests.sqlite_build import needs_rtree


def add_contact(store: Store, name: str, point: tuple[float, float] | None, **fields) -> Contact:
    lat, lon = point if point else (None, None)
    contact = Contact(kind=fields.pop("kind", "resident"), name=name, lat=lat, lon=lon, **fields)
    with store.write() as conn:
        store.save(conn, contact)
    return contact


def add_resource(store: Store, name: str, point: tuple[float, float]) -> Resource:
    diagnosis = Diagnosis(zone_id="z", title="Diagnoza", period_start=utcnow().date())
    resource = Resource(diagnosis_id=diagnosis.id, kind="place", category="material", name=name,
                        lat=point[0], lon=point[1])
    with store.write() as conn:
        store.save(conn, diagnosis)
        store.save(conn, resource)
    return resource


@pytest.fixture
def centre(store: Store) -> Store:
    for name, point in lodz.DOORS.items():
        add_contact(store, name, point, address=name)
    add_contact(store, "Manufaktura", lodz.MANUFAKTURA, kind="business")
    add_contact(store, "EC1", lodz.EC1, kind="culture")
    add_contact(store, "No position yet", None)
    add_resource(store, "Sala w Pasażu", lodz.PIOTRKOWSKA_72)
    add_resource(store, "Dworzec", lodz.LODZ_FABRYCZNA)
    return store


def test_contacts_and_resources_within_300_m_of_piotrkowska_72(centre: Store) -> None:
    found = nearby(centre, *lodz.PIOTRKOWSKA_72, 300)
    names = [place.name for place in found]
    # Exactly those a brute-force geodesic check keeps, nearest first.
    expected = sorted(
        ((geodesic_m(lodz.PIOTRKOWSKA_72, p), n) for n, p in [*lodz.DOORS.items(), ("Sala w Pasażu",
         lodz.PIOTRKOWSKA_72), ("EC1", lodz.EC1), ("Manufaktura", lodz.MANUFAKTURA),
         ("Dworzec", lodz.LODZ_FABRYCZNA)] if geodesic_m(lodz.PIOTRKOWSKA_72, p) <= 300)
    )
    assert sorted(names[:2]) == ["Piotrkowska 72", "Sala w Pasażu"]
    assert set(names) == {n for _, n in expected}
    assert {"Traugutta 3", "Moniuszki 4", "Piotrkowska 104"} <= set(names)
    assert "Manufaktura" not in names and "EC1" not in names
    for place in found:
        assert place.distance_m == pytest.approx(geodesic_m(lodz.PIOTRKOWSKA_72, (place.lat, place.lon)),
                                                 rel=1e-4, abs=0.01)
    traugutta = next(p for p in found if p.name == "Traugutta 3")
    assert traugutta.direction == "e" and traugutta.record_type == "contact"
    assert next(p for p in found if p.name == "Sala w Pasażu").record_type == "resource"


def test_filters_by_record_type_and_kind(centre: Store) -> None:
    only_resources = nearby(centre, *lodz.PIOTRKOWSKA_72, 2_000, record_types=["resource"])
    assert [p.name for p in only_resources] == ["Sala w Pasażu", "Dworzec"]
    culture = nearby(centre, *lodz.PIOTRKOWSKA_72, 2_000, kinds=["culture"])
    assert [p.name for p in culture] == ["EC1"]
    assert len(nearby(centre, *lodz.PIOTRKOWSKA_72, 5_000, limit=3)) == 3
    with pytest.raises(ValueError):
        nearby(centre, 95.0, 19.0, 100)
    with pytest.raises(ValueError):
        nearby(centre, *lodz.PIOTRKOWSKA_72, 100, record_types=["visit"])


def test_radius_is_measured_along_the_geodesic(store: Store) -> None:
    for bearing in (0, 77, 180, 260):
        add_contact(store, f"in {bearing}", destination(lodz.PIOTRKOWSKA_104, bearing, 249.95))
        add_contact(store, f"out {bearing}", destination(lodz.PIOTRKOWSKA_104, bearing, 250.05))
    names = {p.name for p in nearby(store, *lodz.PIOTRKOWSKA_104, 250)}
    assert names == {"in 0", "in 77", "in 180", "in 260"}


def test_index_follows_moves_deletions_and_erasure(store: Store) -> None:
    moving = add_contact(store, "Moving", lodz.MANUFAKTURA)
    gone = add_contact(store, "Gone", lodz.PIOTRKOWSKA_72)
    erased = add_contact(store, "Erased", lodz.PIOTRKOWSKA_72)
    assert {p.name for p in nearby(store, *lodz.PIOTRKOWSKA_72, 100)} == {"Gone", "Erased"}
    with store.write() as conn:
        moving.lat, moving.lon = lodz.TRAUGUTTA_3
        store.save(conn, moving, ["lat", "lon"])
        store.delete(conn, gone)
        erased.erased_at, erased.name = utcnow(), ""
        store.save(conn, erased, ["erased_at", "name"])
    assert [p.id for p in nearby(store, *lodz.PIOTRKOWSKA_72, 200)] == [moving.id]
    with store.write() as conn:
        moving.lat = moving.lon = None
        store.save(conn, moving, ["lat", "lon"])
    assert nearby(store, *lodz.PIOTRKOWSKA_72, 200) == []


@needs_rtree
def test_rebuild_after_rowids_change(store: Store) -> None:
    add_contact(store, "Stays", lodz.PIOTRKOWSKA_72)
    with store.write() as conn:
        raw(conn).execute("DELETE FROM geo_contact")
    assert nearby(store, *lodz.PIOTRKOWSKA_72, 50) == []
    rebuild_spatial_index(store)
    assert [p.name for p in nearby(store, *lodz.PIOTRKOWSKA_72, 50)] == ["Stays"]


@needs_rtree
def test_plain_index_fallback_gives_the_same_answers(store: Store) -> None:
    rng = random.Random(3)
    for i in range(300):
        add_contact(store, f"c{i}", (51.755 + rng.random() * 0.025, 19.445 + rng.random() * 0.03))
    with_rtree = [(p.id, round(p.distance_m, 6)) for p in nearby(store, *lodz.PIOTRKOWSKA_104, 700)]
    # As on a SQLite built without R*Tree: migration 0003 then makes a (lat, lon) index instead.
    db = sqlite3.connect(store.path)
    for name in ("insert", "update", "delete"):
        db.execute(f"DROP TRIGGER geo_contact_{name}")
    db.execute("DROP TABLE geo_contact")
    db.execute("CREATE INDEX ix_contact_lat_lon ON contact (lat, lon)")
    db.commit()
    db.close()
    without = [(p.id, round(p.distance_m, 6)) for p in nearby(store, *lodz.PIOTRKOWSKA_104, 700)]
    assert with_rtree == without and len(with_rtree) > 20


def test_wide_radius_stays_exact_at_the_edge(store: Store) -> None:
    for bearing in (0, 90, 180, 270):
        add_contact(store, f"in {bearing}", destination(lodz.PIOTRKOWSKA_104, bearing, 19_990))
        add_contact(store, f"out {bearing}", destination(lodz.PIOTRKOWSKA_104, bearing, 20_010))
    names = {p.name for p in nearby(store, *lodz.PIOTRKOWSKA_104, 20_000)}
    assert names == {"in 0", "in 90", "in 180", "in 270"}
