"""The network graph of a zone, best-connected and isolated people, and the drawing layout."""

from __future__ import annotations

import random
from datetime import date

import pytest

from fieldapp.cooperation import (
    NetworkGraph,
    Node,
    best_connected,
    isolated,
    layout,
    network_graph,
    who_to_invite,
)
from fieldapp.model import Contact
from fieldapp.model.base import utcnow
from fieldapp.services.cooperation import (
    create_group,
    create_meeting,
    create_partnership,
    end_membership,
    erase_person_links,
    group_members,
    link_action,
)
from fieldapp.store import Store
from tests.cooperation.helpers import action, contact, visit, zone


@pytest.fixture
def town(store: Store) -> dict[str, str]:
    """A small, hand-made network; names → ids."""
    a, b = zone(store, "Bałuty"), zone(store, "Widzew")
    ids: dict[str, str] = {"zone_a": a.id, "zone_b": b.id}
    for name, kind, zone_id in [
        ("Ala", "resident", a.id),
        ("Ola", "resident", a.id),
        ("Ela", "leader", a.id),
        ("Jan", "resident", a.id),
        ("Kasia", "resident", a.id),
        ("Piotr", "resident", a.id),
        ("Ewa", "resident", a.id),
        ("Biblioteka", "culture", a.id),
        ("Stowarzyszenie", "ngo", a.id),
        ("Urząd Miasta", "local_government", None),
        ("Zofia", "resident", b.id),
        ("Klub", "ngo", b.id),
        ("Dom Kultury", "culture", b.id),
    ]:
        ids[name] = contact(store, name, kind, zone_id=zone_id, do_not_knock=(name == "Piotr")).id
    group = create_group(
        store,
        {"zone_id": a.id, "name": "Ogród", "theme": "ogród"},
        member_ids=[ids["Ala"], ids["Ola"], ids["Ela"], ids["Ewa"]],
    )
    ids["Ogród"] = group.id
    end_membership(store, next(m.id for m in group_members(store, group.id) if m.contact_id == ids["Ela"]))
    create_partnership(
        store,
        {"zone_id": a.id, "name": "Razem"},
        partners=[{"contact_id": ids[n]} for n in ("Biblioteka", "Stowarzyszenie", "Urząd Miasta")],
    )
    create_partnership(
        store,
        {"zone_id": b.id, "name": "Widzew razem"},
        partners=[{"contact_id": ids["Klub"]}, {"contact_id": ids["Dom Kultury"]}],
    )
    create_meeting(
        store,
        {"zone_id": a.id, "topic": "M1", "held_on": "2025-04-01"},
        organiser_ids=[ids["Biblioteka"]],
        attendee_ids=[ids["Ala"], ids["Ela"], ids["Ewa"]],
    )
    create_meeting(store, {"topic": "M2", "held_on": "2025-04-02"}, attendee_ids=[ids["Ala"], ids["Zofia"]])
    create_meeting(
        store,
        {"zone_id": b.id, "topic": "M3", "held_on": "2025-04-03"},
        attendee_ids=[ids["Zofia"], ids["Klub"]],
    )
    done = action(
        store, "Festyn", zone_id=a.id, status="done", organiser_ids=[ids["Ola"], ids["Stowarzyszenie"]]
    )
    link_action(store, group.id, done.id)
    action(store, "Porzucone", zone_id=a.id, status="dropped", organiser_ids=[ids["Ala"], ids["Jan"]])
    visit(store, ids["Jan"], date(2025, 2, 2))
    with store.write() as conn:
        ewa = store.get(Contact, ids["Ewa"])
        ewa.erased_at, ewa.name = utcnow(), ""
        store.save(conn, ewa, ["erased_at", "name"])
        erase_person_links(conn, store, ewa.id)
    return ids


