"""Plane geometry of zone boundaries that the record rules need (the service checks them too).

A crossing of two edges is invariant under affine maps, so it is decided on the ``[lat, lon]``
points as they are: the local metric frames of ``fieldapp.geo`` differ from them by one.
"""

from __future__ import annotations

from collections.abc import Sequence

XY = tuple[float, float]


def self_intersects(ring: Sequence[XY]) -> bool:
    """Whether two non-neighbouring edges of the closed ring cross."""
    n = len(ring)
    edges = [(ring[i], ring[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue  # neighbours share a vertex
            if segments_cross(*edges[i], *edges[j]):
                return True
    return False


def segments_cross(a: XY, b: XY, c: XY, d: XY) -> bool:
    def orient(p: XY, q: XY, r: XY) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    d1, d2, d3, d4 = orient(c, d, a), orient(c, d, b), orient(a, b, c), orient(a, b, d)
    return ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0 not in (d1, d2, d3, d4)


def distinct_ring(points: Sequence[Sequence[float]] | None) -> list[XY]:
    """Vertices as tuples, without repeats and without a closing copy of the first point."""
    ring: list[XY] = []
    for vertex in points or ():
        if len(vertex) < 2:
            continue
        point = (float(vertex[0]), float(vertex[1]))
        if not ring or point != ring[-1]:
            ring.append(point)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return ring
