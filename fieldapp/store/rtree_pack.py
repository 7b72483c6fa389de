"""A whole SQLite R*Tree of points written at once: nodes packed sort-tile-recursive (STR).

Filling ``geo_contact`` with one ``INSERT … SELECT`` still runs the R*Tree's insertion algorithm
per row (choose a leaf, split, adjust the boxes up to the root): ~14 µs a contact, the largest
part of finishing a first pull. Here the tree is laid out directly in the R*Tree's shadow tables,
in the format of SQLite's ``ext/rtree/rtree.c``:

- ``<name>_node(nodeno, data)``: node 1 is the root; ``data`` is the node size in bytes (that of
  the existing root), big-endian: the tree's depth (root only, leaves are 0), the cell count, then
  per cell its rowid (or child node) as 8 bytes and each dimension's min and max as 4-byte floats;
- ``<name>_rowid(rowid, nodeno)``: the leaf of every entry;
- ``<name>_parent(nodeno, parentnode)``: the parent of every node but the root.

A point's 4-byte coordinates are rounded outwards exactly as SQLite rounds them
(``rtreeValueDown`` / ``rtreeValueUp``), so the tree is the one SQLite would accept and keep:
``rtreecheck`` passes and later inserts, updates and deletes go through SQLite's own code.
Where the shadow tables may not be written (SQLite's defensive mode), ``pack_points`` changes
nothing and returns False: the caller fills the index the ordinary way.
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain

#: One cell of a two-dimensional R*Tree (its size sets a node's capacity): rowid, 4 coordinates.
_CELL = struct.Struct(">q4f")
_HEADER = struct.Struct(">HH")
#: SQLite's factors for a float that rounded the wrong way (``RNDTOWARDS``, ``RNDAWAY``).
_TOWARDS = 1.0 - 1.0 / 8388608.0
_AWAY = 1.0 + 1.0 / 8388608.0

Cell = tuple[int, float, float, float, float]  # rowid or child node, then the box


@dataclass(frozen=True, slots=True)
class Layout:
    """A packed tree ready to be written: the ``_node``, ``_parent`` and ``_rowid`` rows (the last
    as each leaf's number and the JSON list of its rowids)."""

    nodes: list[tuple[int, bytes]]
    parents: list[tuple[int, int]]
    leaves: list[tuple[int, str]]


def pack_points(db: sqlite3.Connection, name: str, points: Sequence[tuple[int, float, float]]) -> bool:
    """Replace the content of the 2-D R*Tree ``name`` with one point box per ``(rowid, a, b)``.
    Inside the caller's transaction. False (nothing changed) where the shadow tables cannot be
    written."""
    return write_layout(db, name, layout(points, node_size(db, name)))


def node_size(db: sqlite3.Connection, name: str) -> int:
    """The node size in bytes of the R*Tree ``name`` (that of its root)."""
    found = db.execute(f'SELECT length(data) FROM "{name}_node" WHERE nodeno = 1').fetchone()
    if found is None:
        raise ValueError(f"{name} is not an R*Tree with a root node")
    return int(found[0])


def layout(points: Sequence[tuple[int, float, float]], node_size: int) -> Layout:
    """The packed tree of point boxes, computed without a connection (so in any thread)."""
    capacity = (node_size - _HEADER.size) // _CELL.size
    return _layout(_tree(_point_cells(points), capacity), node_size)


def write_layout(db: sqlite3.Connection, name: str, packed: Layout) -> bool:
    """Replace the content of the R*Tree ``name`` with ``packed`` (inside the caller's transaction);
    False (nothing changed) where the shadow tables cannot be written."""
    try:
        db.execute(f'DELETE FROM "{name}_rowid"')
    except sqlite3.DatabaseError:  # read-only shadow tables (defensive mode), or not authorised
        return False
    db.execute(f'DELETE FROM "{name}_parent"')
    db.execute(f'DELETE FROM "{name}_node"')
    db.executemany(f'INSERT INTO "{name}_node" (nodeno, data) VALUES (?, ?)', packed.nodes)
    db.executemany(f'INSERT INTO "{name}_parent" (nodeno, parentnode) VALUES (?, ?)', packed.parents)
    for number, rowids in packed.leaves:  # a statement a leaf: ~3x faster than a row at a time
        db.execute(
            f'INSERT INTO "{name}_rowid" (rowid, nodeno) SELECT value, ? FROM json_each(?)', (number, rowids)
        )
    return True


def _point_cells(points: Sequence[tuple[int, float, float]]) -> list[Cell]:
    """Cells of point boxes, each coordinate rounded down for the min and up for the max."""
    rowids = [point[0] for point in points]
    a_low, a_high = _rounded([point[1] for point in points])
    b_low, b_high = _rounded([point[2] for point in points])
    return list(zip(rowids, a_low, a_high, b_low, b_high, strict=True))


def _rounded(values: list[float]) -> tuple[list[float], list[float]]:
    """4-byte floats of ``values``: the nearest at or below each, and at or above (SQLite's
    ``rtreeValueDown`` and ``rtreeValueUp``, which nudge a float that rounded the wrong way by
    one part in 2**23 rather than stepping to the adjacent float)."""
    nearest = array("f", values).tolist()
    towards = array("f", [value * _TOWARDS for value in values]).tolist()
    away = array("f", [value * _AWAY for value in values]).tolist()
    rows = list(zip(values, nearest, towards, away, strict=True))
    low = [near if near <= value else (aw if value < 0 else to) for value, near, to, aw in rows]
    high = [near if near >= value else (to if value < 0 else aw) for value, near, to, aw in rows]
    return low, high


def _pack_level(cells: list[Cell], capacity: int) -> list[list[Cell]]:
    """Sort-tile-recursive: vertical slices by the second dimension's centre, each sorted by the
    first's, cut into nodes of ``capacity`` cells."""
    if not cells:
        return [[]]
    nodes_needed = math.ceil(len(cells) / capacity)
    slice_size = math.ceil(math.sqrt(nodes_needed)) * capacity
    by_b = sorted(cells, key=lambda cell: cell[3] + cell[4])
    nodes = []
    for start in range(0, len(by_b), slice_size):
        ordered = sorted(by_b[start : start + slice_size], key=lambda cell: cell[1] + cell[2])
        nodes.extend(ordered[at : at + capacity] for at in range(0, len(ordered), capacity))
    return nodes


def _tree(cells: list[Cell], capacity: int) -> list[list[tuple[int, list[Cell]]]]:
    """The tree's levels from the leaves up, each a list of (node number, cells); the root (the
    one node of the last level) is number 1, the others count from 2. An inner cell's rowid is
    its child's number."""
    levels: list[list[tuple[int, list[Cell]]]] = []
    next_number = 2
    while True:
        nodes = _pack_level(cells, capacity)
        if len(nodes) == 1:
            levels.append([(1, nodes[0])])
            return levels
        numbered = list(enumerate(nodes, start=next_number))
        next_number += len(nodes)
        levels.append(numbered)
        cells = [_bounding(number, node) for number, node in numbered]


def _bounding(number: int, node: list[Cell]) -> Cell:
    """The parent's cell of node ``number``: the box around its cells."""
    return (
        number,
        min(cell[1] for cell in node),
        max(cell[2] for cell in node),
        min(cell[3] for cell in node),
        max(cell[4] for cell in node),
    )


def _layout(levels: list[list[tuple[int, list[Cell]]]], node_size: int) -> Layout:
    """The shadow tables' rows of a tree (``levels[0]`` are the leaves, the last level the root alone)."""
    depth = len(levels) - 1
    nodes: list[tuple[int, bytes]] = []
    parents: list[tuple[int, int]] = []
    for level, numbered in enumerate(levels):
        for number, cells in numbered:
            if level:
                parents.extend((cell[0], number) for cell in cells)
            data = _node_format(len(cells)).pack(depth if number == 1 else 0, len(cells), *chain(*cells))
            nodes.append((number, data.ljust(node_size, b"\0")))
    leaves = [(number, json.dumps([cell[0] for cell in cells])) for number, cells in levels[0]]
    return Layout(nodes, parents, leaves)


@cache
def _node_format(cells: int) -> struct.Struct:
    """A node's header and ``cells`` cells (big-endian: rowid as 8 bytes, coordinates as floats)."""
    return struct.Struct(">HH" + "q4f" * cells)
