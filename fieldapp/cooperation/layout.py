"""A deterministic layout for drawing a network graph on a tablet, with no network or tile server.

Each connected part is laid out with a force-directed (Fruchterman–Reingold) pass that starts from
positions fixed by the sorted node ids and runs a fixed number of steps, so the same data always
gives the same picture on every device. Parts are then packed in rows, biggest first; people with
no links at all are lined up in a grid under them (they are the "who to invite next" list).
Coordinates are in ``[0, 1]`` with ``(0, 0)`` at the top left.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from fieldapp.cooperation.graph import NetworkGraph

Point = tuple[float, float]
#: Upper bound of n² × steps per connected part (about a second of pure Python on a phone).
_PAIR_BUDGET = 2_000_000


def components(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected parts, each sorted, biggest first (ties by first id)."""
    adjacency: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b in edges:
        adjacency[a].add(b)
        adjacency[b].add(a)
    seen: set[str] = set()
    parts = []
    for start in sorted(adjacency):
        if start in seen:
            continue
        stack, part = [start], []
        seen.add(start)
        while stack:
            node = stack.pop()
            part.append(node)
            for other in adjacency[node] - seen:
                seen.add(other)
                stack.append(other)
        parts.append(sorted(part))
    parts.sort(key=lambda p: (-len(p), p[0]))
    return parts


def force_layout(
    nodes: list[str], edges: list[tuple[str, str, float]], iterations: int = 80
) -> dict[str, Point]:
    """Positions of one connected part in a unit square (centred), deterministic."""
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.5, 0.5)}
    # The repulsion pass is quadratic: big parts get fewer (still a fixed number of) steps.
    iterations = max(15, min(iterations, _PAIR_BUDGET // (n * n)))
    index = {node: i for i, node in enumerate(nodes)}
    # Start on a circle in id order; a little spiral keeps opposite points from cancelling out.
    xs = [0.5 + 0.45 * (1 - 0.3 * i / n) * math.cos(2 * math.pi * i / n) for i in range(n)]
    ys = [0.5 + 0.45 * (1 - 0.3 * i / n) * math.sin(2 * math.pi * i / n) for i in range(n)]
    links = [(index[a], index[b], w) for a, b, w in edges]
    k = math.sqrt(1.0 / n)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * n
        dy = [0.0] * n
        for i in range(n):
            xi, yi = xs[i], ys[i]
            for j in range(i + 1, n):
                ddx, ddy = xi - xs[j], yi - ys[j]
                dist2 = ddx * ddx + ddy * ddy or 1e-9
                force = k * k / dist2
                dx[i] += ddx * force
                dy[i] += ddy * force
                dx[j] -= ddx * force
                dy[j] -= ddy * force
        for i, j, w in links:
            ddx, ddy = xs[i] - xs[j], ys[i] - ys[j]
            dist = math.sqrt(ddx * ddx + ddy * ddy) or 1e-9
            force = dist * (1 + math.log(w)) / k
            dx[i] -= ddx * force
            dy[i] -= ddy * force
            dx[j] += ddx * force
            dy[j] += ddy * force
        for i in range(n):
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) or 1e-9
            step = min(length, temperature)
            xs[i] += dx[i] / length * step
            ys[i] += dy[i] / length * step
        temperature -= cooling
    return _fit({node: (xs[i], ys[i]) for i, node in enumerate(nodes)})


def _fit(points: dict[str, Point]) -> dict[str, Point]:
    """Scale and centre points into the unit square, keeping the aspect ratio."""
    xs = [p[0] for p in points.values()]
    ys = [p[1] for p in points.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    ox = (1 - (max(xs) - min(xs)) / span) / 2
    oy = (1 - (max(ys) - min(ys)) / span) / 2
    return {n: (ox + (x - min(xs)) / span, oy + (y - min(ys)) / span) for n, (x, y) in points.items()}


def layout(graph: NetworkGraph, *, aspect: float = 1.0, iterations: int = 80) -> dict[str, Point]:
    """Every node's position in ``[0, 1]²`` for a drawing ``aspect`` times wider than tall."""
    parts = components(graph.nodes, graph.edges)
    linked = [p for p in parts if len(p) > 1]
    alone = [p[0] for p in parts if len(p) == 1]
    # Cell sizes grow with the square root of a part's size, so big parts get room.
    boxes: list[tuple[list[str], float]] = [(p, math.sqrt(len(p))) for p in linked]
    total_area = sum(size * size for _, size in boxes) + 0.25 * len(alone) or 1.0
    row_width = max(math.sqrt(total_area * aspect), max((s for _, s in boxes), default=1.0))
    placed: dict[str, Point] = {}
    x = y = row_height = 0.0
    for part, size in boxes:
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        members = set(part)
        weights = sorted((a, b, float(e.weight)) for (a, b), e in graph.edges.items() if a in members)
        inner = force_layout(part, weights, iterations)
        margin = 0.1 * size
        for node, (px, py) in inner.items():
            placed[node] = (x + margin + px * (size - 2 * margin), y + margin + py * (size - 2 * margin))
        x += size
        row_height = max(row_height, size)
    y += row_height
    if alone:
        per_row = max(1, int(row_width / 0.5))
        for i, node in enumerate(alone):
            placed[node] = (0.25 + 0.5 * (i % per_row), y + 0.25 + 0.5 * (i // per_row))
        y += 0.5 * math.ceil(len(alone) / per_row)
    content_width = max(row_width, max((p[0] for p in placed.values()), default=0.0) + 0.25)
    width = max(content_width, y * aspect)
    height = width / aspect
    return {node: (px / width, py / height) for node, (px, py) in placed.items()}
