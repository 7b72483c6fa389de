"""Mapa obszaru (/zone/area-map, listed on Strefa): load the area's MBTiles file for offline maps.

The file is checked (raster tiles in an MBTiles database) and copied into the app's data folder;
the map screen then serves it on the device (``AppServices.area_tiles``). The same is a command:
``fieldapp --load-map FILE``. In a browser the picked file comes as bytes (no path).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import flet as ft

from fieldapp.geo.tiles import area_map_path, install_area_map, read_area_map
from fieldapp.ui import widgets as w
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen


@screen("/zone/area-map", menu=MenuEntry("/zone", "geo.area_map.title", ft.Icons.MAP_OUTLINED, order=12))
class AreaMapScreen(Screen):
    title_key = "geo.area_map.title"

    def build(self) -> ft.Control:
        self.state = w.body(self.t("ui.common.loading"))
        return ft.Column(
            [
                w.muted(self.t("geo.area_map.help")),
                self.state,
                w.primary_button(
                    self.ctx, self.t("geo.area_map.load"), self._pick, icon=ft.Icons.UPLOAD_FILE
                ),
                w.muted(self.t("geo.area_map.command")),
            ],
            spacing=14,
        )

    async def load(self) -> None:
        path = area_map_path(self.ctx.store.path.parent)
        if path is None:
            self.state.value = self.t("geo.area_map.none")
            return
        area = await self.ctx.call(read_area_map, path)
        self.state.value = self.t("geo.area_map.loaded", name=area.name, tiles=area.tiles,
                                  zooms=f"{area.min_zoom}–{area.max_zoom}")

    async def _pick(self) -> None:
        picked = await ft.FilePicker().pick_files(
            allowed_extensions=["mbtiles"], with_data=bool(self.ctx.page.web)
        )
        if not picked:
            return
        chosen = picked[0]
        try:
            if chosen.path:
                await self.ctx.call(install_area_map, self.ctx.store.path.parent, Path(chosen.path))
            elif chosen.bytes:
                await self.ctx.call(self._install_bytes, chosen.bytes)
            else:
                raise ValueError("nothing was picked")
        except (OSError, ValueError):
            self.ctx.toast(self.t("geo.area_map.bad"))
            return
        self.ctx.toast(self.t("geo.area_map.saved"))
        await self.load()

    def _install_bytes(self, data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "area.mbtiles"
            source.write_bytes(data)
            install_area_map(self.ctx.store.path.parent, source)
