"""Small raster tiles of central Łódź for tests: a plain background with a grid, as PNG."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from fieldapp.geo.tiles import tile_xy, write_mbtiles


def tile_png(z: int, x: int, y: int) -> bytes:
    image = Image.new("RGB", (256, 256), (236, 232, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 255, 255), outline=(180, 180, 180))
    draw.line((0, 128, 255, 128), fill=(255, 255, 255), width=6)  # a "street"
    draw.text((8, 8), f"{z}/{x}/{y}", fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def lodz_mbtiles(
    path: Path, center: tuple[float, float], zooms: range = range(13, 17), reach: int = 2
) -> Path:
    """An MBTiles file with tiles around ``center`` (``reach`` tiles each way) at each zoom."""
    tiles = {}
    for z in zooms:
        cx, cy = tile_xy(*center, z)
        for x in range(cx - reach, cx + reach + 1):
            for y in range(cy - reach, cy + reach + 1):
                tiles[(z, x, y)] = tile_png(z, x, y)
    write_mbtiles(path, tiles, name="Łódź test")
    return path
