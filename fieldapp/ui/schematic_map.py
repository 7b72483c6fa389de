"""A map drawn on the device without any tile: the zone's outline, the places coloured by status,
the user's position and a scale bar.

Shown when there are no tiles (no area map loaded, no tile server configured, or none reachable),
so the map screen is never an empty grey square offline. The projection is equirectangular around
the middle of what is drawn, which is exact enough over a neighbourhood (a few kilometres).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import flet as ft
import flet.canvas as cv

from fieldapp.geo.distance import Point
from fieldapp.geo.gps import Fix
from fieldapp.geo.mapdata import MapData, MapItem
from fieldapp.i18n.format import format_distance
from fieldapp.ui import theme

#: Logical pixels of the drawing (square) and its margin.
SIZE = 340
MARGIN = 18
METRES_PER_DEGREE = 111_320.0
#: Scale bar lengths to choose from (the longest under a third of the width).
SCALE_STEPS = (10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000)


class Projection:
    """Degrees to the drawing's pixels: north up, the same metres per pixel both ways."""

    def __init__(self, points: Sequence[Point], size: float = SIZE, margin: float = MARGIN) -> None:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        self.lat0 = (min(lats) + max(lats)) / 2
        self.lon0 = (min(lons) + max(lons)) / 2
        self.kx = math.cos(math.radians(self.lat0)) * METRES_PER_DEGREE
        width_m = max((max(lons) - min(lons)) * self.kx, (max(lats) - min(lats)) * METRES_PER_DEGREE, 50.0)
        self.metres_per_px = width_m / (size - 2 * margin)
        self.half = size / 2

    def xy(self, point: Point) -> tuple[float, float]:
        x = (point[1] - self.lon0) * self.kx / self.metres_per_px
        y = (point[0] - self.lat0) * METRES_PER_DEGREE / self.metres_per_px
        return self.half + x, self.half - y


def scale_bar_m(metres_per_px: float, size: float = SIZE) -> int:
    """A round length for the scale bar, at most a third of the drawing's width."""
    fitting = [step for step in SCALE_STEPS if step / metres_per_px <= size / 3]
    return fitting[-1] if fitting else SCALE_STEPS[0]


def schematic_map(
    data: MapData,
    position: Fix | None,
    color_of: Callable[[MapItem], str],
    t: Callable[..., str],
    lang: str,
) -> ft.Control:
    """The drawing, with a label a screen reader reads (what it shows and the scale)."""
    points = [item.point for item in data.items] + list(data.outline)
    if position is not None:
        points.append(position.point)
    if not points:
        points = [data.center]
    project = Projection(points)
    shapes: list[cv.Shape] = []
    if len(data.outline) >= 3:
        first, *rest = [project.xy(p) for p in data.outline]
        elements: list[cv.Path.PathElement] = [cv.Path.MoveTo(*first)]
        elements += [cv.Path.LineTo(x, y) for x, y in rest]
        elements.append(cv.Path.Close())
        shapes.append(cv.Path(elements, paint=ft.Paint(color="#1A0B4A8F", style=ft.PaintingStyle.FILL)))
        shapes.append(cv.Path(elements, paint=ft.Paint(color=theme.PRIMARY, stroke_width=3,
                                                       style=ft.PaintingStyle.STROKE)))
    for item in data.items:
        x, y = project.xy(item.point)
        shapes.append(cv.Circle(x, y, 7, paint=ft.Paint(color=color_of(item))))
        shapes.append(cv.Circle(x, y, 7, paint=ft.Paint(color=ft.Colors.WHITE, stroke_width=1.5,
                                                        style=ft.PaintingStyle.STROKE)))
    if position is not None:
        x, y = project.xy(position.point)
        shapes.append(cv.Circle(x, y, 11, paint=ft.Paint(color=ft.Colors.WHITE)))
        shapes.append(cv.Circle(x, y, 8, paint=ft.Paint(color="#1565C0")))
    bar_m = scale_bar_m(project.metres_per_px)
    bar_px = bar_m / project.metres_per_px
    y = SIZE - 10
    line = ft.Paint(color=theme.INK, stroke_width=3)
    shapes += [
        cv.Line(MARGIN, y, MARGIN + bar_px, y, paint=line),
        cv.Line(MARGIN, y - 6, MARGIN, y, paint=line),
        cv.Line(MARGIN + bar_px, y - 6, MARGIN + bar_px, y, paint=line),
        cv.Text(MARGIN + bar_px + 6, y - 16, format_distance(bar_m, lang),
                style=ft.TextStyle(size=13, color=theme.INK, weight=ft.FontWeight.W_600)),
    ]
    label = t("geo.schematic.label", places=len(data.items), scale=format_distance(bar_m, lang))
    if position is not None:
        label += " " + t("geo.schematic.with_position")
    return ft.Semantics(
        identifier="geo-schematic",
        label=label,
        container=True,
        content=ft.Container(
            cv.Canvas(shapes, width=SIZE, height=SIZE),
            width=SIZE,
            height=SIZE,
            bgcolor="#F7F5EF",
            border=ft.Border.all(1, theme.OUTLINE),
            border_radius=8,
        ),
    )
