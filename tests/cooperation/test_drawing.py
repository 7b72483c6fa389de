"""The network view's drawing: one line per link, one circle per node, all inside the canvas."""

from __future__ import annotations

import flet.canvas as cv

from fieldapp.cooperation import NetworkGraph, Node
from fieldapp.ui.cooperation.network_view import LABELLED_NODES, network_shapes


def _graph(n: int) -> NetworkGraph:
    graph = NetworkGraph()
    for i in range(n):
        graph.nodes[f"c{i:02d}"] = Node(f"c{i:02d}", "person" if i % 3 else "organisation", f"Osoba {i}")
    graph.nodes["g"] = Node("g", "group", "Ogród")
    for i in range(0, n - 1, 2):
        graph.link(f"c{i:02d}", f"c{i + 1:02d}", "met")
        graph.link(f"c{i:02d}", "g", "member")
    return graph


def test_shapes_cover_every_node_and_link_inside_the_canvas() -> None:
    graph = _graph(9)
    shapes = network_shapes(graph, 380, 340)
    lines = [s for s in shapes if isinstance(s, cv.Line)]
    circles = [s for s in shapes if isinstance(s, cv.Circle)]
    names = [s.value for s in shapes if isinstance(s, cv.Text)]
    assert len(lines) == len(graph.edges) and len(circles) == len(graph.nodes)
    assert sorted(names) == sorted(n.label for n in graph.nodes.values())
    assert all(0 <= c.x <= 380 and 0 <= c.y <= 340 for c in circles)
    assert shapes == network_shapes(graph, 380, 340)  # the same picture every time


def test_big_networks_are_drawn_without_names() -> None:
    graph = _graph(LABELLED_NODES + 5)
    assert not [s for s in network_shapes(graph, 800, 500) if isinstance(s, cv.Text)]
