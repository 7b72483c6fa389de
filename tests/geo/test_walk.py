"""Walk lists: route quality against the brute-force optimum and random orders, and the doors of a
zone with the ones to skip today."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest

from fieldapp.geo.distance import LocalFrame, Point, geodesic_m
from fieldapp.geo.route import order_route, route_length_m
from fieldapp.geo.walk import address_door, build_walk_list, plan_walk
from fieldapp.model import Contact, Visit, Zone, utcnow
from fieldapp.store import Store
from tests.geo import lodz


def random_points(rng: random.Random, n: int) -> list[Point]:
    """Doors spread over central Łódź (about 2 × 2 km)."""
    return [(51.755 + rng.random() * 0.018, 19.445 + rng.random() * 0.03) for _ in range(n)]


def brute_force_m(points: list[Point], start: Point | None) -> float:
    """The shortest walk through all points, trying every order (geodesic distances)."""
    nodes = [*points, *([start] if start else [])]
    dist = [[geodesic_m(a, b) for b in nodes] for a in nodes]
    s = len(points)
    best = float("inf")
    for perm in itertools.permutations(range(len(points))):
        total = dist[s][perm[0]] if start else 0.0
        for a, b in itertools.pairwise(perm):
            total += dist[a][b]
            if total >= best:
                break
        best = min(best, total)
    return best


@pytest.mark.parametrize("seed", range(24))
def test_small_walks_are_within_10_percent_of_the_optimum(seed: int) -> None:
    rng = random.Random(seed)
    with_start = seed % 2 == 0
    doors = random_points(rng, 3 + seed % 6 if with_start else 4 + seed % 6)  # ≤ 9 points in all
    start = random_points(rng, 1)[0] if with_start else None
    order = order_route(doors, start)
    assert sorted(order) == list(range(len(doors)))
    assert route_length_m(doors, order, start) <= 1.10 * brute_force_m(doors, start)


def test_piotrkowska_doors_from_plac_wolnosci() -> None:
    doors = list(lodz.DOORS.values())[:8]
    order = order_route(doors, lodz.PLAC_WOLNOSCI)
    length = route_length_m(doors, order, lodz.PLAC_WOLNOSCI)
    assert length <= 1.10 * brute_force_m(doors, lodz.PLAC_WOLNOSCI)
    # From the north end the walk starts at the northern doors.
    assert [list(lodz.DOORS)[i] for i in order[:2]] == ["Zielona 2", "Więckowskiego 4"]


def test_200_doors_beat_random_orders_by_far() -> None:
    rng = random.Random(200)
    doors = random_points(rng, 200)
    start = lodz.PIOTRKOWSKA_104
    frame = LocalFrame.for_points([*doors, start])
    planned = route_length_m(doors, order_route(doors, start), start, frame.distance_m)
    randoms = []
    for _ in range(5):
        shuffled = list(range(200))
        rng.shuffle(shuffled)
        randoms.append(route_length_m(doors, shuffled, start, frame.distance_m))
    assert planned < 0.2 * min(randoms)
    # A good open path through 200 uniform points in this area is ~ 0.7·sqrt(n·A) ≈ 26 km at most.
    assert planned < 30_000


def test_local_metric_matches_geodesic_over_a_route() -> None:
    rng = random.Random(7)
    doors = random_points(rng, 60)
    order = order_route(doors, lodz.PLAC_WOLNOSCI)
    frame = LocalFrame.for_points([*doors, lodz.PLAC_WOLNOSCI])
    flat = route_length_m(doors, order, lodz.PLAC_WOLNOSCI, frame.distance_m)
    exact = route_length_m(doors, order, lodz.PLAC_WOLNOSCI)
    assert abs(flat - exact) / exact < 0.002


def test_order_is_deterministic_and_handles_tiny_inputs() -> None:
    rng = random.Random(11)
    doors = random_points(rng, 40)
    assert order_route(doors, lodz.EC1) == order_route(doors, lodz.EC1)
    assert order_route([], lodz.EC1) == [] and order_route([lodz.EC1]) == [0]
    assert sorted(order_route([lodz.EC1, lodz.EC1, lodz.EC1])) == [0, 1, 2]  # same building thrice


# -- the zone's doors ---------------------------------------------------------------------------


def add(store: Store, *records) -> None:
    with store.write() as conn:
        for record in records:
            store.save(conn, record)


def person(name: str, street: str, house: str, point: Point | None, zone: Zone | None, **fields) -> Contact:
    lat, lon = point if point else (None, None)
    return Contact(kind=fields.pop("kind", "resident"), name=name, street=street, house_number=house,
                   city="Łódź", lat=lat, lon=lon, zone_id=zone.id if zone else None, **fields)


@pytest.fixture
def zone(store: Store) -> Zone:
    (lat, lon), radius = lodz.CITY_HALL_CIRCLE
    zone = Zone(name="SAS Śródmieście", center_lat=lat, center_lon=lon, radius_m=radius)
    add(store, zone)
    return zone


def test_walk_list_of_a_zone(store: Store, zone: Zone) -> None:
    now = utcnow()
    flat3 = person("Ala", "Piotrkowska", "104", lodz.PIOTRKOWSKA_104, zone, flat="3")
    flat5 = person("Ola", "Piotrkowska", "104", lodz.PIOTRKOWSKA_104, zone, flat="5")
    grand = person("Jan", "Piotrkowska", "72", lodz.PIOTRKOWSKA_72, zone)
    no_knock = person("Ewa", "Traugutta", "3", lodz.TRAUGUTTA_3, zone, do_not_knock=True)
    seen_today = person("Piotr", "Moniuszki", "4", lodz.MONIUSZKI_4, zone)
    seen_yesterday = person("Zofia", "Tuwima", "10", lodz.TUWIMA_10, zone, flat="1")
    tuwima_flat2 = person("Adam", "Tuwima", "10", lodz.TUWIMA_10, zone, flat="2")
    told_off = person("Olga", "6 Sierpnia", "5", lodz.SZESCIU_SIERPNIA_5, zone)
    pending = person("Kasia", "Nawrot", "2", None, zone, position_status="pending")
    loose = person("Bez strefy", "Nawrot", "2", lodz.NAWROT_2, None)  # no zone yet, inside the circle
    elsewhere = person("Daleko", "Ogrodowa", "17", lodz.MANUFAKTURA, None)
    ngo = person("Fundacja", "Piotrkowska", "72", lodz.PIOTRKOWSKA_72, zone, kind="ngo")
    add(store, flat3, flat5, grand, no_knock, seen_today, seen_yesterday, tuwima_flat2, told_off, pending,
        loose, elsewhere, ngo)
    add(
        store,
        Visit(outcome="talked", contact_id=seen_today.id, visited_at=now),
        Visit(outcome="not_home", contact_id=seen_yesterday.id, visited_at=now - timedelta(days=1)),
        Visit(outcome="not_home", street="Tuwima", house_number="10", flat="2", visited_at=now),
        Visit(outcome="do_not_knock", address="6 Sierpnia 5", visited_at=now - timedelta(days=30)),
    )

    walk = build_walk_list(store, zone.id, lodz.PIOTRKOWSKA_104, kinds=["resident"])

    labels = [stop.door.label for stop in walk.stops]
    assert sorted(labels) == ["Nawrot 2", "Piotrkowska 104", "Piotrkowska 72", "Tuwima 10"]
    assert labels[0] == "Piotrkowska 104" and walk.stops[0].leg_m < 1  # we stand at the door
    building = walk.stops[0].door
    assert set(building.contact_ids) == {flat3.id, flat5.id} and building.flats == ("3", "5")
    tuwima = next(stop.door for stop in walk.stops if stop.door.label == "Tuwima 10")
    assert tuwima.contact_ids == (seen_yesterday.id,)  # flat 2 was knocked today
    assert {(s.contact_id, s.reason) for s in walk.skipped} == {
        (no_knock.id, "do_not_knock"), (told_off.id, "do_not_knock"),
        (seen_today.id, "visited_today"), (tuwima_flat2.id, "visited_today"),
    }
    assert [c.id for c in walk.unlocated] == [pending.id]
    legs = sum(stop.leg_m for stop in walk.stops)
    assert walk.total_m == pytest.approx(legs)

    nxt = walk.next_door(lodz.PLAC_WOLNOSCI)
    assert nxt.stop.door.label == "Piotrkowska 104" and nxt.remaining == 4
    assert nxt.distance_m == pytest.approx(geodesic_m(lodz.PLAC_WOLNOSCI, lodz.PIOTRKOWSKA_104))
    assert nxt.direction == "s"
    after = walk.next_door(lodz.PIOTRKOWSKA_104, done=[building.key])
    assert after.index == 1 and after.stop.door == walk.stops[1].door and after.remaining == 3
    assert walk.next_door(None, done=[s.door.key for s in walk.stops]) is None


def test_extra_address_doors_join_the_walk(store: Store, zone: Zone) -> None:
    add(store, person("Jan", "Piotrkowska", "72", lodz.PIOTRKOWSKA_72, zone))
    extra = [
        address_door("Moniuszki 4", *lodz.MONIUSZKI_4),
        address_door("ul. Piotrkowska 72", *lodz.PIOTRKOWSKA_72),  # already a contact's door
    ]
    walk = build_walk_list(store, zone.id, None, extra_doors=extra)
    assert sorted(s.door.label for s in walk.stops) == ["Moniuszki 4", "Piotrkowska 72"]


def test_plan_walk_legs_and_bearings() -> None:
    doors = [address_door(name, *point) for name, point in lodz.DOORS.items()]
    stops = plan_walk(doors, lodz.ARCHIKATEDRA)
    assert len(stops) == len(doors) and stops[0].leg_m > 500  # the cathedral is far south
    assert stops[0].direction in {"n", "ne", "nw"}
    with pytest.raises(ValueError):
        plan_walk(doors, (200.0, 0.0))
