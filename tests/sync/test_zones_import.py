"""``teren-sync zones import``: a city's four quarters from a GeoJSON file, each with its animator,
reach the team's devices; a knock inside a quarter gets that quarter. Files in another projection,
in latitude-first order or with a boundary crossing itself are refused whole, with a clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldapp.services import contacts, visits, zones
from fieldapp.sync import SyncError
from sync.server import accounts
from sync.server.cli import main
from sync.server.zones_import import import_zones, parse_zones
from tests.sync.conftest import World

#: The inner city split into four equal quarters around (51.770, 19.460): [lon, lat] as in GeoJSON.
W, E, S, N, MID_LON, MID_LAT = 19.440, 19.480, 51.760, 51.780, 19.460, 51.770
QUARTERS = {
    "Północny zachód": [[W, MID_LAT], [MID_LON, MID_LAT], [MID_LON, N], [W, N], [W, MID_LAT]],
    "Północny wschód": [[MID_LON, MID_LAT], [E, MID_LAT], [E, N], [MID_LON, N], [MID_LON, MID_LAT]],
    "Południowy zachód": [[W, S], [MID_LON, S], [MID_LON, MID_LAT], [W, MID_LAT], [W, S]],
    "Południowy wschód": [[MID_LON, S], [E, S], [E, MID_LAT], [MID_LON, MID_LAT], [MID_LON, S]],
}


def collection(rings: dict[str, list[list[float]]], **extra: object) -> str:
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "stage": "diagnosis_done"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for name, ring in rings.items()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features, **extra})


def test_four_quarters_with_their_animators_reach_the_device_and_place_its_knocks(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = world.device()
    names = ["Ania", "Bartek", "Celina", "Darek"]
    ids = [accounts.create_user(world.db, name, "animator", team_id=world.team_a) for name in names]
    path = tmp_path / "quarters.geojson"
    path.write_text(collection(QUARTERS), encoding="utf-8")
    args = ["--db", world.db.url, "zones", "import", str(path), "--team", world.team_a]
    for name in names:
        args += ["--animator", name]
    assert main(args) == 0
    assert "imported 4 zone(s)" in capsys.readouterr().out

    device.engine.sync()
    pulled = {z.name: z for z in zones.list_zones(device.store)}
    assert sorted(pulled) == sorted(QUARTERS)
    assert [pulled[name].workers for name in QUARTERS] == [[i] for i in ids]
    assert pulled["Północny wschód"].stage == "diagnosis_done"
    assert pulled["Północny wschód"].polygon[0] == [MID_LAT, MID_LON]  # stored latitude first

    knock = visits.log_knock(
        device.store, outcome="talked", street="Kilińskiego", house_number="5", lat=51.775, lon=19.470
    )
    assert knock.zone_id == pulled["Północny wschód"].id
    # Without a position the knock takes the zone its street is known in.
    later = visits.log_knock(device.store, outcome="not_home", street="Kilińskiego", house_number="7")
    assert later.zone_id == pulled["Północny wschód"].id


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            collection({"A": [[x * 100_000, y * 100_000] for x, y in QUARTERS["Północny zachód"]]}),
            "no longitude/latitude",
        ),
        (
            collection(
                {"A": QUARTERS["Północny zachód"]},
                crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
            ),
            "is not WGS 84",
        ),
        (collection({"A": [[lat, lon] for lon, lat in QUARTERS["Północny zachód"]]}), "latitude first"),
        (collection({"A": [[W, S], [E, N], [E, S], [W, N], [W, S]]}), "geo_polygon_self_intersecting"),
        (collection({"A": [[W, S], [E, N], [W, S]]}), "three distinct points"),
        ("{not json", "not JSON"),
    ],
)
def test_bad_files_are_refused_whole(world: World, text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_zones(text)
    with pytest.raises(ValueError):
        import_zones(world.db, world.team_a, text)
    device = world.device()  # nothing was written: the team's devices pull no zone
    device.engine.sync()
    assert zones.list_zones(device.store) == []


def test_an_unknown_animator_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="no user of the team named: Zenon"):
        import_zones(world.db, world.team_a, collection({"A": QUARTERS["Północny zachód"]}), ["Zenon"])


def test_a_coordinator_sees_whom_a_zone_can_be_given_to(world: World) -> None:
    """The zone screen's choice of animators: the program's users with a device, for coordinators."""
    animator, coordinator = world.device(), world.device(role="supervisor")
    users = coordinator.engine.program_users()
    assert {(u["id"], u["role"]) for u in users} == {
        (animator.user_id, "animator"),
        (coordinator.user_id, "supervisor"),
    }
    with pytest.raises(SyncError) as refused:
        animator.engine.program_users()
    assert refused.value.code == "forbidden"


def test_a_contact_without_a_position_takes_its_streets_zone(world: World) -> None:
    device = world.device()
    zone = zones.create_zone(device.store, {"name": "Ćwiartka", "kind": "quarter"}).id
    visits.log_knock(device.store, outcome="talked", street="Wschodnia", house_number="3", zone_id=zone)
    ngo = contacts.create_contact(device.store, {"kind": "ngo", "name": "Fundacja", "street": "Wschodnia"})
    assert ngo.zone_id == zone