EXPECTED_ZONE_A = {
    ("Ala", "Ogród"): {"member": 1},
    ("Ola", "Ogród"): {"member": 1, "co_organised": 1},
    ("Biblioteka", "Stowarzyszenie"): {"partner": 1},
    ("Biblioteka", "Urząd Miasta"): {"partner": 1},
    ("Stowarzyszenie", "Urząd Miasta"): {"partner": 1},
    ("Ala", "Biblioteka"): {"met": 1},
    ("Biblioteka", "Ela"): {"met": 1},
    ("Ala", "Ela"): {"met": 1},
    ("Ala", "Zofia"): {"met": 1},
    ("Ola", "Stowarzyszenie"): {"co_organised": 1},
    ("Ogród", "Stowarzyszenie"): {"co_organised": 1},
}


def _named_edges(graph: NetworkGraph, ids: dict[str, str]) -> dict[tuple[str, str], dict[str, int]]:
    name = {v: k for k, v in ids.items()}
    return {tuple(sorted((name[a], name[b]))): dict(e.kinds) for (a, b), e in graph.edges.items()}


def test_zone_graph_links_members_partners_organisers_and_meetings(
    store: Store, town: dict[str, str]
) -> None:
    graph = network_graph(store, town["zone_a"])
    assert _named_edges(graph, town) == {tuple(sorted(k)): v for k, v in EXPECTED_ZONE_A.items()}
    names = {n.label for n in graph.nodes.values()}
    assert names == {
        "Ala",
        "Ola",
        "Ela",
        "Jan",
        "Kasia",
        "Piotr",
        "Biblioteka",
        "Stowarzyszenie",
        "Urząd Miasta",
        "Zofia",
        "Ogród",
    }  # Ewa erased; zone B's own network stays out
    assert graph.nodes[town["Ogród"]].kind == "group" and graph.nodes[town["Ala"]].kind == "person"

    ranked = best_connected(graph)
    assert [(c.node.label, c.degree, c.weight) for c in ranked] == [
        ("Ala", 4, 4),
        ("Ola", 2, 3),
        ("Ela", 2, 2),
        ("Zofia", 1, 1),
    ]
    assert [c.node.label for c in best_connected(graph, kinds=["organisation"], limit=1)] == ["Biblioteka"]
    assert [n.label for n in isolated(graph)] == ["Jan", "Kasia", "Piotr"]
    invite = who_to_invite(store, graph)
    assert [i.contact.name for i in invite] == ["Jan", "Kasia"]  # met at the door first; Piotr: do not knock
    assert invite[0].last_step_on == date(2025, 2, 2)

    everything = network_graph(store)
    assert ("Dom Kultury", "Klub") in _named_edges(everything, town)
    assert _named_edges(everything, town)[("Klub", "Zofia")] == {"met": 1}


def test_layout_is_deterministic_and_readable(store: Store, town: dict[str, str]) -> None:
    graph = network_graph(store, town["zone_a"])
    first = layout(graph)
    again = layout(network_graph(store, town["zone_a"]))
    reordered = NetworkGraph(dict(reversed(graph.nodes.items())), dict(reversed(graph.edges.items())))
    assert first == again == layout(reordered)
    assert set(first) == set(graph.nodes)
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())
    assert len({(round(x, 4), round(y, 4)) for x, y in first.values()}) == len(first)
    lonely = {n.id for n in isolated(graph)}
    assert min(first[n][1] for n in lonely) > max(y for n, (_, y) in first.items() if n not in lonely)
    wide = layout(graph, aspect=2.0)
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in wide.values())


def test_layout_of_a_larger_random_network_keeps_linked_nodes_closer() -> None:
    rng = random.Random(3)
    graph = NetworkGraph()
    for i in range(120):
        graph.nodes[f"n{i:03d}"] = Node(f"n{i:03d}", "person", f"P{i}")
    for _ in range(200):
        a, b = rng.sample(sorted(graph.nodes), 2)
        graph.link(a, b, "met")
    points = layout(graph)
    assert layout(graph) == points

    def dist(a: str, b: str) -> float:
        (ax, ay), (bx, by) = points[a], points[b]
        return ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5

    linked = [dist(a, b) for a, b in graph.edges]
    names = sorted(graph.nodes)
    pairs = [tuple(rng.sample(names, 2)) for _ in range(500)]
    unlinked = [dist(a, b) for a, b in pairs if (min(a, b), max(a, b)) not in graph.edges]
    assert sum(linked) / len(linked) < 0.7 * sum(unlinked) / len(unlinked)
